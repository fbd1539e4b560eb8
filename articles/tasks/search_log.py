"""The search log: written from its buffer every minute, and pruned every night (issue 8, point 5)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from articles.search import log_buffer
from articles.search.analytics import prune_search_log
from articles.tasks.periodic import daily_task, one_at_a_time


@db_periodic_task(crontab())
def flush_search_log() -> int:
    """Every minute: the searches and clicks buffered since the last flush; how many were taken.

    Two workers' flushes would never take the same records (``LPOP`` is
    atomic); the lock keeps them from racing to give two clicks of one
    answer the same search.
    """
    return one_at_a_time("flush-search-log", log_buffer.flush)


@daily_task(hour=3, minute=17)
def prune_search_log_daily() -> int:
    """Delete the searches older than ``SEARCH_LOG_RETENTION_DAYS``; how many went.

    At 03:17 in the site's time zone: after the day's traffic, clear of the
    top of the hour when other jobs tend to start.
    """
    return prune_search_log()
