"""Search analytics for support staff, without personal data.

A search is logged as its query, its kind and how many results it had; a
click as the search it came from, the article and its position. Nothing
identifies the reader: no IP address, user agent, cookie or session. A reader
may type their own email or IP address, so those are masked before the
query is stored unless they are a vendor's (``*@example.com``; an IP address
no vendor sends from is cut to its /24 or /48).

Reads of articles are counted per article and day, to list the most-read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.utils import timezone

from articles.content.models import Article
from articles.search import query as query_module
from articles.search.models import ArticleReadCount, SearchClick, SearchQueryLog, normalise_query
from articles.search.results import SearchResults

_CLICK_SALT = "articles.search.click"
#: A click counts if it comes within this long of the search.
CLICK_MAX_AGE = dt.timedelta(hours=6)
#: Most-read means read most over this many days.
READ_WINDOW_DAYS = 30


def logged_text(results: SearchResults) -> str:
    """The query as it may be stored: a reader's own addresses masked."""
    if results.networks:
        parts = [
            answer.network.with_prefixlen if answer.vendors else query_module.mask_address(answer.network)
            for answer in results.networks
        ]
        return " ".join(parts)
    vendor_address = (
        results.query.address if results.sender and any(m.by_address for m in results.sender.vendors) else ""
    )

    def mask(match) -> str:
        address = match.group()
        if address.lower() == vendor_address:
            return address
        return "*@" + address.rpartition("@")[2]

    return query_module.EMAIL.sub(mask, results.query.text)


def log_search(results: SearchResults) -> SearchQueryLog | None:
    """Store one search (first pages only: paging on is not a new search). One query."""
    if results.query.is_empty or results.page != 1:
        return None
    text = logged_text(results)
    return SearchQueryLog.objects.create(
        query=text,
        normalised=normalise_query(text),
        kind=results.query.kind,
        result_count=results.total,
    )


def click_token(log: SearchQueryLog) -> str:
    """A signed reference to a logged search, so clicks cannot be pinned on other searches."""
    return signing.dumps(log.pk, salt=_CLICK_SALT, compress=True)


def record_click(*, token: str, article_id: int, position: int) -> bool:
    """Count a click on a result; False if the token or the article is not valid."""
    try:
        log_id = signing.loads(token, salt=_CLICK_SALT, max_age=CLICK_MAX_AGE)
    except signing.BadSignature:
        return False
    if not Article.objects.public().filter(pk=article_id).exists():
        return False
    SearchClick.objects.bulk_create(
        [SearchClick(log_id=log_id, article_id=article_id, position=max(1, min(position, 10_000)))],
        ignore_conflicts=True,
    )
    return True


def record_read(article: Article) -> None:
    """Count one read of ``article`` today: one statement, an insert or an increment."""
    table = connection.ops.quote_name(ArticleReadCount._meta.db_table)
    # The same upsert runs on SQLite and PostgreSQL; the ORM has no atomic increment-or-insert.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (article_id, day, count) VALUES (%s, %s, 1) "  # noqa: S608 - table name from _meta
            f"ON CONFLICT (article_id, day) DO UPDATE SET count = {table}.count + 1",
            [article.pk, timezone.localdate()],
        )


def most_read(limit: int = 5) -> list[Article]:
    """Public articles read most in the last 30 days, the newest first among equals. One query."""
    since = timezone.localdate() - dt.timedelta(days=READ_WINDOW_DAYS)
    return list(
        Article.objects.public()
        .annotate(reads=Sum("read_counts__count", filter=Q(read_counts__day__gte=since)))
        .select_related("vendor")
        .order_by(F("reads").desc(nulls_last=True), "-published_at", "pk")[:limit]
    )


@dataclass
class Report:
    since: dt.datetime
    until: dt.datetime
    searches: int
    top: list[dict]
    zero_results: list[dict]
    clicked: list[dict]


def report(*, since: dt.datetime, until: dt.datetime, limit: int = 50) -> Report:
    """Top queries with their click-through, queries that found nothing, and what was clicked."""
    logs = SearchQueryLog.objects.filter(created_at__gte=since, created_at__lt=until)
    top = list(
        logs.values("normalised")
        .annotate(
            searches=Count("pk"),
            zero=Count("pk", filter=Q(result_count=0)),
            clicked=Count("pk", filter=Exists(SearchClick.objects.filter(log=OuterRef("pk")))),
        )
        .order_by("-searches", "normalised")[:limit]
    )
    for row in top:
        row["click_through"] = row["clicked"] / row["searches"]
    zero_results = list(
        logs.filter(result_count=0)
        .values("normalised")
        .annotate(searches=Count("pk"), last=Max("created_at"))
        .order_by("-searches", "normalised")[:limit]
    )
    clicked = list(
        SearchClick.objects.filter(log__in=logs)
        .values("log__normalised", "article_id", "article__title")
        .annotate(clicks=Count("pk"))
        .order_by("-clicks", "log__normalised")[:limit]
    )
    return Report(
        since=since, until=until, searches=logs.count(), top=top, zero_results=zero_results, clicked=clicked
    )
