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
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from articles.facts.models import IPRange, Vendor
from articles.facts.ranges import ADDED, LineVerdict, RangeCheck, RangeLine, describe_overlaps, judge_lines
from articles.facts.selectors import listed_networks
from articles.services import changes


def vendor_ranges_check(*, vendor: Vendor, text: str) -> RangeCheck:
    """What pasting ``text`` would do, without saving anything: one query."""
    listed = listed_networks(vendor)
    verdicts = judge_lines(text, {network.with_prefixlen for network in listed})
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
def vendor_ranges_add(
    *, vendor: Vendor, text: str, tier: str, public_note: str = "", staff_note: str = ""
) -> list[LineVerdict]:
    """Add every range pasted in ``text`` to ``vendor``, all together or not at all.

    Returns one verdict per non-blank line. If any line is invalid nothing is
    saved, and the verdicts say why; duplicates (of a listed range or of an
    earlier line) are skipped. Each new range gets ``tier`` and both notes.
    """
    # Lock the vendor row so two people pasting at once cannot both add a
    # range that neither saw as listed (PostgreSQL; SQLite serialises writes).
    Vendor.objects.select_for_update().filter(pk=vendor.pk).first()
    check = vendor_ranges_check(vendor=vendor, text=text)
    verdicts = [line.verdict for line in check.lines]
    if not check.ok:
        return verdicts
    for network in check.to_add:
        ip_range = IPRange(
            vendor=vendor,
            network=network.with_prefixlen,
            tier=tier,
            public_note=public_note,
            staff_note=staff_note,
        )
        # The vendor is the row locked above, and the check has already left out
        # every listed range and repeated line, so the per-row lookups that
        # excluding the vendor skips (it exists; the range is not listed yet)
        # are known to pass; the database's unique index still guards them.
        ip_range.full_clean(exclude=["vendor"])
        ip_range.save()
    if check.to_add:
        changes.facts_changed(vendor.pk)
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
        changes.written(ip_range)
        retired.append(ip_range)
    return retired
