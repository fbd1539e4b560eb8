"""Query understanding: what the text a reader typed or pasted means.

Pure functions, no database. A query is cleaned (control characters out,
spaces collapsed, cut to a sane length) and then read for:

- IP addresses and CIDR ranges, as pasted from a mail header: in brackets,
  with stray spaces around the slash, ``IPv6:`` prefixes, or inside a whole
  ``Received:`` line. A query that is nothing but an address that cannot be
  one (``1.2.3.4/99``, ``300.1.1.1``) keeps the reason, in words;
- an email address and domains, which lead to the vendor that sends from them;
- SMTP reply codes (``550``, ``5.7.1``), kept exactly as typed;
- words, for full-text search: lower case, stop words out, each one a term
  that synonyms and spelling correction may widen later (engine.py).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from articles.facts import networks, senders
from articles.search.models import MAX_QUERY_LENGTH, normalise_query

#: Most terms one search looks for; the rest of a long query is ignored.
MAX_TERMS = 8
#: Most IP addresses read from one query (a pasted header holds a few).
MAX_NETWORKS = 5

# English words too common to search for (the set PostgreSQL drops, roughly).
_STOP_WORDS_TEXT = """
a about above after again against all am an and any are as at be because been before being below
between both but by can cannot could did do does doing don down during each few for from further
get gets got had has have having he her here hers him his how i if in into is it its itself just
me more most my no nor not of off on once only or other our ours out over own same she should so
some such than that the their them then there these they this those through to too under until
up very was we were what when where which while who whom why will with would you your yours
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# Tokens in reading order: SMTP enhanced status codes (RFC 3463) such as 5.7.1, then words.
_TOKEN = re.compile(r"(?<![\w.])[245]\.\d{1,3}\.\d{1,3}(?![\w.])|[^\W_]+")
_BASIC_CODE = re.compile(r"[245]\d\d")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:\s*/\s*\d{1,3})?(?![\w.])")
_IPV6 = re.compile(r"(?<![\w:.])[0-9a-f.]*:[0-9a-f.]*:[0-9a-f:.]*(?:\s*/\s*\d{1,3})?(?![\w:])", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_DOMAIN = re.compile(r"(?<![\w@.-])@?(?:[\w-]+\.)+[^\W\d_]{2,}(?![\w.-])")
# The whole query is meant as one address: four dotted numbers, or hex and colons.
_LOOKS_LIKE_IPV4 = re.compile(r"\d+(?:\.\d+){3}(?:/.*)?")
_LOOKS_LIKE_IPV6 = re.compile(r"[0-9a-f]*:[0-9a-f:.]*:[0-9a-f:.]*(?:/.*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """One thing to look for. ``exact`` terms (codes, addresses, domains)
    are neither spell-corrected nor widened by synonyms."""

    text: str
    exact: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    normalised: str
    networks: tuple[networks.Network, ...] = ()
    network_error: str = ""
    address: str = ""
    domains: tuple[str, ...] = ()
    terms: tuple[Term, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.text

    @property
    def is_ip(self) -> bool:
        return bool(self.networks or self.network_error)

    @property
    def is_sender(self) -> bool:
        return bool(self.address or self.domains)

    @property
    def kind(self) -> str:
        """How the search is logged: ``ip``, ``sender`` or ``text``."""
        if self.is_ip:
            return "ip"
        if self.is_sender:
            return "sender"
        return "text"

    @property
    def phrase(self) -> str:
        """The query's words in order, for ranking an exact phrase first (two words or more)."""
        return " ".join(self.words) if len(self.words) > 1 else ""


def tokenise(text: str) -> list[str]:
    """Words and status codes in reading order, in lower case."""
    return [match.group() for match in _TOKEN.finditer(text.lower())]


def clean(text: str) -> str:
    """The query as it is searched and shown back: printable, single-spaced, not too long."""
    text = (text or "")[: MAX_QUERY_LENGTH * 4]
    # Control, format, private-use and surrogate characters: PostgreSQL refuses
    # NUL outright, and the highlighter uses private-use characters as markers.
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def parse(raw: str) -> ParsedQuery:
    """Read a reader's query; never raises."""
    text = clean(raw)
    if not text:
        return ParsedQuery(text="", normalised="")
    whole = _as_whole_network(text)
    if whole is not None:
        network, error = whole
        return ParsedQuery(
            text=text,
            normalised=normalise_query(text),
            networks=(network,) if network else (),
            network_error=error,
        )

    rest = re.sub(r"(?i)\bipv6:", " ", text)
    found_networks, rest = _take_networks(rest)
    terms: list[Term] = []
    domains: list[str] = []
    labels: list[str] = []
    address = ""
    for match in EMAIL.finditer(rest):
        try:
            normalised = senders.normalise_address(match.group())
        except ValidationError:
            continue
        address = address or normalised
        terms.append(Term(match.group().lower(), exact=True))
        domains.append(normalised.rpartition("@")[2])
    rest = EMAIL.sub(" ", rest)
    for match in _DOMAIN.finditer(rest):
        try:
            domains.append(senders.normalise_domain(match.group()))
        except ValidationError:
            continue
    rest = _DOMAIN.sub(" ", rest)
    for domain in dict.fromkeys(domains):
        terms.append(Term(senders.display_domain(domain).lower(), exact=True))
        # The name before the top-level domain is a word too: "smartrak.com" may be a typo.
        labels.append(domain.split(".")[-2])
    words = tokenise(rest)
    for word in words + labels:
        if "." in word or _BASIC_CODE.fullmatch(word):
            terms.append(Term(word, exact=True))
        elif word not in STOP_WORDS:
            terms.append(Term(word))
    return ParsedQuery(
        text=text,
        normalised=normalise_query(text),
        networks=tuple(found_networks),
        address=address,
        domains=tuple(dict.fromkeys(parent for domain in domains for parent in _with_parents(domain))),
        terms=tuple(dict.fromkeys(terms))[:MAX_TERMS],
        words=tuple(words[: MAX_TERMS * 2]),
    )


def _as_whole_network(text: str) -> tuple[networks.Network | None, str] | None:
    """If the whole query is meant as one IP address or range: (network, "") or (None, why not)."""
    value = re.sub(r"\s*/\s*", "/", text).strip().strip("[]()<>\"',;").strip()
    value = re.sub(r"(?i)^ipv6:", "", value)
    if not (_LOOKS_LIKE_IPV4.fullmatch(value) or _LOOKS_LIKE_IPV6.fullmatch(value)):
        return None
    try:
        return _lenient_network(value), ""
    except networks.RangeError as error:
        return None, str(error)


def _lenient_network(value: str) -> networks.Network:
    """A reader's ``3.93.157.24/24`` asks about the address, not a range: host bits are forgiven."""
    try:
        return networks.parse_network(value)
    except networks.RangeError as error:
        if error.code == "ipv4_mapped":
            # Mail logs write IPv4 senders as ::ffff:a.b.c.d; the reader means a.b.c.d.
            mapped = networks.parse_address(value.partition("/")[0].strip("[]"))
            return networks.parse_network(str(mapped))
        if error.code != "host_bits":
            raise
        return networks.parse_network(value.partition("/")[0])


def _take_networks(text: str) -> tuple[list[networks.Network], str]:
    """IP addresses inside a longer text, and the text without them."""
    found: list[networks.Network] = []
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            try:
                network = _lenient_network(re.sub(r"\s+", "", match.group()))
            except networks.RangeError:
                continue
            if network not in found and len(found) < MAX_NETWORKS:
                found.append(network)
        text = pattern.sub(" ", text)
    return found, text


def _with_parents(domain: str) -> list[str]:
    """``mail.example.com`` and ``example.com``: a vendor may list either."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def mask_address(network: networks.Network) -> str:
    """A reader's own IP address made anonymous: its /24 (IPv4) or /48 (IPv6)."""
    prefix = 24 if network.version == 4 else 48
    if network.prefixlen <= prefix:
        return network.with_prefixlen
    return ipaddress.ip_network(f"{network.network_address}/{prefix}", strict=False).with_prefixlen
