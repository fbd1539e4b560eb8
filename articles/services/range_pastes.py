"""A big paste of ranges, saved by the worker with its progress kept on a ``RangePaste`` row.

The admin's paste tool saves up to ``BACKGROUND_LINES`` lines in the request
(``ranges.vendor_ranges_add``, a few seconds at most). A longer paste is kept
as a ``RangePaste`` and saved by the worker (``tasks.range_pastes``), so that
no request comes near gunicorn's 30 s worker timeout, however long the list.

The contract is the paste tool's: every line is judged by the same rules,
each refused line is named with its number and reason, and nothing is saved
if any line is refused. The work has two steps, each reported on the row
in its own short transaction, so the progress page sees it:

1. checking, outside the saving transaction: the lines are judged
   (``ranges.vendor_ranges_check``) and ``lines_checked`` moves on every
   thousand lines; a paste with a refused line stops here;
2. saving: ``ranges.vendor_ranges_add`` takes the vendor's lock and reads its
   ranges again: if one was added or retired meanwhile, the lines are judged
   again (a range pasted meanwhile is then a duplicate), else the check of
   step 1 stands; the new ranges are written together, as one revision in the
   requester's name.
"""

from __future__ import annotations

import reversion
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone

from articles.facts.models import IPRange, Vendor
from articles.facts.ranges import ADDED, LineVerdict
from articles.services import changes
from articles.services.models import RangePaste
from articles.services.ranges import vendor_ranges_add, vendor_ranges_check

#: Above this many lines a paste is saved by the worker. 2,000 lines save in
#: about a second in the request; the limit leaves room for a slow day.
BACKGROUND_LINES = 2000

#: Networks named in the admin log's message for a paste; the rest are counted.
NAMED_IN_LOG = 20


def count_lines(text: str) -> int:
    """The lines that the paste tool judges (blank lines are ignored)."""
    return sum(1 for line in text.splitlines() if line.strip())


def range_paste_start(
    *, vendor: Vendor, text: str, tier: str, public_note: str = "", staff_note: str = "", user
) -> RangePaste:
    """Keep a paste for the worker; the caller enqueues ``tasks.range_pastes`` on commit."""
    return RangePaste.objects.create(
        vendor=vendor,
        requested_by=user,
        text=text,
        tier=tier,
        public_note=public_note,
        staff_note=staff_note,
        lines_total=count_lines(text),
    )


def range_paste_run(paste_id: int) -> RangePaste | None:
    """Check, then save, a kept paste; its row says how it ended. None if it is gone or already run."""
    # Claimed by one UPDATE: a task run twice (a retried or duplicated message) runs once.
    claimed = RangePaste.objects.filter(pk=paste_id, state=RangePaste.State.QUEUED).update(
        state=RangePaste.State.CHECKING
    )
    if not claimed:
        return None
    paste = RangePaste.objects.select_related("vendor", "requested_by").get(pk=paste_id)
    try:
        _run(paste)
    except Exception:
        _finish(paste, RangePaste.State.FAILED)
        raise
    return paste


def _run(paste: RangePaste) -> None:
    def progress(lines: int) -> None:
        RangePaste.objects.filter(pk=paste.pk).update(lines_checked=lines)

    check = vendor_ranges_check(vendor=paste.vendor, text=paste.text, progress=progress)
    if not check.ok:
        _refuse(paste, [line.verdict for line in check.lines])
        return
    paste.state = RangePaste.State.SAVING
    paste.lines_checked = paste.lines_total
    paste.save(update_fields=["state", "lines_checked"])
    with changes.recording():
        if paste.requested_by is not None:
            reversion.set_user(paste.requested_by)
        verdicts = vendor_ranges_add(
            vendor=paste.vendor,
            text=paste.text,
            tier=paste.tier,
            public_note=paste.public_note,
            staff_note=paste.staff_note,
            checked=check,
        )
        if all(verdict.ok for verdict in verdicts):
            paste.added = sum(1 for v in verdicts if v.status in ADDED)
            paste.skipped = sum(1 for v in verdicts if v.status == "duplicate")
            message = log_message(verdicts)
            reversion.set_comment(f"Pasted ranges: {message}")
            if paste.requested_by is not None and paste.added:
                LogEntry.objects.log_actions(
                    paste.requested_by.pk, [paste.vendor], CHANGE, message, single_object=True
                )
            paste.text = ""  # it has done its work: what was added is in the ranges and the revision
            _finish(paste, RangePaste.State.SAVED)
            return
    # Refused under the lock (nothing was written): a line can only have become a duplicate
    # meanwhile, which is not a refusal, so this is a safety net rather than a path.
    _refuse(paste, verdicts)


def log_message(verdicts: list[LineVerdict]) -> str:
    """The admin log's words for a paste: the first networks added, the rest counted."""
    added = [v.network.with_prefixlen for v in verdicts if v.status in ADDED]
    named = ", ".join(added[:NAMED_IN_LOG])
    rest = len(added) - NAMED_IN_LOG
    name = IPRange._meta.verbose_name_plural if len(added) != 1 else IPRange._meta.verbose_name
    return f"Added {len(added)} {name}: {named}" + (f" and {rest} more." if rest > 0 else ".")


def _refuse(paste: RangePaste, verdicts: list[LineVerdict]) -> None:
    paste.refused_lines = [
        {"line": v.line_number, "text": v.text, "message": v.message} for v in verdicts if not v.ok
    ]
    _finish(paste, RangePaste.State.REFUSED)


def _finish(paste: RangePaste, state: str) -> None:
    paste.state = state
    paste.finished_at = timezone.now()
    paste.save()
