"""The search log kept in a buffer and written in batches: a search writes nothing to the database.

A logged search, and a click on one of its results, is added to a buffer as a
small JSON record, first in the web process's own memory. With Redis, the
process sends what it holds at most a second later, in one round trip
(``push``, from a thread of its own: ``buffer_room.send_soon``), to one list that every app server appends to
(``RPUSH``) and the worker empties every minute (articles/tasks/search_log.py).
Without Redis, the process writes its records itself after an answer has
been sent, at most once a minute. ``flush()`` takes the records out (Redis: ``LPOP``
with a count, which is atomic, so two flushes never take the same records)
and writes each batch in one statement for its searches and one for its
clicks.

A click names the *answer* it came from (``SearchQueryLog.token``), not a
row: the row is written later, and one answer kept by the page cache is shown
to every reader who searches the same words until the site changes. A click
goes to the latest search shown that answer with no click on that article
yet; with none (pruned, or its article is no longer public) it is dropped.

Records are taken out before they are written: a flush that fails loses them
rather than writing them twice. With Redis down a search is answered and not
logged, and the fault is logged; so is a process killed before it sent its
last second of records.

Why not the cache API, as the read counts use: a list of records is not a
counter, and the cache has no atomic "append" or "take"; django-redis hands
out its connection for exactly this.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections import defaultdict

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from articles.content.models import Article
from articles.search import buffer_room
from articles.search.models import SearchClick, SearchQueryLog

logger = logging.getLogger(__name__)

#: Records per batch: one statement for its searches, one for its clicks, on SQLite too
#: (Django keeps a statement within SQLite's 999 parameters: 166 searches of six fields).
BATCH_SIZE = 160
#: A web process without Redis holds at most this many records between flushes; more are not logged.
LOCAL_LIMIT = 50_000
_KEY = "search-log:buffer"
_local = buffer_room.Held(limit=LOCAL_LIMIT)


def add_search(*, text: str, normalised: str, kind: str, result_count: int, answer: str) -> None:
    """Buffer one search: its logged (masked) text and the answer it was shown."""
    _append({"t": "s", "q": text, "n": normalised, "k": kind, "r": result_count, "a": answer})


def add_click(*, answer: str, article_id: int, position: int) -> None:
    """Buffer a click on a result of ``answer``."""
    _append({"t": "c", "a": answer, "id": article_id, "p": position})


def flush(*, batches: int | None = None) -> int:
    """Write what is buffered (``batches``: at most that many); how many records were taken.

    Per batch: seven queries, whatever its size.
    """
    push()
    taken = written = 0
    while (batches is None or written < batches) and (records := _take(BATCH_SIZE)):
        taken += len(records)
        written += 1
        _write([json.loads(record) for record in records])
        if len(records) < BATCH_SIZE:
            break
    return taken


def held() -> int:
    """How many records this process holds."""
    return len(_local)


def push() -> None:
    """With Redis: send the records this process holds, in one round trip (``buffer_room.send_soon``: at most a second late)."""
    if not buffer_room.is_shared():
        return
    taken = _local.take()
    if not taken:
        return
    try:
        buffer_room.redis().rpush(cache.make_key(_KEY), *taken)
    except RedisError:
        logger.warning(
            "The search log buffer cannot be reached: %d searches and clicks are not logged.",
            len(taken),
            exc_info=True,
        )


def _append(record: dict) -> None:
    record["at"] = timezone.now().timestamp()
    data = json.dumps(record, separators=(",", ":"))
    _local.add(data)
    if buffer_room.is_shared():
        buffer_room.send_soon(push)


def _take(count: int) -> list[str]:
    if not buffer_room.is_shared():
        return _local.take(count)
    return [value.decode() for value in buffer_room.redis().lpop(cache.make_key(_KEY), count) or []]


def forget_local() -> None:
    """Drop this process's buffered records (tests start each with an empty buffer)."""
    _local.take()


def _moment(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)


@transaction.atomic
def _write(records: list[dict]) -> None:
    SearchQueryLog.objects.bulk_create(
        [
            SearchQueryLog(
                query=record["q"],
                normalised=record["n"],
                kind=record["k"],
                result_count=record["r"],
                token=uuid.UUID(record["a"]),
                created_at=_moment(record["at"]),
            )
            for record in records
            if record["t"] == "s"
        ]
    )
    clicks = [record for record in records if record["t"] == "c"]
    if clicks:
        _write_clicks(clicks)


def _write_clicks(clicks: list[dict]) -> None:
    answers = {uuid.UUID(click["a"]) for click in clicks}
    shown = defaultdict(list)  # answer -> its searches, the latest first
    for pk, answer in (
        SearchQueryLog.objects.filter(token__in=answers)
        .order_by("-created_at", "-pk")
        .values_list("pk", "token")
    ):
        shown[answer].append(pk)
    clicked = set(SearchClick.objects.filter(log__token__in=answers).values_list("log_id", "article_id"))
    public = set(
        Article.objects.public().filter(pk__in={click["id"] for click in clicks}).values_list("pk", flat=True)
    )
    rows = []
    for click in clicks:
        article = click["id"]
        if article not in public:
            continue
        log = next((pk for pk in shown[uuid.UUID(click["a"])] if (pk, article) not in clicked), None)
        if log is None:
            continue
        clicked.add((log, article))
        rows.append(
            SearchClick(log_id=log, article_id=article, position=click["p"], created_at=_moment(click["at"]))
        )
    SearchClick.objects.bulk_create(rows, ignore_conflicts=True)
