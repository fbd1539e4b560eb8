"""Writes that change several of a vendor's IP ranges at once, and their dry run.

In the manner of the HackSoft styleguide: keyword-only arguments, type hints,
one transaction per call and ``full_clean()`` before every ``save()``, so a
service refuses exactly what the admin's forms refuse. Rows are saved one by
one rather than in bulk on purpose: each save fires the signal that keeps
``Vendor.facts_changed_at`` current, in the same transaction.

Nothing here deletes a range. Retiring keeps the row with its retirement date;
from that day it leaves the published lists but stays on record.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.utils import timezone

from articles.facts import networks
from articles.facts.models import IPRange, Vendor
from articles.facts.networks import LineVerdict, Network

#: Verdicts whose line becomes a new range when saved.
ADDED = frozenset({"accepted", "normalised"})

STATUS_LABELS = {
    "accepted": "Accepted",
    "normalised": "Accepted, normalised",
    "duplicate": "Duplicate, skipped",
    "invalid": "Invalid",
}

# Beyond this many, an overlap flag names a few ranges and counts the rest.
_NAMED_IN_FLAG = 3


@dataclass(frozen=True)
class RangeLine:
    """One pasted line as staff see it: the verdict, in words, and its overlaps."""

    verdict: LineVerdict
    message: str
    overlaps: str

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.verdict.status]


@dataclass(frozen=True)
class RangeCheck:
    """The dry run of a paste: what each line would become, and the list after it."""

    lines: list[RangeLine]
    listed: list[Network]

    @property
    def ok(self) -> bool:
        return all(line.verdict.ok for line in self.lines)

    @property
    def invalid(self) -> list[RangeLine]:
        return [line for line in self.lines if not line.verdict.ok]

    @property
    def to_add(self) -> list[Network]:
        return [line.verdict.network for line in self.lines if line.status in ADDED]

    @property
    def duplicates(self) -> list[RangeLine]:
        return [line for line in self.lines if line.status == "duplicate"]

    @cached_property
    def after(self) -> list[Network]:
        """The vendor's published ranges once the paste is saved."""
        return self.listed + self.to_add

    @cached_property
    def shortest(self) -> list[Network]:
        return shortest_equivalent(self.after)

    @property
    def can_be_shorter(self) -> bool:
        return len(self.shortest) < len(self.after)


def listed_networks(vendor: Vendor | int) -> list[Network]:
    """The ranges of a vendor (or vendor id) in the published lists today: one query."""
    texts = IPRange.objects.active().filter(vendor=vendor).order_by().values_list("network", flat=True)
    return list(dict.fromkeys(ipaddress.ip_network(text) for text in texts))


def shortest_equivalent(items: Iterable[Network]) -> list[Network]:
    """The shortest list of CIDR ranges covering exactly the same addresses."""
    items = list(items)
    shortest: list[Network] = []
    for version in (4, 6):
        shortest.extend(ipaddress.collapse_addresses(n for n in items if n.version == version))
    return shortest


def describe_overlaps(
    items: Iterable[Network], *, where: Mapping[Network, str] | None = None
) -> dict[Network, str]:
    """For each network that overlaps another, a phrase such as "inside 3.93.157.0/24".

    Two CIDR ranges either are disjoint or one contains the other, so every
    overlap is an "inside" or a "contains". ``where`` adds where the other
    range comes from, e.g. " (line 3)". Overlaps are flagged, never refused:
    a vendor may list a single address in its primary tier and the range
    around it in the additional tier on purpose.
    """
    where = where or {}
    inside: dict[Network, list[Network]] = defaultdict(list)
    contains: dict[Network, list[Network]] = defaultdict(list)
    for outer, inner in networks.overlaps(list(dict.fromkeys(items))):
        inside[inner].append(outer)
        contains[outer].append(inner)
    phrases: dict[Network, str] = {}
    for network in inside.keys() | contains.keys():
        parts = []
        if inside[network]:
            # The closest container first: it is the one staff most likely meant.
            closest_first = sorted(inside[network], key=lambda n: -n.prefixlen)
            parts.append("inside " + _name_some(closest_first, where))
        if contains[network]:
            parts.append("contains " + _name_some(contains[network], where))
        phrases[network] = "; ".join(parts)
    return phrases


def _name_some(items: list[Network], where: Mapping[Network, str]) -> str:
    named = [f"{n}{where.get(n, '')}" for n in items[:_NAMED_IN_FLAG]]
    rest = len(items) - len(named)
    if rest:
        return ", ".join(named) + f" and {rest} more"
    return ", ".join(named)


def vendor_ranges_check(*, vendor: Vendor, text: str) -> RangeCheck:
    """What pasting ``text`` would do, without saving anything: one query."""
    listed = listed_networks(vendor)
    verdicts = networks.judge_lines(text, {network.with_prefixlen for network in listed})
    listed_set = set(listed)
    # judge_lines marks every repeat a duplicate, so each new network has one line.
    first_line = {verdict.network: verdict.line_number for verdict in verdicts if verdict.status in ADDED}
    where = {network: " (already listed)" for network in listed}
    where.update({network: f" (line {number})" for network, number in first_line.items()})
    flags = describe_overlaps([*listed, *first_line], where=where)
    lines = []
    for verdict in verdicts:
        message = verdict.message
        overlaps = ""
        if verdict.status == "duplicate":
            if verdict.network in listed_set:
                message = f"{verdict.network} is already listed for {vendor.name}; this line is skipped."
            else:
                message = (
                    f"{verdict.network} repeats line {first_line[verdict.network]}; this line is skipped."
                )
        elif verdict.status in ADDED:
            overlaps = flags.get(verdict.network, "")
        lines.append(RangeLine(verdict=verdict, message=message, overlaps=overlaps))
    return RangeCheck(lines=lines, listed=listed)


@transaction.atomic
def vendor_ranges_add(*, vendor: Vendor, text: str, tier: str, note: str = "") -> list[LineVerdict]:
    """Add every range pasted in ``text`` to ``vendor``, all together or not at all.

    Returns one verdict per non-blank line. If any line is invalid nothing is
    saved, and the verdicts say why; duplicates (of a listed range or of an
    earlier line) are skipped. Each new range gets ``tier`` and ``note``.
    """
    # Lock the vendor row so two people pasting at once cannot both add a
    # range that neither saw as listed (PostgreSQL; SQLite serialises writes).
    Vendor.objects.select_for_update().filter(pk=vendor.pk).first()
    check = vendor_ranges_check(vendor=vendor, text=text)
    verdicts = [line.verdict for line in check.lines]
    if not check.ok:
        return verdicts
    for network in check.to_add:
        ip_range = IPRange(vendor=vendor, network=network.with_prefixlen, tier=tier, note=note)
        ip_range.full_clean()
        ip_range.save()
    return verdicts


@transaction.atomic
def ip_ranges_retire(*, ranges: Iterable[IPRange], on: dt.date | None = None) -> list[IPRange]:
    """Retire ``ranges`` as of ``on`` (today): kept on record, gone from the published lists.

    Ranges already retired on or before that day are left as they are.
    Returns the ranges this call retired.
    """
    on = on or timezone.localdate()
    retired = []
    for ip_range in ranges:
        if ip_range.retired_on is not None and ip_range.retired_on <= on:
            continue
        ip_range.retired_on = on
        ip_range.full_clean()
        ip_range.save()
        retired.append(ip_range)
    return retired
