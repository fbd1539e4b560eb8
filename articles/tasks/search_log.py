"""Forget old searches: the search log is pruned every night (issue 8, point 5)."""

from articles.search.analytics import prune_search_log
from articles.tasks.periodic import daily_task


@daily_task(hour=3, minute=17)
def prune_search_log_daily() -> int:
    """Delete the searches older than ``SEARCH_LOG_RETENTION_DAYS``; how many went.

    At 03:17 in the site's time zone: after the day's traffic, clear of the
    top of the hour when other jobs tend to start.
    """
    return prune_search_log()
