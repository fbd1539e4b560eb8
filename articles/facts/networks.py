"""Parsing, normalising and looking up IP ranges.

Pure functions over the standard library's ``ipaddress``: they decide what a
support person's pasted text means, say in plain words why a line is refused,
and turn a network into the fixed-width keys the database indexes.

Why the keys: "which range covers 3.93.157.200?" must be an indexed lookup on
SQLite and PostgreSQL alike. A CIDR range that covers an address has, as its
first address, the address with its host bits cleared for some prefix length.
There are only 33 such candidates for IPv4 (129 for IPv6), so the lookup is an
``IN`` over the indexed ``(version, start)`` column followed by ``end >= ip``:
a handful of index probes however many ranges are stored.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from articles.facts.numbers import is_decimal

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

KEY_WIDTH = 32  # hex digits: wide enough for IPv6, IPv4 is zero-padded.
MAX_PREFIX = {4: 32, 6: 128}


class RangeError(ValueError):
    """A line that is not a usable IP range; ``str()`` says why, in plain words."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def _strip(text: str) -> str:
    # Ranges pasted from mail headers and spreadsheets arrive wrapped in
    # brackets or quotes, or followed by a comma.
    return text.strip().strip("[]()<>\"',;").strip()


def parse_network(text: str) -> Network:
    """Parse one IP address or CIDR range, or raise RangeError saying why not.

    A single address becomes a /32 (IPv4) or /128 (IPv6). Host bits set
    (``3.93.157.24/24``) are refused rather than silently cleared, because the
    person typing it meant one of two different things.
    """
    value = _strip(text)
    if not value:
        raise RangeError("The line is empty.", "empty")
    if " " in value or "\t" in value:
        raise RangeError(f"“{value}” contains a space; put one range on each line.", "space")
    address_part, slash, prefix_part = value.partition("/")
    try:
        address = ipaddress.ip_address(address_part)
    except ValueError:
        raise RangeError(_why_not_an_address(address_part), "invalid_address") from None
    plain = plain_address(address, address_part)
    if plain.version != address.version:
        raise RangeError(
            f"“{address_part}” is an IPv4 address written in IPv6 form; enter it as {plain}.",
            "ipv4_mapped",
        )
    max_prefix = MAX_PREFIX[address.version]
    if slash:
        if not is_decimal(prefix_part):
            raise RangeError(
                f"The prefix length “/{prefix_part}” must be a whole number from 0 to {max_prefix}.",
                "invalid_prefix",
            )
        prefix = int(prefix_part)
        if prefix > max_prefix:
            raise RangeError(
                f"The prefix length /{prefix} is too long: IPv{address.version} allows at most "
                f"/{max_prefix}.",
                "invalid_prefix",
            )
    else:
        prefix = max_prefix
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    if network.network_address != address:
        raise RangeError(
            f"“{value}” has host bits set: the /{prefix} range that contains it starts at "
            f"{network.network_address}. Enter {network} for the whole range, or "
            f"{address} on its own for the single address.",
            "host_bits",
        )
    return network


def plain_address(address: Address, written: str) -> Address:
    """The address a sender has, or RangeError: the one rule for IPv6 forms that are not one.

    An IPv4 address written in IPv6 form (``::ffff:192.0.2.1``), as mail logs
    show IPv4 senders, is the IPv4 address. An address with a zone
    (``fe80::1%eth0``) names an interface on one machine, not a sender, and is
    refused; ``written`` is the text it came from, for the message.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            raise RangeError(f"“{written}” has a zone (%…); leave it out.", "zone")
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


def parse_address(text: str) -> Address:
    """One IP address exactly as written, or RangeError saying why not.

    Stricter than ``parse_network``: a program sends what it means, so nothing
    is stripped. An IPv4 address in IPv6 form is the IPv4 address
    (``plain_address``).
    """
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        # parse_network says why the text is not an address, or what range it reads as.
        network = parse_network(text)
        raise RangeError(
            f"“{text}” is not a single IP address (it reads as {network}). "
            "Ask about one address, such as 192.0.2.1 or 2001:db8::1.",
            "not_an_address",
        ) from None
    return plain_address(address, text)


def _why_not_an_address(text: str) -> str:
    parts = text.split(".")
    if ":" not in text and len(parts) == 4 and all(is_decimal(p) for p in parts):
        too_big = [p for p in parts if int(p) > 255]
        if too_big:
            return f"“{text}” is not an IPv4 address: {too_big[0]} is more than 255."
    if ":" not in text and all(is_decimal(p) for p in parts) and len(parts) < 4:
        return f"“{text}” is not an IPv4 address: it has {len(parts)} parts, an address has 4."
    return f"“{text}” is not an IP address or a CIDR range (like 192.0.2.0/24 or 2001:db8::/32)."


def normalise(text: str) -> str:
    """The canonical text of a range: compressed, lower case, always with a prefix."""
    return parse_network(text).with_prefixlen


def key(address: Address | int, version: int) -> str:
    """The fixed-width, sortable hex key the database indexes."""
    return format(int(address), f"0{KEY_WIDTH}x")


def bounds(network: Network) -> tuple[str, str]:
    """The (start, end) keys of a network."""
    return key(network.network_address, network.version), key(network.broadcast_address, network.version)


def network_order(network: Network) -> tuple[int, int, int]:
    """The order every list of ranges uses: IPv4 before IPv6, then address, then prefix length."""
    return (network.version, int(network.network_address), network.prefixlen)


def display(network: Network) -> str:
    """A range as readers expect it: a single address without its /32 or /128."""
    single = network.prefixlen == network.max_prefixlen
    return str(network.network_address) if single else network.with_prefixlen


def candidate_starts(address: Address) -> list[str]:
    """Keys of the first address of every network that could contain ``address``."""
    value = int(address)
    bits = MAX_PREFIX[address.version]
    starts = {value & ~((1 << (bits - prefix)) - 1) for prefix in range(bits + 1)}
    return sorted(key(start, address.version) for start in starts)


def parse_query_address(text: str) -> Network | None:
    """A network from text as a reader pastes it (``[3.93.157.200]``), or None."""
    try:
        return parse_network(text)
    except RangeError:
        return None


@dataclass(frozen=True)
class LineVerdict:
    """What became of one pasted line."""

    line_number: int
    text: str
    network: Network | None
    status: str  # "accepted", "normalised", "duplicate", "invalid"
    message: str

    @property
    def ok(self) -> bool:
        return self.status != "invalid"


def judge_lines(text: str, existing: set[str]) -> list[LineVerdict]:
    """Give a verdict for each non-blank line of pasted ranges.

    ``existing`` is the set of normalised networks already stored; a line that
    repeats one, or repeats an earlier line, is a duplicate. Blank lines
    between ranges are ignored, as people paste them; a paste with no range at
    all is one "empty" verdict.
    """
    verdicts: list[LineVerdict] = []
    seen = set(existing)
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            network = parse_network(raw)
        except RangeError as error:
            verdicts.append(LineVerdict(number, raw, None, "invalid", str(error)))
            continue
        canonical = network.with_prefixlen
        if canonical in seen:
            verdicts.append(LineVerdict(number, raw, network, "duplicate", f"{canonical} is already listed."))
            continue
        seen.add(canonical)
        if _strip(raw) == canonical:
            verdicts.append(LineVerdict(number, raw, network, "accepted", f"{canonical} accepted."))
        else:
            verdicts.append(
                LineVerdict(
                    number,
                    raw,
                    network,
                    "normalised",
                    f"{canonical} accepted, written from “{raw.strip()}”.",
                )
            )
    if not verdicts:
        verdicts.append(LineVerdict(1, text, None, "invalid", "Paste at least one IP address or range."))
    return verdicts


def overlaps(networks: list[Network]) -> list[tuple[Network, Network]]:
    """Pairs (outer, inner) where one network contains or overlaps another."""
    found = []
    ordered = sorted(networks, key=network_order)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.version != first.version:
                break
            if int(second.network_address) > int(first.broadcast_address):
                break
            found.append((first, second))
    return found
