"""Hostile facts for the download tests: Hypothesis strategies, and one fixed hostile vendor.

Whether a sender address or domain must be listed is known by construction,
not by asking the writers' rule: ``plain_addresses`` draws from the grammar the
README documents (letters, digits and ``_ + ' -`` in dot-separated parts, an
``@``, a host name), and every ``not_plain_*`` strategy draws text that breaks
it for certain: a character the grammar never allows (a space or line break,
a control or format character, a quote of any kind, a wildcard, a non-ASCII
letter, punctuation that means something in some format), or a shape it
refuses (an IP address for a domain, an empty label, a leading dot).
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

#: Characters and pieces that mean something in at least one format we write.
DANGEROUS = [
    *"'\u2018\u2019\u201a\u201b\"\u201c\u201d\u201e",  # PowerShell's quotes
    *"-\u2013\u2014\u2015",  # PowerShell's dashes
    "$(",
    "#>",
    "<#",
    "`",
    *";|&{}()[]<>,:=+@*?#\\%!/~^",
    *"\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029",  # line breaks and spaces of every kind
    *"\x01\x07\x08\x1b\x7f\x9b\u200b\u200d\u202e\u2066\ufeff\ufffe\uffff",  # controls and format characters
    "]]>",
    "&amp;",
    " OR ",
    "\uff1d",  # full-width =
    "\uff07",  # full-width '
]

# Characters a plain address may hold; any other one makes it not plain.
PLAIN_ADDRESS_CHARACTERS = frozenset(string.ascii_letters + string.digits + "._+'-@")
PLAIN_DOMAIN_CHARACTERS = frozenset(string.ascii_letters + string.digits + ".-")


def hostile_text(*, max_size: int = 24, nul: bool = True) -> st.SearchStrategy[str]:
    """Any Unicode text but lone surrogates (no database stores them), rich in DANGEROUS pieces."""
    any_character = st.characters(exclude_categories=("Cs",), exclude_characters="" if nul else "\x00")
    pieces = st.one_of(st.sampled_from(DANGEROUS), any_character, st.sampled_from(string.ascii_letters))
    return st.lists(pieces, max_size=max_size).map(lambda parts: "".join(parts)[: max_size * 2])


_label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,6}[a-z0-9])?", fullmatch=True)
_top_label = st.from_regex(r"[a-z][a-z0-9]{1,5}", fullmatch=True)
_local_part = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_+'-]{0,8}(?:\.[A-Za-z0-9_+'-]{1,4}){0,2}", fullmatch=True)


def plain_domains() -> st.SearchStrategy[str]:
    return st.builds(
        lambda labels, top: ".".join([*labels, top]), st.lists(_label, min_size=1, max_size=3), _top_label
    )


def plain_addresses() -> st.SearchStrategy[str]:
    return st.builds(lambda local, domain: f"{local}@{domain}", _local_part, plain_domains())


def _spoil(plain: st.SearchStrategy[str], allowed: frozenset[str], nul: bool) -> st.SearchStrategy[str]:
    """Plain text with a piece it never allows put in somewhere."""
    bad_piece = st.one_of(
        st.sampled_from([piece for piece in DANGEROUS if any(char not in allowed for char in piece)]),
        st.characters(exclude_categories=("Cs",), exclude_characters="\x00").filter(
            lambda c: c not in allowed
        ),
    )
    if nul:
        bad_piece = st.one_of(bad_piece, st.just("\x00"))
    return st.builds(
        lambda text, piece, at: text[: at % (len(text) + 1)] + piece + text[at % (len(text) + 1) :],
        plain,
        bad_piece,
        st.integers(0, 300),
    )


def not_plain_addresses(*, nul: bool = True) -> st.SearchStrategy[str]:
    quoted = st.builds(
        lambda text, domain: f'"{text}"@{domain}', hostile_text(max_size=8, nul=nul), plain_domains()
    )
    bad_domain = st.builds(lambda local, domain: f"{local}@{domain}", _local_part, not_plain_domains(nul=nul))
    misshapen = st.sampled_from(
        [
            "*",
            "*@*",
            "a@b",
            "@acme.example",
            "alerts@",
            ".alerts@acme.example",
            "alerts.@acme.example",
            "al..erts@acme.example",
            "-alerts@acme.example",
            "'alerts@acme.example",
            "a@b@acme.example",
            "alerts@192.0.2.1",
            f"{'a' * 65}@acme.example",
        ]
    )
    return st.one_of(
        _spoil(plain_addresses(), PLAIN_ADDRESS_CHARACTERS, nul),
        quoted,
        bad_domain,
        misshapen,
        hostile_text(max_size=16, nul=nul).filter(
            lambda t: any(c not in PLAIN_ADDRESS_CHARACTERS for c in t)
        ),
    )


def not_plain_domains(*, nul: bool = True) -> st.SearchStrategy[str]:
    misshapen = st.sampled_from(
        [
            "*",
            "*.acme.example",
            "acme",
            "192.0.2.1",
            "10.0.0.1",
            ".acme.example",
            "acme.example.",
            "acme..example",
            "-acme.example",
            "acme-.example",
            f"{'a' * 64}.example",
        ]
    )
    return st.one_of(
        _spoil(plain_domains(), PLAIN_DOMAIN_CHARACTERS, nul),
        misshapen,
        hostile_text(max_size=16, nul=nul).filter(lambda t: any(c not in PLAIN_DOMAIN_CHARACTERS for c in t)),
    )


# One fixed hostile vendor, for the tools that are too slow to run on every example ------------

HOSTILE_NAME = "A\u2019;rm C:\\x -r;echo \u2019 =cmd|' /C calc'!A0 $(calc) #> \"x\" \u201cy\u201d\n\x0cnext"

#: Addresses that must be listed, and addresses that must be left out of every file.
LISTED_ADDRESSES = ["alerts@acme.example", "o'brien@acme.example", "billing@other.example"]
LEFT_OUT_ADDRESSES = [
    '"\x0c*\x0c"@acme.example',  # form feeds in a quoted local part: a bare * once split at whitespace
    "*@*",
    "* @evil.example",
    "x#@evil.example",
    "a b@evil.example",
    "r\u00e9sum\u00e9@acme.example",
    "alerts@acme.example\nwelcomelist_from *",
]
LISTED_DOMAINS = ["acme.example", "xn--bcher-kva.example"]
LEFT_OUT_DOMAINS = ["*", "192.0.2.1", "evil .example", "evil.example\n*", "b\u00fccher.example"]
