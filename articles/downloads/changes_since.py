"""The changes since a range file's ``syncToken``: the question behind ``/api/…/changes?since=``.

In the manner of Microsoft 365's endpoint web service, a client keeps the
``syncToken`` of the range file it imported and asks for every addition and
removal since. The token is a content hash (``range_files.sync_token``), not a
version number, and the site stores no history of tokens: the read path
writes nothing. So the token is resolved by recomputing it: the list as it
stood on each day a change took effect (the ranges in force that day) has
one token, and the first day whose token matches names the list the client
holds. The changes are then those that take effect after that day, upcoming
ones included. The first matching day, not the last: a range list that came
back to an earlier state (a range added, then retired) gives the same token
twice, and the sender addresses and domains, which the token does not cover,
may have changed in between; starting from the first day misses nothing.

A token is refused, with the address of the full list to fetch instead, when
it is not a token at all (400 ``malformed_token``), when no list this site
published had it (404 ``unknown_token``: never issued, or issued before a
range's tier or note was edited, which rewrites the ranges' past too), or
when its list was replaced more than ``KEPT_DAYS`` ago (410
``token_too_old``): what it would take to bring such a copy up to date is the
whole list anyway. The list a token names is the resource asked about: not
found, or gone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress

from django.utils import timezone

from articles.downloads.loaders import listed, well_formed
from articles.downloads.range_files import token_entry, token_of_entries
from articles.facts.changelog import Change
from articles.facts.models import IPRange, Vendor

#: How long after its list was replaced a token is still answered.
KEPT_DAYS = 366

TOKEN_RE = re.compile(r"\A[0-9a-f]{64}\Z")


@dataclass(frozen=True)
class ListState:
    """The range list as it stood from ``first_day`` to ``last_day`` (both included), and its token."""

    first_day: dt.date
    last_day: dt.date
    token: str


class SinceError(ValueError):
    """A ``since`` token this site cannot answer for; ``code`` and ``status`` are the API's."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def dated_ranges(vendors: dict[int, Vendor]) -> list[IPRange]:
    """Every range of these vendors, retired and announced ones too, with what a token covers: one query."""
    rows = IPRange.objects.filter(vendor_id__in=list(vendors)).only(
        "vendor_id", "network", "tier", "public_note", "added_on", "retired_on"
    )
    return well_formed(rows.order_by())


def _in_force(added_on: dt.date | None, retired_on: dt.date | None, day: dt.date) -> bool:
    # What ``FactQuerySet.active(on=day)`` decides in the database.
    return (added_on is None or added_on <= day) and (retired_on is None or retired_on > day)


class TokenHistory:
    """The sync token of these ranges' list as it stood on any day.

    Each range is written once (``range_files.token_entry``), in the files'
    order, and a day's token joins the entries in force on it: a list of R
    ranges over D days costs D joins of R short texts, not D files, and from
    one day to the next only the ranges whose dates fall between are looked at.
    """

    def __init__(self, ranges: Iterable[IPRange], vendors: dict[int, Vendor]) -> None:
        pairs = sorted(
            ((listed(r, vendors[r.vendor_id].slug), r.retired_on) for r in ranges),
            key=lambda pair: pair[0].sort_key,
        )
        # Per IP version (the file lists IPv4 and IPv6 apart): each range's entry and dates.
        self._texts: dict[int, list[str]] = {4: [], 6: []}
        self._dates: dict[int, list[tuple]] = {4: [], 6: []}
        for entry, retired_on in pairs:
            self._texts[entry.version].append(token_entry(entry))
            self._dates[entry.version].append((entry.added_on, retired_on))
        # When each range may come or go, in order of day.
        self._events = sorted(
            (day, version, index)
            for version, dates in self._dates.items()
            for index, span in enumerate(dates)
            for day in span
            if day is not None
        )

    def token_on(self, day: dt.date) -> str:
        return self.tokens_on([day])[0]

    def tokens_on(self, days: Sequence[dt.date]) -> list[str]:
        """The token of each day, for days in increasing order."""
        if not days:
            return []
        alive = {
            version: [_in_force(*span, days[0]) for span in dates] for version, dates in self._dates.items()
        }
        events = iter(self._events)
        pending = next(events, None)
        while pending is not None and pending[0] <= days[0]:
            pending = next(events, None)
        tokens = []
        for day in days:
            while pending is not None and pending[0] <= day:
                _, version, index = pending
                alive[version][index] = _in_force(*self._dates[version][index], day)
                pending = next(events, None)
            tokens.append(
                token_of_entries(compress(self._texts[4], alive[4]), compress(self._texts[6], alive[6]))
            )
        return tokens


def list_states(history: TokenHistory, changes: Iterable[Change], today: dt.date) -> list[ListState]:
    """The range lists published up to ``today``, oldest first; the last is today's.

    A list changes on each day a change takes effect, and stood as it was
    before the first one (empty, for a vendor's first ranges) until then.
    """
    days = sorted({change.effective_on for change in changes if change.effective_on <= today})
    starts = [days[0] - dt.timedelta(days=1), *days] if days else [today]
    ends = [start - dt.timedelta(days=1) for start in starts[1:]] + [today]
    tokens = history.tokens_on(starts)
    return [ListState(*state) for state in zip(starts, ends, tokens, strict=True)]


def resolve(
    since: str, states: Sequence[ListState], *, full_list: str, today: dt.date | None = None
) -> ListState:
    """The first list whose token is ``since``, or SinceError saying why there is none."""
    today = today or timezone.localdate()
    fetch = f"Fetch the full list from {full_list}, keep its syncToken and ask again with that."
    if not TOKEN_RE.match(since):
        raise SinceError(
            "malformed_token",
            400,
            "“since” must be the syncToken of a range file: 64 lowercase hexadecimal characters. " + fetch,
        )
    matching = [state for state in states if state.token == since]
    if not matching:
        raise SinceError(
            "unknown_token",
            404,
            "This site never published a list with that syncToken (or a range's tier or note "
            "was edited since). " + fetch,
        )
    recent = [state for state in matching if state.last_day >= today - dt.timedelta(days=KEPT_DAYS)]
    if not recent:
        raise SinceError(
            "token_too_old",
            410,
            f"The list with that syncToken was replaced on {matching[-1].last_day + dt.timedelta(days=1)}, "
            f"more than {KEPT_DAYS} days ago. " + fetch,
        )
    return recent[0]


def changes_after(found: Iterable[Change], state: ListState | None) -> list[Change]:
    """The changes a holder of ``state``'s list has not seen (all, without a state), oldest first."""
    kept = [change for change in found if state is None or change.effective_on > state.first_day]
    return sorted(kept, key=lambda change: (change.effective_on, change.vendor_id, change.sort_key))
