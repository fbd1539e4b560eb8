"""Writes to a vendor's IP ranges: pasting many at once (and its dry run), retiring.

In the manner of the HackSoft styleguide: keyword-only arguments, type hints,
one transaction per call and ``full_clean()`` before every ``save()``, so a
service refuses exactly what the admin's forms refuse. Each call says what it
sets off through ``changes.facts_changed``: the vendor's "facts changed" time
and the search documents of its articles, once per call (or once per request
inside ``changes.recording()``), however many ranges it writes.

Nothing here deletes a range. Retiring keeps the row with its retirement date;
from that day it leaves the published lists but stays on record.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles.facts.models import IPRange, Vendor
from articles.facts.networks import Network
from articles.facts.ranges import ADDED, LineVerdict, RangeCheck, RangeLine, describe_overlaps, judge_lines
from articles.revisions.trace import format_day
from articles.services import changes


def vendor_ranges_check(
    *,
    vendor: Vendor,
    text: str,
    progress: Callable[[int], None] | None = None,
    earlier: RangeCheck | None = None,
) -> RangeCheck:
    """What pasting ``text`` would do, without saving anything: one query (``progress``: see judge_lines).

    A range announced for a later day is not listed yet, but it is stored (and
    the database allows one unretired row per network): pasting it again is a
    duplicate, said with its day, not a database error.

    ``earlier`` is a check made before, such as the worker's (``range_pastes``):
    it is returned as it is if it judged the same text against the same stored
    ranges, since judging 10,000 lines again takes half a second.
    """
    listed, announced = _listed_and_announced(vendor)
    basis = (text, frozenset(listed), frozenset(announced.items()))
    if earlier is not None and earlier.basis == basis:
        return earlier
    existing = {network.with_prefixlen for network in [*listed, *announced]}
    verdicts = judge_lines(text, existing, progress=progress)
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
            if verdict.network in announced:
                message = (
                    f"{verdict.network} is already announced for {vendor.name} from "
                    f"{format_day(announced[verdict.network])}; this line is skipped."
                )
            elif verdict.network in listed_set:
                message = f"{verdict.network} is already listed for {vendor.name}; this line is skipped."
            else:
                message = (
                    f"{verdict.network} repeats line {first_line[verdict.network]}; this line is skipped."
                )
        elif verdict.status in ADDED:
            overlaps = flags.get(verdict.network, "")
        lines.append(RangeLine(verdict=verdict, message=message, overlaps=overlaps))
    return RangeCheck(lines=lines, listed=listed, basis=basis)


def _listed_and_announced(vendor: Vendor) -> tuple[list[Network], dict[Network, dt.date]]:
    """The vendor's ranges listed today (``listed_networks``), and those announced with their day: one query."""
    today = timezone.localdate()
    rows = (
        IPRange.objects.filter(vendor=vendor)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=today))
        .order_by()
        .values_list("network", "added_on")
    )
    listed: dict[Network, None] = {}
    announced: dict[Network, dt.date] = {}
    for text, added_on in rows:
        network = ipaddress.ip_network(text)
        if added_on > today:
            announced[network] = added_on
        else:
            listed[network] = None
    return list(listed), announced


@transaction.atomic
def vendor_ranges_add(
    *,
    vendor: Vendor,
    text: str,
    tier: str,
    public_note: str = "",
    staff_note: str = "",
    checked: RangeCheck | None = None,
) -> list[LineVerdict]:
    """Add every range pasted in ``text`` to ``vendor``, all together or not at all.

    Returns one verdict per non-blank line. If any line is invalid nothing is
    saved, and the verdicts say why; duplicates (of a listed range or of an
    earlier line) are skipped. Each new range gets ``tier`` and both notes.
    The lines are judged under the vendor's lock; ``checked``, the caller's
    check of ``text`` made before it, stands if the vendor's ranges have not
    changed since (``vendor_ranges_check``'s ``earlier``).

    The new rows are written with ``bulk_create``, ``BULK_BATCH`` to an INSERT:
    10,000 ranges are a few statements, not 10,000 (``save()`` one by one took
    most of gunicorn's 30 s). Each row is still validated as ``full_clean()``
    validates it; the one revision of the call keeps the vendor with all its
    ranges (``changes.recording()``), one serialised row per range.
    """
    # Lock the vendor row so two people pasting at once cannot both add a
    # range that neither saw as listed (PostgreSQL; SQLite serialises writes).
    Vendor.objects.select_for_update().filter(pk=vendor.pk).first()
    check = vendor_ranges_check(vendor=vendor, text=text, earlier=checked)
    verdicts = [line.verdict for line in check.lines]
    if not check.ok:
        return verdicts
    today = timezone.localdate()  # the field's default, asked once rather than for each of 10,000 rows
    rows = [_new_range(vendor, network, tier, public_note, staff_note, today) for network in check.to_add]
    if rows:
        _validate(rows)
        IPRange.objects.bulk_create(rows, batch_size=BULK_BATCH)
        changes.facts_changed(vendor.pk)
    return verdicts


#: Rows per INSERT of a paste: well under SQLite's 32,766 parameters at 10 columns a row.
BULK_BATCH = 1000


def _new_range(
    vendor: Vendor, network: Network, tier: str, public_note: str, staff_note: str, added_on: dt.date
) -> IPRange:
    ip_range = IPRange(
        vendor=vendor,
        network=network.with_prefixlen,
        tier=tier,
        public_note=public_note,
        staff_note=staff_note,
        added_on=added_on,
    )
    ip_range.derive_lookup_fields(network)  # what save() does; bulk_create does not call save()
    return ip_range


def _validate(rows: list[IPRange]) -> None:
    """``full_clean()`` every row, as saving each would; the per-row lookups are left to the check.

    The vendor is the row locked above, and the check has already left out
    every listed range and repeated line, so the lookups that excluding the
    vendor skips (it exists; the range is not listed yet) are known to pass;
    the database's unique index still guards them.
    """
    for ip_range in rows:
        ip_range.full_clean(exclude=["vendor"])


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
        changes.written(ip_range)
        retired.append(ip_range)
    return retired
