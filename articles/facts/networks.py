"""Parsing, normalising and looking up IP ranges.

Pure functions over the standard library's ``ipaddress``: they decide what a
support person's pasted text means, say in plain words why a line is refused,
and turn a network into the fixed-width keys the database indexes.

Whether a range is one a real sender could publish (not private, not the
whole internet...) is decided apart, in ``sender_ranges``: a lookup must
still read any address.

Why the keys: "which range covers 3.93.157.200?" must be an indexed lookup on
SQLite and PostgreSQL alike. A CIDR range that covers an address has, as its
first address, the address with its host bits cleared for some prefix length.
There are only 33 such candidates for IPv4 (129 for IPv6), so the lookup is an
``IN`` over the indexed ``(version, start)`` column followed by ``end >= ip``:
a handful of index probes however many ranges are stored.
"""

from __future__ import annotations

import ipaddress
import re

from articles.facts.numbers import is_decimal

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

KEY_WIDTH = 32  # hex digits: wide enough for IPv6, IPv4 is zero-padded.
MAX_PREFIX = {4: 32, 6: 128}
_NETWORK = {4: ipaddress.IPv4Network, 6: ipaddress.IPv6Network}

# A start–end range that needs more CIDR blocks than this is named by its first few.
_BLOCKS_SHOWN = 8

# A start–end range: two addresses joined by a hyphen or a dash (IPv6 has no hyphens).
_START_END = re.compile(r"(?P<start>[^\s\-–—]+)\s*[-–—]\s*(?P<end>[^\s\-–—]+)")


class RangeError(ValueError):
    """A line that is not a usable IP range; ``str()`` says why, in plain words."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def strip_line(text: str) -> str:
    """The line without the wrapping that copying adds around a range."""
    # Ranges pasted from mail headers and spreadsheets arrive wrapped in
    # brackets or quotes, or followed by a comma.
    return text.strip().strip("[]()<>\"',;").strip()


def parse_network(text: str) -> Network:
    """Parse one IP address or CIDR range, or raise RangeError saying why not.

    A single address becomes a /32 (IPv4) or /128 (IPv6). Host bits set
    (``3.93.157.24/24``) are refused rather than silently cleared, because the
    person typing it meant one of two different things.
    """
    value = strip_line(text)
    if not value:
        raise RangeError("The line is empty.", "empty")
    _refuse_common_mistakes(value)
    if " " in value or "\t" in value:
        raise RangeError(f"“{value}” contains a space; put one range on each line.", "space")
    address_part, slash, prefix_part = value.partition("/")
    try:
        address = ipaddress.ip_address(address_part)
    except ValueError:
        raise _why_not_an_address(address_part) from None
    plain = plain_address(address, address_part)
    if plain.version != address.version:
        raise RangeError(
            f"“{address_part}” is an IPv4 address written in IPv6 form; enter it as {plain}.",
            "ipv4_mapped",
        )
    max_prefix = MAX_PREFIX[address.version]
    if slash:
        _refuse_netmask(value, address, prefix_part)
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
    # From the parsed number, not from text: parsing "{address}/{prefix}" again was a third of
    # the time of this function, which a 10,000-line paste calls 10,000 times.
    network = _NETWORK[address.version]((int(address), prefix), strict=False)
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


def _why_not_an_address(text: str) -> RangeError:
    parts = text.split(".")
    if ":" not in text and len(parts) == 4 and all(is_decimal(p) for p in parts):
        too_big = [p for p in parts if int(p) > 255]
        if too_big:
            return RangeError(
                f"“{text}” is not an IPv4 address: {too_big[0]} is more than 255.", "invalid_address"
            )
        if any(len(p) > 1 and p.startswith("0") for p in parts):
            # Some programs read 010 as octal (8), others as 10: the same line
            # would allowlist different addresses in different gateways.
            written = ".".join(str(int(p)) for p in parts)
            return RangeError(
                f"“{text}” has leading zeros, which are ambiguous (some programs read 010 as 8); "
                f"write {written}.",
                "leading_zeros",
            )
    if ":" not in text and all(is_decimal(p) for p in parts) and len(parts) < 4:
        return RangeError(
            f"“{text}” is not an IPv4 address: it has {len(parts)} parts, an address has 4.",
            "invalid_address",
        )
    if ":" not in text and len(parts) == 4 and all(is_decimal(p) or p == "*" for p in parts):
        fixed = [p for p in parts if p != "*"]
        if parts[len(fixed) :] == ["*"] * (4 - len(fixed)) and fixed:
            cidr = ".".join(fixed + ["0"] * (4 - len(fixed))) + f"/{8 * len(fixed)}"
            return RangeError(
                f"“{text}” uses * for “any”; write the range in CIDR form instead: {cidr}.", "wildcard"
            )
    if text.startswith("*.") or (":" not in text and "." in text and any(c.isalpha() for c in text)):
        return RangeError(
            f"“{text}” is a domain name, not an IP address or range. Enter domains under sender "
            "domains, written without “*.”; here, enter the vendor's IP addresses and ranges.",
            "domain",
        )
    return RangeError(
        f"“{text}” is not an IP address or a CIDR range (like 192.0.2.0/24 or 2001:db8::/32).",
        "invalid_address",
    )


def _refuse_common_mistakes(value: str) -> None:
    """RangeError for a line that is a start–end range, a list, or a netmask after a space, saying what to write."""
    if "," in value or ";" in value:
        raise RangeError(f"“{value}” holds more than one range; put one range on each line.", "several")
    start_end = _START_END.fullmatch(value)
    if start_end:
        _refuse_start_end(value, start_end["start"], start_end["end"])
    address_part, space, mask = value.partition(" ")
    if space:
        try:
            address = ipaddress.ip_address(address_part)
        except ValueError:
            return
        _refuse_netmask(value, address, mask.strip())


def _refuse_start_end(value: str, start_text: str, end_text: str) -> None:
    try:
        start = ipaddress.ip_address(start_text)
    except ValueError:
        return
    if start.version == 4 and is_decimal(end_text, max_digits=3):
        # "192.0.2.1-9": the end gives the last part only.
        end_text = ".".join([*start_text.split(".")[:3], end_text])
    try:
        end = ipaddress.ip_address(end_text)
    except ValueError:
        return
    if end.version != start.version:
        raise RangeError(f"“{value}” starts and ends in different IP versions.", "start_end")
    if end < start:
        raise RangeError(f"“{value}” ends before it starts; write the lower address first.", "start_end")
    blocks = [display(block) for block in ipaddress.summarize_address_range(start, end)]
    shown = blocks[:_BLOCKS_SHOWN]
    more = f", and {len(blocks) - len(shown)} more" if len(blocks) > len(shown) else ""
    one = "it is" if len(blocks) == 1 else "they are"
    raise RangeError(
        f"“{value}” is a start–end range; write it in CIDR form, one range on each line ({one} "
        f"{', '.join(shown)}{more}).",
        "start_end",
    )


def _refuse_netmask(value: str, address: Address, mask: str) -> None:
    """RangeError if ``mask`` is an IPv4 netmask (``255.255.255.0``) rather than a prefix length."""
    if address.version != 4 or mask.count(".") != 3:
        return
    try:
        prefix = ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
    except ValueError:
        return
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    raise RangeError(
        f"“{value}” gives a netmask ({mask}); write the prefix length instead: {network}.",
        "netmask",
    )


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


def overlaps(networks: list[Network]) -> list[tuple[Network, Network]]:
    """Pairs (outer, inner) where one network contains or overlaps another.

    Sorted once, each network is compared with the ones after it up to the first
    that starts past its end, so the work grows with the pairs found, not with
    the square of the list (a paste of 10,000 ranges checks each against 11,000).
    """
    found = []
    ordered = sorted(networks, key=network_order)
    spans = [(n.version, int(n.network_address), int(n.broadcast_address)) for n in ordered]
    for i, (version, _first, last) in enumerate(spans):
        for j in range(i + 1, len(spans)):
            other_version, other_first, _other_last = spans[j]
            if other_version != version or other_first > last:
                break
            found.append((ordered[i], ordered[j]))
    return found
