"""Read counts: counted in the cache with no query, written by the flush in one statement per batch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles.search import read_buffer
from articles.search.models import ArticleReadCount
from articles.tasks.read_counts import flush_read_counts
from tests.conftest import make_article
from tests.pagecache.conftest import page_cache  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def stored(article) -> int:
    return sum(ArticleReadCount.objects.filter(article=article).values_list("count", flat=True))


def test_a_read_costs_no_query_and_waits_for_the_flush(client, acme, django_assert_num_queries):
    article = make_article(acme, "guide")
    client.get(article.get_absolute_url())  # the first request of a test loads what Django caches
    with django_assert_num_queries(0):
        read_buffer.count_read(article.pk, timezone.localdate())
    assert stored(article) == 0
    assert read_buffer.flush() == 2
    assert stored(article) == 2


def test_the_flush_writes_every_article_in_one_statement_and_adds_to_what_is_stored(
    acme, django_assert_num_queries
):
    articles = [make_article(acme, f"guide-{n}") for n in range(5)]
    today = timezone.localdate()
    ArticleReadCount.objects.create(article=articles[0], day=today, count=10)
    for number, article in enumerate(articles):
        for _ in range(number + 1):
            read_buffer.count_read(article.pk, today)
    read_buffer.count_read(articles[1].pk, today - dt.timedelta(days=1))
    with django_assert_num_queries(2):  # the articles, then one upsert
        assert read_buffer.flush(today=today) == 16
    assert [stored(article) for article in articles] == [11, 3, 3, 4, 5]
    assert ArticleReadCount.objects.get(article=articles[1], day=today - dt.timedelta(days=1)).count == 1
    with django_assert_num_queries(1):  # nothing left: nothing written twice
        assert read_buffer.flush(today=today) == 0


def test_the_batch_is_split_into_statements_of_a_fixed_size(acme, settings, monkeypatch):
    monkeypatch.setattr(read_buffer, "BATCH_SIZE", 2)
    articles = [make_article(acme, f"guide-{n}") for n in range(5)]
    for article in articles:
        read_buffer.count_read(article.pk, timezone.localdate())
    assert read_buffer.flush() == 5
    assert sum(stored(article) for article in articles) == 5


def test_readers_served_from_the_page_cache_are_counted(client, page_cache, acme):  # noqa: F811
    article = make_article(acme, "guide")
    url = article.get_absolute_url()
    assert client.get(url, REMOTE_ADDR="192.0.2.1")["X-Page-Cache"] == "miss"
    assert client.get(url, REMOTE_ADDR="192.0.2.2")["X-Page-Cache"] == "hit"
    assert client.get(url, REMOTE_ADDR="192.0.2.2")["X-Page-Cache"] == "hit"  # the same reader: once
    client.head(url, REMOTE_ADDR="192.0.2.3")
    read_buffer.flush()
    assert stored(article) == 2


def test_the_worker_task_flushes(acme):
    article = make_article(acme, "guide")
    read_buffer.count_read(article.pk, timezone.localdate())
    assert flush_read_counts.call_local() == 1
    assert stored(article) == 1
