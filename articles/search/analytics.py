"""Search analytics for support staff, without personal data.

A search is logged as its query, its kind and how many results it had; a
click as the search it came from, the article and its position. Nothing
identifies the reader: no IP address, user agent, cookie or session. A reader
may type their own email or IP address, so those are masked before the
query is stored unless they are a vendor's (``*@example.com``; an IP address
no vendor sends from is cut to its /24 or /48). So are addresses spelled out
to dodge spam robots (``john dot doe at gmail dot com``, ``[at]``, ``(dot)``),
phone numbers and any other run of seven or more digits (``[number]``). The
log is kept ``SEARCH_LOG_RETENTION_DAYS`` days (``prune_search_log``). A
search writes nothing: searches and clicks are buffered and written in
batches (log_buffer.py).

Reads of articles are counted per article and day, to list the most-read,
each reader at most once a day: the cache keeps a keyed hash of the day, the
article and the reader until the day ends, and nothing else of them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from articles.content.models import Article
from articles.search import log_buffer, read_buffer
from articles.search import query as query_module
from articles.search.models import SearchClick, SearchQueryLog, normalise_query
from articles.search.results import SearchResults
from articles.throttle import client_ip

_CLICK_SALT = "articles.search.click"
_READ_SALT = "articles.search.read"
#: A click counts if it comes within this long of the search.
CLICK_MAX_AGE = dt.timedelta(hours=6)
#: Most-read means read most over this many days.
READ_WINDOW_DAYS = 30

# "at" and "dot" as people write them to keep an address from robots: "john at
# gmail dot com", "john [at] gmail [dot] com", "john(at)gmail(dot)com".
_SPELLED_AT = r"(?:\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*|\s+at\s+|\s*@\s*)"
_SPELLED_DOT = r"(?:\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*|\s+dot\s+|\.)"
_SPELLED_DOT_RE = re.compile(_SPELLED_DOT, re.IGNORECASE)
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+'-])[\w+'-]+(?:{_SPELLED_DOT}[\w+'-]+)*{_SPELLED_AT}"
    rf"(?P<domain>[\w-]+(?:{_SPELLED_DOT}[\w-]+)*{_SPELLED_DOT}[^\W\d_]{{2,}})(?![\w-])",
    re.IGNORECASE,
)
# A phone number: digit groups apart by a space, dot, dash or slash, an area
# code in brackets, a leading +. Groups after the first have two digits or
# more, so "550-5.7.26" and "5.7.1" (bounce codes) stay as typed.
_PHONE = re.compile(r"(?<![\w.+-])\+?\s?(?:\(\d+\)|\d+)(?:[ .\-/]?(?:\(\d{2,}\)|\d{2,}))*(?!\w)")
# Numbers that are not a reader's, though long: an IPv4 address, a date, a list of years.
_NOT_PERSONAL = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}|\d{4}-\d\d-\d\d|(?:(?:19|20)\d\d\s+)*(?:19|20)\d\d")
# Seven digits or more anywhere, but not inside an error code such as 0x80042109.
_LONG_DIGITS = re.compile(r"\b0x[0-9a-f]+\b|\d{7,}", re.IGNORECASE)
_NUMBER_MASK = "[number]"


def mask_spelled_addresses(text: str) -> str:
    """Email addresses written with "at" and "dot" become ``*@domain``; plain ones are left as they are."""

    def mask(match: re.Match) -> str:
        if query_module.EMAIL.fullmatch(match.group()):
            return match.group()  # a plain address: masked, or kept as a vendor's, before
        return "*@" + _SPELLED_DOT_RE.sub(".", match.group("domain"))

    return _SPELLED_EMAIL.sub(mask, text)


def mask_numbers(text: str) -> str:
    """Phone numbers and runs of seven digits or more become ``[number]``."""

    def mask_phone(match: re.Match) -> str:
        number = match.group()
        if sum(c.isdigit() for c in number) < 7 or _NOT_PERSONAL.fullmatch(number.strip()):
            return number
        return _NUMBER_MASK

    def mask_digits(match: re.Match) -> str:
        return match.group() if match.group()[:2].lower() == "0x" else _NUMBER_MASK

    return _LONG_DIGITS.sub(mask_digits, _PHONE.sub(mask_phone, text))


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

    return mask_numbers(mask_spelled_addresses(query_module.EMAIL.sub(mask, results.query.text)))


class LoggedSearch(NamedTuple):
    """A search as the log keeps it, and the answer it was shown (plain values: the page cache pickles them)."""

    text: str
    normalised: str
    kind: str
    result_count: int
    answer: str


def log_search(results: SearchResults) -> LoggedSearch | None:
    """Buffer one search (first pages only: paging on is not a new search). No query.

    Its ``answer`` token names this rendering of the results: the page
    carries it for clicks, and the page cache logs each reader it shows the
    page to under it (``record_answered_search``).
    """
    if results.query.is_empty or results.page != 1:
        return None
    text = logged_text(results)
    logged = LoggedSearch(text, normalise_query(text), results.query.kind, results.total, uuid.uuid4().hex)
    log_buffer.add_search(**logged._asdict())
    return logged


def record_answered_search(request: HttpRequest, *fields) -> None:
    """A results page answered from the page cache: logged as the view logged it (GETs only)."""
    if request.method == "GET":
        log_buffer.add_search(**LoggedSearch(*fields)._asdict())


def click_token(answer: str) -> str:
    """A signed reference to a logged answer, so clicks cannot be pinned on other searches."""
    return signing.dumps(answer, salt=_CLICK_SALT, compress=True)


def record_click(*, token: str, article_id: int, position: int) -> bool:
    """Buffer a click on a result; False if the token is not one of ours or too old. No query.

    An article that is not public is dropped when the buffer is written.
    """
    try:
        answer = signing.loads(token, salt=_CLICK_SALT, max_age=CLICK_MAX_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(answer, str):  # a token signed before clicks named answers
        return False
    log_buffer.add_click(answer=answer, article_id=article_id, position=max(1, min(position, 10_000)))
    return True


def record_read(article_id: int, *, reader: str) -> None:
    """Count a read of an article today unless ``reader`` read it already today.

    ``reader`` is whatever tells readers apart (the page gives IP address and
    user agent); it is never stored. No query: a first read is counted in the
    cache and written with others by ``read_buffer.flush()``.
    """
    now = timezone.localtime()
    today = now.date()
    # A keyed hash: without SECRET_KEY no one can tell from the cache who read what.
    digest = salted_hmac(_READ_SALT, f"{today.isoformat()}|{article_id}|{reader}", algorithm="sha256")
    end_of_day = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    read_buffer.count_first_read(
        article_id,
        today,
        reader_key=f"{_READ_SALT}:{digest.hexdigest()}",
        seconds_left=max(1, math.ceil((end_of_day - now).total_seconds())),
    )


def record_page_read(request: HttpRequest, article_id: int) -> None:
    """An article page answered from the page cache: counted as its view counts it (GETs only)."""
    if request.method == "GET":
        record_read(article_id, reader=reader_of(request))


def reader_of(request: HttpRequest) -> str:
    """What tells readers apart: IP address and user agent (hashed, never stored)."""
    return f"{client_ip(request)} {request.META.get('HTTP_USER_AGENT', '')}"


def prune_search_log(*, now: dt.datetime | None = None) -> int:
    """Delete the searches older than ``SEARCH_LOG_RETENTION_DAYS``, with their clicks; how many went."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.SEARCH_LOG_RETENTION_DAYS)
    _, deleted = SearchQueryLog.objects.filter(created_at__lt=cutoff).delete()
    return deleted.get(SearchQueryLog._meta.label, 0)


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
