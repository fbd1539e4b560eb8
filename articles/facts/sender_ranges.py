"""Ranges no real sender publishes, and why: the check every stored range passes.

``networks.parse_network`` decides whether text is an IP address or range at
all; the API's and the search's "who sends from this address?" use it and
must answer for any address. ``check_sender_range`` (and
``parse_sender_range``, which does both) decides whether a range is one a real
sender could publish. Every way a range is stored goes through it (the model's
``clean()``, so the admin's forms and the import, and ``ranges.judge_lines``
for the paste tool), because our lists end up in customers' mail gateways,
where ``0.0.0.0/0`` or ``10.0.0.0/8`` would let anyone's mail through.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings

from articles.facts.networks import Network, RangeError, display, parse_network

#: The widest range a sender may publish. Mail senders publish blocks far
#: narrower than these (IPv4 /16 and smaller, IPv6 /32 and smaller, as a rule),
#: so a wider one is almost surely a typo in the prefix length, and
#: allowlisting it would let in a large part of the internet.
WIDEST_IPV4_PREFIX = 8
WIDEST_IPV6_PREFIX = 24
WIDEST_PREFIX = {4: WIDEST_IPV4_PREFIX, 6: WIDEST_IPV6_PREFIX}


@dataclass(frozen=True)
class SpecialRange:
    """A block set aside for something other than sending mail on the internet, and why."""

    network: Network
    what: str  # a noun phrase: "a private range (RFC 1918)"
    why: str  # why no sender's mail comes from it, in a support person's words
    code: str
    advice: str  # what to enter instead


def _special(text: str, what: str, why: str, code: str, advice: str = "") -> SpecialRange:
    return SpecialRange(ipaddress.ip_network(text), what, why, code, advice or _ADVICE)


_ADVICE = "Enter only the public ranges the vendor lists for its mail servers."
_PRIVATE = "such addresses are used only inside an organisation's own network, and mail from the internet never comes from them"
_DOCUMENTATION = "it is set aside for examples in documentation and never sends mail"
_RESERVED = "it is set aside by the IETF and is not used on the internet"

#: Blocks from the IANA special-purpose registries (RFC 6890) that no sender
#: publishes. Spelled out rather than left to ``ipaddress``'s ``is_private`` and
#: ``is_global``: those answer for one address or a range wholly inside a block,
#: not for a range that includes one (``192.0.0.0/8`` includes ``192.168.0.0/16``),
#: they change between Python versions, and ``is_private`` puts the
#: documentation ranges with the private ones, so the message could not say
#: which it is. ``is_global`` is still asked last, as a safety net
#: (``check_sender_range``). A range inside several blocks is named by the
#: smallest; a range including several, by the first in this order.
SPECIAL_RANGES: tuple[SpecialRange, ...] = (
    # IPv4
    _special(
        "0.0.0.0/32",
        "the unspecified address",
        "it stands for “no address” and never sends mail",
        "unspecified",
    ),
    _special(
        "255.255.255.255/32",
        "the broadcast address",
        "it reaches every machine on the local network and never sends mail from the internet",
        "broadcast",
    ),
    _special("10.0.0.0/8", "a private range (RFC 1918)", _PRIVATE, "private"),
    _special("172.16.0.0/12", "a private range (RFC 1918)", _PRIVATE, "private"),
    _special("192.168.0.0/16", "a private range (RFC 1918)", _PRIVATE, "private"),
    _special(
        "100.64.0.0/10",
        "the shared address space of carrier-grade NAT (RFC 6598)",
        "internet providers use it inside their own networks, and mail from the internet never comes from it",
        "cgnat",
    ),
    _special(
        "127.0.0.0/8",
        "the loopback range",
        "it is the receiving machine itself, never a sender on the internet",
        "loopback",
    ),
    _special(
        "169.254.0.0/16",
        "the link-local range",
        "machines give themselves these addresses when their network is not set up, and they never reach the internet",
        "link_local",
    ),
    _special(
        "224.0.0.0/4",
        "the multicast range",
        "a multicast address names a group of receivers, while mail always comes from one sender's own address",
        "multicast",
    ),
    _special(
        "240.0.0.0/4",
        "the reserved range 240.0.0.0/4",
        "it is set aside for future use and is not routed on the internet",
        "reserved",
    ),
    _special(
        "0.0.0.0/8", "the “this network” block (RFC 1122)", "it is never a sender's address", "reserved"
    ),
    _special(
        "198.18.0.0/15",
        "the benchmarking range (RFC 2544)",
        "it is set aside for testing network equipment in a lab and never sends mail",
        "benchmarking",
    ),
    _special("192.0.2.0/24", "a documentation range (RFC 5737)", _DOCUMENTATION, "documentation"),
    _special("198.51.100.0/24", "a documentation range (RFC 5737)", _DOCUMENTATION, "documentation"),
    _special("203.0.113.0/24", "a documentation range (RFC 5737)", _DOCUMENTATION, "documentation"),
    _special("192.0.0.0/24", "the block for IETF protocol assignments", _RESERVED, "reserved"),
    _special(
        "192.88.99.0/24",
        "the former 6to4 relay range (RFC 7526)",
        "it is withdrawn and sends no mail",
        "reserved",
    ),
    # IPv6
    _special(
        "::/128", "the unspecified address", "it stands for “no address” and never sends mail", "unspecified"
    ),
    _special(
        "::1/128",
        "the loopback address",
        "it is the receiving machine itself, never a sender on the internet",
        "loopback",
    ),
    _special(
        "::ffff:0:0/96",
        "the IPv4-mapped range",
        "each of its addresses stands for an IPv4 address",
        "ipv4_in_ipv6",
        "Enter the IPv4 address instead.",
    ),
    _special(
        "64:ff9b::/96",
        "the NAT64 prefix (RFC 6052)",
        "each of its addresses stands for an IPv4 address behind a translator",
        "ipv4_in_ipv6",
        "Enter the vendor's IPv4 ranges instead.",
    ),
    _special("100::/64", "the discard-only block (RFC 6666)", _RESERVED, "reserved"),
    _special(
        "2001::/32",
        "the Teredo tunnelling range (RFC 4380)",
        "its addresses are temporary tunnel ends of single computers, never a vendor's mail servers",
        "ipv4_in_ipv6",
        "Enter the vendor's IPv4 or native IPv6 ranges instead.",
    ),
    _special(
        "2001:2::/48",
        "the benchmarking range (RFC 5180)",
        "it is set aside for testing network equipment in a lab and never sends mail",
        "benchmarking",
    ),
    _special("2001:db8::/32", "the documentation range (RFC 3849)", _DOCUMENTATION, "documentation"),
    _special("3fff::/20", "the documentation range (RFC 9637)", _DOCUMENTATION, "documentation"),
    _special("2001::/23", "the block for IETF protocol assignments", _RESERVED, "reserved"),
    _special(
        "2002::/16",
        "the 6to4 range (RFC 3056)",
        "each of its addresses stands for an IPv4 address",
        "ipv4_in_ipv6",
        "Enter the IPv4 range instead.",
    ),
    _special(
        "fc00::/7",
        "a unique local range (RFC 4193)",
        "it is the IPv6 form of private addresses: used only inside an organisation's own network",
        "private",
    ),
    _special(
        "fe80::/10",
        "the link-local range",
        "such addresses work only on one local network and never reach the internet",
        "link_local",
    ),
    _special(
        "fec0::/10", "the former site-local range", "it is withdrawn and not used on the internet", "reserved"
    ),
    _special(
        "ff00::/8",
        "the multicast range",
        "a multicast address names a group of receivers, while mail always comes from one sender's own address",
        "multicast",
    ),
)

#: The only part of IPv6 handed out for the internet; the rest is reserved.
IPV6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_GLOBAL_UNICAST_FIRST = int(IPV6_GLOBAL_UNICAST.network_address)
_GLOBAL_UNICAST_LAST = int(IPV6_GLOBAL_UNICAST.broadcast_address)

#: The blocks that ``allow_documentation`` lets through the last check.
_DOCUMENTATION_NETWORKS = tuple(block.network for block in SPECIAL_RANGES if block.code == "documentation")

#: SPECIAL_RANGES by IP version, each with its first and last address as integers.
_SPECIAL_BOUNDS = {
    version: tuple(
        (block, int(block.network.network_address), int(block.network.broadcast_address))
        for block in SPECIAL_RANGES
        if block.network.version == version
    )
    for version in (4, 6)
}


def documentation_ranges_allowed() -> bool:
    """Whether the documentation ranges may be stored: only for tests and examples (a setting)."""
    return bool(getattr(settings, "HELPCENTER_ALLOW_DOCUMENTATION_RANGES", False))


def check_sender_range(network: Network, *, allow_documentation: bool | None = None) -> None:
    """RangeError if no real sender publishes ``network``, saying why and what to enter instead.

    Refused: the whole internet, anything wider than ``WIDEST_PREFIX``, and any
    range that is in or includes a block of ``SPECIAL_RANGES`` (private,
    loopback, multicast, reserved...). The documentation ranges are refused
    too unless ``allow_documentation`` (by default, the
    ``HELPCENTER_ALLOW_DOCUMENTATION_RANGES`` setting) lets tests and examples
    use them.
    """
    if allow_documentation is None:
        allow_documentation = documentation_ranges_allowed()
    # Named in each message rather than once ahead: writing it out was a fifth of the time of
    # this check, and an accepted range, most of a paste, needs no message.
    if network.prefixlen == 0:
        raise RangeError(
            f"{display(network)} is every IPv{network.version} address, the whole internet: allowlisting "
            f"it would let mail from anyone through. {_ADVICE}",
            "whole_internet",
        )
    widest = WIDEST_PREFIX[network.version]
    if network.prefixlen < widest:
        size = (
            f"{network.num_addresses:,}"
            if network.version == 4
            else f"2^{network.max_prefixlen - network.prefixlen}"
        )
        raise RangeError(
            f"{display(network)} is too wide: a /{network.prefixlen} holds {size} addresses, and no sender "
            f"publishes a range wider than /{widest} for IPv{network.version}. Check the prefix length "
            "after the / and enter the range as the vendor lists it.",
            "too_wide",
        )
    first, last = int(network.network_address), int(network.broadcast_address)
    # Compared as integers: ipaddress's overlaps() and subnet_of() made this check most of the
    # time of a 10,000-line paste.
    blocks = [
        block
        for block, block_first, block_last in _SPECIAL_BOUNDS[network.version]
        if first <= block_last
        and block_first <= last
        and not (allow_documentation and block.code == "documentation")
    ]
    inside = sorted(
        (block for block in blocks if network.subnet_of(block.network)), key=lambda b: -b.network.prefixlen
    )
    if inside:
        block = inside[0]
        if block.network == network:
            raise RangeError(f"{display(network)} is {block.what}: {block.why}. {block.advice}", block.code)
        raise RangeError(
            f"{display(network)} is in {block.network}, {block.what}: {block.why}. {block.advice}", block.code
        )
    if blocks:
        block = blocks[0]
        raise RangeError(
            f"{display(network)} includes {block.network}, {block.what}: {block.why}. {block.advice}",
            block.code,
        )
    if network.version == 6 and not (first >= _GLOBAL_UNICAST_FIRST and last <= _GLOBAL_UNICAST_LAST):
        raise RangeError(
            f"{display(network)} is outside {IPV6_GLOBAL_UNICAST}, the only part of IPv6 handed out for "
            f"the internet; the rest is reserved and sends no mail. {_ADVICE}",
            "reserved",
        )
    # The safety net, for a block the table does not name: the first and last
    # addresses must be public, except where they fall in an allowed
    # documentation range.
    allowed = _DOCUMENTATION_NETWORKS if allow_documentation else ()
    for end in (network.network_address, network.broadcast_address):
        if not end.is_global and not any(end in block for block in allowed if block.version == end.version):
            raise RangeError(
                f"{display(network)} is set aside for a special purpose (IANA special-purpose registry) and "
                f"is not a public internet address, so mail never comes from it. {_ADVICE}",
                "special",
            )


def parse_sender_range(text: str, *, allow_documentation: bool | None = None) -> Network:
    """``parse_network``, then ``check_sender_range``: a range a vendor can publish, or RangeError."""
    network = parse_network(text)
    check_sender_range(network, allow_documentation=allow_documentation)
    return network
