"""Read counts kept in the cache and written to the database in batches: no write on the read path.

A read adds one to a counter per article and day in the default cache (an
atomic ``incr``: in Redis, shared by every app server; a web process sends
its reads there in a batch each second, ``push``). ``flush()`` moves
the counts into ``ArticleReadCount`` in one statement per batch, an upsert
that adds to what is stored. Who runs it, and when: buffers.py.

A count is taken out of the cache (``decr`` by what was read) before it is
written: a flush that fails loses those reads rather than counting them twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from redis.exceptions import RedisError

from articles.content.models import Article
from articles.search import buffer_room
from articles.search.models import ArticleReadCount

logger = logging.getLogger(__name__)

#: Counters live past the day they count, long enough for a late flush.
KEEP_SECONDS = 3 * 24 * 3600
#: Rows per statement.
BATCH_SIZE = 500
_DAYS_KEPT = 2  # today and yesterday: a flush just after midnight still finds yesterday's
#: With Redis: the reads this process took and has not sent yet (reader key, its seconds, count key).
_pending = buffer_room.Held()


def _key(article_id: int, day: dt.date) -> str:
    return f"reads:{day.isoformat()}:{article_id}"


def count_first_read(article_id: int, day: dt.date, *, reader_key: str, seconds_left: int) -> None:
    """A read of an article on a day, counted unless the reader's key was counted already.

    ``reader_key`` is kept ``seconds_left`` (to the end of the day). Without
    Redis: two operations on this process's memory. With Redis: no round
    trip; the read waits in this process until ``push()``, at most a second
    later (``buffer_room.send_soon``), which sends every read it holds in two
    round trips.
    """
    if buffer_room.is_shared():
        _pending.add((reader_key, seconds_left, _key(article_id, day)))
        buffer_room.send_soon(push)
        return
    if cache.add(reader_key, 1, timeout=seconds_left):
        count_read(article_id, day)


def push() -> None:
    """With Redis: send this process's pending reads, one pipeline for the readers and one for the counts."""
    taken = _pending.take()
    if not taken:
        return
    try:
        redis = buffer_room.redis()
        readers = redis.pipeline(transaction=False)
        for reader_key, seconds_left, _ in taken:
            readers.set(cache.make_key(reader_key), 1, nx=True, ex=seconds_left)
        counts = redis.pipeline(transaction=False)
        for first, (_, _, count_key) in zip(readers.execute(), taken, strict=True):
            if first:
                counts.incr(cache.make_key(count_key))
                counts.expire(cache.make_key(count_key), KEEP_SECONDS)
        counts.execute()
    except RedisError:
        logger.warning(
            "The read counts cannot be reached: %d reads are not counted.", len(taken), exc_info=True
        )


def forget_pending() -> None:
    """Drop this process's unsent reads (tests start each with none)."""
    _pending.take()


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
    push()
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
