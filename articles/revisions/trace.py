"""The trace of each fact: when and by whom a sender address, domain or IP range was added, changed, retired.

Derived from the revisions, not stored again: every write to a vendor's facts
keeps one revision of the vendor with all its addresses, domains and ranges
(``registry.py``, ``services/changes.py``), so a fact's versions, in order,
say when it first appeared, when its fields last differed from the version
before, and which revision set its retirement date. A fact stored before
revisions were kept has only its ``added_on`` to tell: the trace says so.

``vendor_history()`` and ``traces()`` read the versions of many facts at
once: two queries however many facts and revisions there are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from reversion.models import Revision, Version

from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor

Fact = SenderAddress | SenderDomain | IPRange
FACT_MODELS = (SenderAddress, SenderDomain, IPRange)

#: A vendor's first revision this soon after the vendor was created is the one that created it.
VENDOR_SAVED_WITHIN = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Event:
    """One step of a fact's life: the day of the revision and who saved it (None if nobody signed in)."""

    on: dt.date
    by: str | None

    def __str__(self) -> str:
        day = format_day(self.on)
        return f"{day} by {self.by}" if self.by else day


@dataclass(frozen=True)
class Trace:
    """What the revisions say about one fact."""

    added_on: dt.date
    retired_on: dt.date | None
    added: Event | None = None  # None: stored before revisions were kept
    changed: Event | None = None  # the last revision that changed it, if any after it was added
    retired: Event | None = None  # the revision that set the retirement date it has now

    def __str__(self) -> str:
        if self.added is None:
            parts = [f"Added on {format_day(self.added_on)} (before revisions were kept)"]
        else:
            parts = [f"Added {self.added}"]
        if self.changed is not None:
            parts.append(f"changed {self.changed}")
        if self.retired_on is not None:
            today = timezone.localdate()
            if self.retired is not None:
                parts.append(f"retired {self.retired}")
            if self.retired_on > today:
                parts.append(f"retires on {format_day(self.retired_on)}")
            elif self.retired is None or self.retired.on != self.retired_on:
                parts.append(f"out of the lists since {format_day(self.retired_on)}")
        return " · ".join(parts)


def format_day(day: dt.date) -> str:
    """A day as support staff read it: 3 Dec 2026."""
    return f"{day.day} {day:%b %Y}"


class History:
    """The versions of some facts and of their vendors' first revisions, loaded once; a ``Trace`` per fact."""

    def __init__(self, versions: Iterable[Version], first_kept: dict[int, _FirstKept]):
        self._versions: dict[tuple[int, str], list[Version]] = defaultdict(list)
        for version in versions:
            self._versions[version.content_type_id, version.object_id].append(version)
        self._first_kept = first_kept

    def trace(self, fact: Fact) -> Trace:
        """What the revisions say about ``fact``, a row loaded by the caller: no query."""
        content_type = ContentType.objects.get_for_model(type(fact))
        versions = self._versions.get((content_type.pk, str(fact.pk)), [])
        return _trace(fact, versions, self._first_kept.get(fact.vendor_id))


def vendor_history(vendor_id: int, *, models: Iterable[type[Fact]] = FACT_MODELS) -> History:
    """The history of every address, domain and range of a vendor (or of ``models`` alone): two queries, however many.

    The vendor page of a vendor with thousands of ranges leaves them out: each of its
    revisions keeps every range, and that page does not show them (admin/big_vendors.py).
    """
    content_types = ContentType.objects.get_for_models(*models).values()
    versions = _ordered(
        Version.objects.filter(
            content_type__in=content_types,
            revision__version__content_type=ContentType.objects.get_for_model(Vendor),
            revision__version__object_id=str(vendor_id),
        )
    )
    return History(versions, _first_vendor_revisions({vendor_id}))


def traces(model: type[Fact], facts: Iterable[Fact]) -> dict[int, Trace]:
    """The trace of each fact, by pk: two queries, whatever the number of facts and revisions."""
    facts = [fact for fact in facts if fact.pk is not None]
    if not facts:
        return {}
    versions = _ordered(Version.objects.get_for_model(model).filter(object_id__in=[str(f.pk) for f in facts]))
    history = History(versions, _first_vendor_revisions({fact.vendor_id for fact in facts}))
    return {fact.pk: history.trace(fact) for fact in facts}


def _ordered(versions):
    return versions.select_related("revision__user").order_by("revision__date_created", "revision_id")


@dataclass(frozen=True)
class _FirstKept:
    """A vendor's first revision, and whether the vendor existed before it (before revisions were kept)."""

    revision_id: int
    vendor_older: bool


def _first_vendor_revisions(vendor_ids: set[int]) -> dict[int, _FirstKept]:
    """The first revision kept of each vendor, by vendor pk: one query."""
    first = (
        Version.objects.get_for_model(Vendor)
        .filter(object_id=Cast(OuterRef("pk"), CharField()))
        .order_by("revision__date_created", "revision_id")
    )
    rows = Vendor.objects.filter(pk__in=vendor_ids).annotate(
        first_revision=Subquery(first.values("revision_id")[:1]),
        first_kept_at=Subquery(first.values("revision__date_created")[:1]),
    )
    return {
        pk: _FirstKept(revision_id, created_at < kept_at - VENDOR_SAVED_WITHIN)
        for pk, created_at, revision_id, kept_at in rows.values_list(
            "pk", "created_at", "first_revision", "first_kept_at"
        )
        if revision_id is not None
    }


def _trace(fact: Fact, versions: list[Version], first_kept: _FirstKept | None) -> Trace:
    trace = {"added_on": fact.added_on, "retired_on": fact.retired_on}
    if not versions:
        return Trace(**trace)
    first = versions[0]
    # A vendor that existed before revisions were kept has all its facts in its
    # first revision: one dated earlier than that revision was there before it.
    predates = (
        first_kept is not None
        and first.revision_id == first_kept.revision_id
        and first_kept.vendor_older
        and fact.added_on < _day(first.revision)
    )
    if not predates:
        trace["added"] = _event(first.revision)
    previous = first.field_dict
    changed = retired = None
    if previous.get("retired_on") is not None and not predates:
        retired = first.revision
    for version in versions[1:]:
        fields = version.field_dict
        if fields != previous:
            changed = version.revision
            if fields.get("retired_on") != previous.get("retired_on") and fields.get("retired_on"):
                retired = version.revision
        previous = fields
    if changed is not None and changed != retired:
        trace["changed"] = _event(changed)
    if retired is not None and fact.retired_on is not None:
        trace["retired"] = _event(retired)
    return Trace(**trace)


def _day(revision: Revision) -> dt.date:
    return timezone.localdate(revision.date_created)


def _event(revision: Revision) -> Event:
    user = revision.user
    return Event(on=_day(revision), by=user.get_username() if user is not None else None)
