"""When periodic tasks run: once a day, at a wall-clock time in the site's time zone.

huey's scheduler asks each periodic task once a minute whether it is due,
passing that minute in UTC (huey keeps time in UTC). ``crontab()`` would
read it as a UTC time; ``DailyAt`` reads it in ``settings.TIME_ZONE``, so a
task set for 03:17 runs at 03:17 on the site's clocks in winter and summer.
On the day the clocks go forward past that time it runs when the clocks
show the time plus the gap (02:30 becomes 03:30); on the day they go back
it runs at the first of the two 02:30s, never twice.

Every worker runs a scheduler, and each enqueues a due task, so with
several workers a periodic task is enqueued several times. ``daily_task``
lets only the first run of each day through: it claims the day in the
worker's shared store (Redis or the SQLite file) with an atomic "put if
empty", and the other copies see the claim and do nothing. Web servers
never schedule anything; they only enqueue.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from huey import Huey
from huey.contrib.djhuey import HUEY, close_db
from huey.exceptions import TaskLockedException

logger = logging.getLogger(__name__)


class DailyAt:
    """A huey schedule: due in the minute the site's clocks show ``hour:minute``, once a day."""

    def __init__(self, hour: int, minute: int = 0) -> None:
        self.time = dt.time(hour, minute)

    def __repr__(self) -> str:
        return f"DailyAt({self.time:%H:%M})"

    def due_on(self, day: dt.date) -> dt.datetime:
        """When the task is due on a day of the site's calendar, in UTC.

        ``fold=0`` (PEP 495): a time the clocks skip is read with the offset
        before the change (so it lands that many minutes later), a time they
        repeat is its first occurrence.
        """
        local = dt.datetime.combine(day, self.time, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return local.astimezone(dt.UTC)

    def latest_due(self, now: dt.datetime) -> dt.datetime:
        """The last time the task was due, at or before ``now`` (aware, or naive in UTC)."""
        now = _utc(now)
        today = now.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
        # Yesterday's time can land after midnight when the clocks skip it.
        candidates = (self.due_on(today - dt.timedelta(days=back)) for back in (0, 1, 2))
        return next(due for due in candidates if due <= now)

    def __call__(self, timestamp: dt.datetime) -> bool:
        """huey's validate function: is the task due in this minute (naive UTC from the scheduler)?"""
        minute = _utc(timestamp).replace(second=0, microsecond=0)
        return self.latest_due(minute) == minute


def daily_task(*, hour: int, minute: int = 0, huey: Huey = HUEY) -> Callable[[Callable[[], Any]], Any]:
    """Declare a task the worker runs once a day at ``hour:minute`` in the site's time zone.

    Its function runs at most once per scheduled day however many workers
    enqueue it; a copy that finds the day claimed returns ``None``.
    """
    schedule = DailyAt(hour, minute)

    def decorator(fn: Callable[[], Any]) -> Any:
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def once_a_day() -> Any:
            day = schedule.latest_due(dt.datetime.now(dt.UTC)).date()
            if not huey.put_if_empty(_claim(name, day), True):
                logger.info("%s already ran for %s; skipped.", name, day)
                return None
            huey.delete(_claim(name, day - dt.timedelta(days=1)))
            return fn()

        task = huey.periodic_task(schedule)(close_db(once_a_day))
        task.schedule = schedule
        return task

    return decorator


def _claim(name: str, day: dt.date) -> str:
    return f"daily:{name}:{day.isoformat()}"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def one_at_a_time(name: str, run: Callable[[], int]) -> int:
    """``run()``, unless another worker is running the task called ``name`` right now: then 0.

    huey's lock lives in the worker's shared store, so with several workers
    a task enqueued by each scheduler runs once at a time.
    """
    try:
        with HUEY.lock_task(name):
            return run()
    except TaskLockedException:
        return 0
