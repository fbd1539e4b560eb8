"""Read counts kept in the cache and written to the database in batches: no write on the read path.

A read adds one to a counter per article and day in the default cache (an
atomic ``incr``: in Redis, shared by every app server). ``flush()`` moves
the counts into ``ArticleReadCount`` in one statement per batch, an upsert
that adds to what is stored. The worker runs it every minute
(articles/tasks/read_counts.py); with no Redis the counts are in the web
process's own memory, which the worker cannot see, so the web process
flushes them itself after an answer has been sent, at most once a minute
(``READ_COUNT_LOCAL_FLUSH_SECONDS``)
(``flush_if_due``, on Django's ``request_finished``).

A count is taken out of the cache (``decr`` by what was read) before it is
written: a flush that fails loses those reads rather than counting them twice.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from articles.content.models import Article
from articles.search.models import ArticleReadCount

#: Counters live past the day they count, long enough for a late flush.
KEEP_SECONDS = 3 * 24 * 3600
#: Rows per statement.
BATCH_SIZE = 500
_DAYS_KEPT = 2  # today and yesterday: a flush just after midnight still finds yesterday's
_last_local_flush = time.monotonic()


def _key(article_id: int, day: dt.date) -> str:
    return f"reads:{day.isoformat()}:{article_id}"


def count_read(article_id: int, day: dt.date) -> None:
    """One more read of an article on a day, in the cache. One cache round trip (two the first time)."""
    key = _key(article_id, day)
    try:
        cache.incr(key)
    except ValueError:
        if not cache.add(key, 1, timeout=KEEP_SECONDS):
            cache.incr(key)


def flush(*, today: dt.date | None = None) -> int:
    """Write the buffered counts; how many reads were written. One query for the articles, one per batch."""
    today = today or timezone.localdate()
    days = [today - dt.timedelta(days=back) for back in range(_DAYS_KEPT)]
    article_ids = list(Article.objects.values_list("pk", flat=True))
    keys = {_key(pk, day): (pk, day) for day in days for pk in article_ids}
    rows = []
    for key, count in cache.get_many(list(keys)).items():
        if count:
            cache.decr(key, count)
            rows.append((*keys[key], count))
    for start in range(0, len(rows), BATCH_SIZE):
        _upsert(rows[start : start + BATCH_SIZE])
    return sum(count for _, _, count in rows)


def _upsert(rows: list[tuple[int, dt.date, int]]) -> None:
    table = connection.ops.quote_name(ArticleReadCount._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    # The same upsert runs on SQLite and PostgreSQL; the ORM's bulk_create(update_conflicts=True)
    # sets a column to the new value, it cannot add to the stored one.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (article_id, day, count) VALUES {values} "  # noqa: S608 - names from _meta
            f"ON CONFLICT (article_id, day) DO UPDATE SET count = {table}.count + excluded.count",
            [value for row in rows for value in row],
        )


def cache_is_shared() -> bool:
    """Whether the worker sees the counts (Redis), or only this process does (memory)."""
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def flush_if_due(**_signal) -> None:
    """After an answer, in a process whose counts no worker can see: flush if a minute has passed."""
    global _last_local_flush
    if cache_is_shared() or time.monotonic() - _last_local_flush < settings.READ_COUNT_LOCAL_FLUSH_SECONDS:
        return
    _last_local_flush = time.monotonic()
    flush()
