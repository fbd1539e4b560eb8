"""The daily schedule: due once a day at its time on the site's clocks, daylight saving days included.

These call the schedule exactly as huey's scheduler does: once per minute,
with that minute as a naive UTC datetime.
"""

import datetime as dt

import pytest
from django.test import override_settings

from articles.tasks.periodic import DailyAt
from articles.tasks.search_log import prune_search_log_daily


def due_minutes(schedule, start: dt.datetime, hours: int = 48) -> list[dt.datetime]:
    """Every minute from ``start`` (naive UTC) for ``hours`` at which ``schedule`` says "due"."""
    minutes = (start + dt.timedelta(minutes=n) for n in range(hours * 60))
    return [minute for minute in minutes if schedule(minute)]


def utc(*args) -> dt.datetime:
    return dt.datetime(*args)


@override_settings(TIME_ZONE="UTC")
def test_due_at_its_time_in_utc_and_once_a_day():
    assert due_minutes(DailyAt(3, 17), utc(2026, 12, 3)) == [utc(2026, 12, 3, 3, 17), utc(2026, 12, 4, 3, 17)]


@override_settings(TIME_ZONE="UTC")
def test_due_for_the_whole_minute_the_scheduler_wakes_in():
    schedule = DailyAt(3, 17)
    assert schedule(utc(2026, 12, 3, 3, 17, 59, 999999))
    assert not schedule(utc(2026, 12, 3, 3, 16, 59))
    assert not schedule(utc(2026, 12, 3, 3, 18))


@override_settings(TIME_ZONE="Europe/Paris")
@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Winter (UTC+1) and summer (UTC+2).
        (utc(2026, 1, 15), [utc(2026, 1, 15, 2, 17), utc(2026, 1, 16, 2, 17)]),
        (utc(2026, 7, 15), [utc(2026, 7, 15, 1, 17), utc(2026, 7, 16, 1, 17)]),
        # 29 March 2026: 02:00 becomes 03:00; 03:17 is still there, an hour earlier in UTC.
        (utc(2026, 3, 28), [utc(2026, 3, 28, 2, 17), utc(2026, 3, 29, 1, 17)]),
        # 25 October 2026: 03:00 becomes 02:00; 03:17 happens once, an hour later in UTC.
        (utc(2026, 10, 24), [utc(2026, 10, 24, 1, 17), utc(2026, 10, 25, 2, 17)]),
    ],
)
def test_due_at_the_same_time_on_the_sites_clocks_in_winter_summer_and_on_change_days(start, due):
    assert due_minutes(DailyAt(3, 17), start) == due


@override_settings(TIME_ZONE="Europe/Paris")
def test_a_time_the_clocks_skip_runs_the_gap_later_that_day():
    # 29 March 2026: 02:30 does not exist in Paris; the clocks show 03:30 at 01:30 UTC.
    assert due_minutes(DailyAt(2, 30), utc(2026, 3, 28, 12), hours=24) == [utc(2026, 3, 29, 1, 30)]


@override_settings(TIME_ZONE="Europe/Paris")
def test_a_time_the_clocks_repeat_runs_once_at_its_first_occurrence():
    # 25 October 2026: 02:30 happens at 00:30 UTC (summer time) and again at 01:30 UTC.
    assert due_minutes(DailyAt(2, 30), utc(2026, 10, 24, 12), hours=24) == [utc(2026, 10, 25, 0, 30)]


@override_settings(TIME_ZONE="America/New_York")
@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Midnight, as the daily digests of issue 10 need: 8 March and 1 November 2026.
        (utc(2026, 3, 7, 12), [utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)]),
        (utc(2026, 10, 31, 12), [utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)]),
    ],
)
def test_midnight_on_the_sites_clocks_across_daylight_saving_changes(start, due):
    assert due_minutes(DailyAt(0, 0), start) == due


@override_settings(TIME_ZONE="America/Santiago")
def test_midnight_the_clocks_skip_runs_at_the_first_minute_of_the_day():
    # Chile moves its clocks from 00:00 to 01:00 on 6 September 2026 (UTC-4 to UTC-3):
    # that day at 01:00 on the clocks (04:00 UTC), the next at midnight again (03:00 UTC).
    assert due_minutes(DailyAt(0, 0), utc(2026, 9, 5, 12)) == [utc(2026, 9, 6, 4), utc(2026, 9, 7, 3)]


@override_settings(TIME_ZONE="Europe/Paris")
def test_latest_due_is_the_last_scheduled_time_at_or_before_now():
    schedule = DailyAt(3, 17)
    assert schedule.latest_due(utc(2026, 12, 3, 2, 17)) == dt.datetime(2026, 12, 3, 2, 17, tzinfo=dt.UTC)
    assert schedule.latest_due(utc(2026, 12, 3, 2, 16)) == dt.datetime(2026, 12, 2, 2, 17, tzinfo=dt.UTC)


@override_settings(TIME_ZONE="Europe/Paris")
def test_the_search_log_prune_is_scheduled_daily_at_03_17_on_the_sites_clocks():
    task = prune_search_log_daily.task_class()
    assert due_minutes(task.validate_datetime, utc(2026, 3, 28)) == [
        utc(2026, 3, 28, 2, 17),
        utc(2026, 3, 29, 1, 17),
    ]
