"""The search log: written from its buffer every minute, and pruned every night (issue 8, point 5)."""

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task
from huey.exceptions import TaskLockedException

from articles.search import log_buffer
from articles.search.analytics import prune_search_log
from articles.tasks.periodic import daily_task


@db_periodic_task(crontab())
def flush_search_log() -> int:
    """Every minute: the searches and clicks buffered since the last flush; how many were taken.

    Two workers' flushes would never take the same records (``LPOP`` is
    atomic); the lock keeps them from racing to give two clicks of one
    answer the same search.
    """
    try:
        with HUEY.lock_task("flush-search-log"):
            return log_buffer.flush()
    except TaskLockedException:
        return 0


@daily_task(hour=3, minute=17)
def prune_search_log_daily() -> int:
    """Delete the searches older than ``SEARCH_LOG_RETENTION_DAYS``; how many went.

    At 03:17 in the site's time zone: after the day's traffic, clear of the
    top of the hour when other jobs tend to start.
    """
    return prune_search_log()
