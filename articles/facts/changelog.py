"""A vendor's change log, derived from its facts' dates rather than written by hand.

Every sender address, sender domain and IP range carries ``added_on`` and, once
it leaves the lists, ``retired_on`` (``models.FactLifeSpan``). Each of those
dates is a change: the fact was added, or removed, on that day. Grouped by
vendor and day they are the change sets that the changes page, the Atom feeds,
the changes API, the mails and the webhooks all publish; a date still to come
is an announced (upcoming) change. Nothing here writes, and the log costs three
queries for any number of vendors and facts.

What the log cannot show is a fact deleted outright; a published vendor's facts
are retired instead (see ``admin/facts.py``), so its log is complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby

from django.utils import timezone

from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor

ADDED = "added"
REMOVED = "removed"
KINDS = ("range", "address", "domain")
KIND_LABELS = {"range": "IP range", "address": "sender address", "domain": "sender domain"}


@dataclass(frozen=True)
class Change:
    """One fact added or removed on one day.

    ``key`` names the change for good (feed entries, API items and deduplicated
    notifications use it): the fact's row and whether it came or went.
    """

    vendor_id: int
    kind: str  # "range", "address" or "domain"
    action: str  # ADDED or REMOVED
    value: str  # the network in CIDR form, the address, or the domain as readers see it
    effective_on: dt.date
    fact_id: int
    tier: str = ""
    note: str = ""  # a range's public note; never the staff note

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.fact_id}:{self.action}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def tier_label(self) -> str:
        """The range's tier in readers' words ("Primary"); empty for an address or a domain."""
        return IPRange.Tier(self.tier).label if self.tier in IPRange.Tier.values else ""

    def is_upcoming(self, today: dt.date | None = None) -> bool:
        return self.effective_on > (today or timezone.localdate())

    @property
    def sort_key(self) -> tuple:
        return (-self.effective_on.toordinal(), self.action != ADDED, KINDS.index(self.kind), self.value)


@dataclass
class ChangeSet:
    """A vendor's changes that take effect on one day."""

    vendor: Vendor
    effective_on: dt.date
    changes: list[Change] = field(default_factory=list)

    def is_upcoming(self, today: dt.date | None = None) -> bool:
        return self.effective_on > (today or timezone.localdate())

    @property
    def key(self) -> str:
        """Stable for the vendor and day, whatever is added to the set later."""
        return f"{self.vendor.slug}/{self.effective_on.isoformat()}"

    @property
    def added(self) -> list[Change]:
        return [change for change in self.changes if change.action == ADDED]

    @property
    def removed(self) -> list[Change]:
        return [change for change in self.changes if change.action == REMOVED]


def _life_changes(kind: str, row, value: str, **extra) -> Iterable[Change]:
    common = {"vendor_id": row.vendor_id, "kind": kind, "value": value, "fact_id": row.pk, **extra}
    if row.added_on is not None:
        yield Change(action=ADDED, effective_on=row.added_on, **common)
    if row.retired_on is not None:
        yield Change(action=REMOVED, effective_on=row.retired_on, **common)


def changes(vendor_ids: Iterable[int] | None = None, *, since: dt.date | None = None) -> list[Change]:
    """Every change of these vendors (all, if None) on or after ``since``, newest first; three queries."""
    ids = None if vendor_ids is None else list(vendor_ids)
    found: list[Change] = []
    for model in (IPRange, SenderAddress, SenderDomain):
        rows = model.objects.all()
        if ids is not None:
            rows = rows.filter(vendor_id__in=ids)
        if model is IPRange:
            rows = rows.only("vendor_id", "network", "tier", "public_note", "added_on", "retired_on")
        for row in rows.order_by():
            if isinstance(row, IPRange):
                found += _life_changes("range", row, row.network, tier=row.tier, note=row.public_note)
            elif isinstance(row, SenderAddress):
                found += _life_changes("address", row, row.address)
            else:
                found += _life_changes("domain", row, row.display_name)
    if since is not None:
        found = [change for change in found if change.effective_on >= since]
    return sorted(found, key=lambda change: change.sort_key)


def change_sets(found: Iterable[Change], vendors: dict[int, Vendor]) -> list[ChangeSet]:
    """``found`` grouped by day and vendor, newest day first; vendors not in ``vendors`` are left out."""
    ordered = sorted(
        (change for change in found if change.vendor_id in vendors),
        key=lambda change: (
            -change.effective_on.toordinal(),
            vendors[change.vendor_id].name,
            change.sort_key,
        ),
    )
    return [
        ChangeSet(vendors[vendor_id], day, list(group))
        for (day, vendor_id), group in groupby(
            ordered, key=lambda change: (change.effective_on, change.vendor_id)
        )
    ]
