"""The published facts, as plain data: what every download and the API are written from.

``Facts`` is one vendor's sender addresses, domains and ranges in force;
``ListedRange`` is one range as the downloads list it. The writers
(``range_files``, ``contact``, ``snippets``) take these and never a model, so
they are tested without a database and can never disagree: each takes the
same ranges in the same order (``sort_ranges``), and the same sender addresses
and domains (``Facts.plain_senders``, ``Facts.plain_domains``: those that
``safe_text`` finds plain; the rest are left out of every file).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from articles.downloads.safe_text import plain_address, plain_domain
from articles.facts.networks import Network, network_order


@dataclass(frozen=True)
class ListedRange:
    """One published IP range, as every download lists it."""

    vendor: str  # the vendor's slug
    network: Network
    tier: str
    note: str = ""  # the range's public note: a staff note is never published
    added_on: dt.date | None = None

    def __post_init__(self) -> None:
        # Writers put the network into files as it formats itself; text never passes for one.
        if not isinstance(self.network, ipaddress.IPv4Network | ipaddress.IPv6Network):
            raise TypeError(f"A listed range needs an ipaddress network, not {type(self.network).__name__}.")

    @property
    def version(self) -> int:
        return self.network.version

    @property
    def sort_key(self) -> tuple:
        return (
            self.vendor,
            *network_order(self.network),
            self.tier,
            self.added_on or dt.date.min,
            self.note,
        )


@dataclass(frozen=True)
class Sender:
    address: str
    used_for: str = ""


@dataclass(frozen=True)
class Facts:
    """One vendor's published facts, in the order every output lists them."""

    id: int
    slug: str
    name: str
    changed_at: dt.datetime
    website: str = ""
    addresses: tuple[Sender, ...] = ()
    domains: tuple[str, ...] = ()  # canonical (A-label) form
    ranges: tuple[ListedRange, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "ranges", sort_ranges(self.ranges))

    @property
    def plain_senders(self) -> tuple[Sender, ...]:
        """The sender addresses a file may hold, in order; the others are left out of every file."""
        return tuple(sender for sender in self.addresses if plain_address(sender.address))

    @property
    def plain_domains(self) -> tuple[str, ...]:
        """The sender domains a file may hold, in order; the others are left out of every file."""
        return tuple(domain for domain in self.domains if plain_domain(domain))

    @property
    def left_out(self) -> int:
        """How many sender addresses and domains no file holds, because they are not plain."""
        return len(self.addresses) - len(self.plain_senders) + len(self.domains) - len(self.plain_domains)


def sort_ranges(ranges: Iterable[ListedRange]) -> tuple[ListedRange, ...]:
    """The one order every output uses: vendor, IP version, address, prefix length."""
    return tuple(sorted(ranges, key=lambda listed: listed.sort_key))


def unique_networks(ranges: Iterable[ListedRange]) -> list[Network]:
    """Each network once, IPv4 before IPv6, in address order."""
    return sorted({listed.network for listed in ranges}, key=network_order)


def iso_utc(moment: dt.datetime) -> str:
    """A time as every download and API answer writes it: ISO 8601 in UTC, to the second."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
