"""The published facts, as plain data: what every download and the API are written from.

``Facts`` is one vendor's sender addresses, domains and ranges in force;
``ListedRange`` is one range as the downloads list it. The writers
(``range_files``, ``contact``, ``snippets``) take these and never a model, so
they are tested without a database and can never disagree: each takes the
same ranges in the same order (``sort_ranges``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from articles.facts.networks import Network, network_order


@dataclass(frozen=True)
class ListedRange:
    """One published IP range, as every download lists it."""

    vendor: str  # the vendor's slug
    network: Network
    tier: str
    note: str = ""
    added_on: dt.date | None = None

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


def sort_ranges(ranges: Iterable[ListedRange]) -> tuple[ListedRange, ...]:
    """The one order every output uses: vendor, IP version, address, prefix length."""
    return tuple(sorted(ranges, key=lambda listed: listed.sort_key))


def unique_networks(ranges: Iterable[ListedRange]) -> list[Network]:
    """Each network once, IPv4 before IPv6, in address order."""
    return sorted({listed.network for listed in ranges}, key=network_order)


def iso_utc(moment: dt.datetime) -> str:
    """A time as every download and API answer writes it: ISO 8601 in UTC, to the second."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
