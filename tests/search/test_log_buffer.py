"""The search log: buffered with no query, written by the flush in a fixed number of statements per batch."""

from __future__ import annotations

import logging
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from articles.content.models import Article
from articles.search import analytics, buffer_room, buffers, log_buffer
from articles.search.engine import search
from articles.search.models import SearchClick, SearchQueryLog
from articles.tasks.read_counts import flush_read_counts
from articles.tasks.search_log import flush_search_log
from tests.pagecache.conftest import page_cache  # noqa: F401 - a fixture
from tests.servers import redis_database

pytestmark = pytest.mark.django_db

SEARCH = "/search/"
CLICK = reverse("articles:search_click")


def in_redis(settings) -> None:
    """The default cache, and so the buffers, on django-redis, in this run's Redis database."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_database(13)},
    }


@pytest.fixture(params=["process", "redis"])
def buffers_in(request, settings):
    """The buffer in this process's memory (no Redis), and in Redis (the default cache on django-redis)."""
    if request.param == "redis":
        in_redis(settings)
    assert buffer_room.is_shared() == (request.param == "redis")
    yield request.param
    log_buffer.forget_local()


def click_token_of(html: str) -> str:
    return html.split('data-click-token="')[1].split('"')[0]


def test_a_search_and_its_click_cost_no_query_and_wait_for_the_flush(
    client, help_center, buffers_in, django_assert_num_queries
):
    results = search("newsletters")
    with django_assert_num_queries(0):
        logged = analytics.log_search(results)
        assert analytics.record_click(
            token=analytics.click_token(logged.answer), article_id=help_center["globex-guide"].pk, position=2
        )
    assert not SearchQueryLog.objects.exists()
    assert log_buffer.flush() == 2
    entry = SearchQueryLog.objects.get()
    assert (entry.query, entry.kind, entry.result_count, entry.token.hex) == (
        "newsletters",
        "text",
        results.total,
        logged.answer,
    )
    [click] = SearchClick.objects.all()
    assert (click.log, click.article, click.position) == (entry, help_center["globex-guide"], 2)
    assert log_buffer.flush() == 0  # taken out: nothing is written twice
    assert SearchQueryLog.objects.count() == 1 and SearchClick.objects.count() == 1


def test_a_batch_makes_the_same_statements_for_3_searches_as_for_80(
    help_center, buffers_in, django_assert_num_queries
):
    guide = help_center["globex-guide"]

    def buffer(count: int) -> None:
        for number in range(count):
            logged = analytics.log_search(search(f"newsletters {number}"))
            analytics.record_click(
                token=analytics.click_token(logged.answer), article_id=guide.pk, position=1
            )

    buffer(3)
    # The searches; the answers' searches, their clicks and the public articles; the clicks
    # (with the transaction's savepoint and release).
    with django_assert_num_queries(7):
        assert log_buffer.flush() == 6
    buffer(80)  # 160 records: one full batch
    with django_assert_num_queries(7):
        assert log_buffer.flush() == 160
    assert SearchQueryLog.objects.count() == 83 and SearchClick.objects.count() == 83


def test_a_long_buffer_is_written_in_batches_of_a_fixed_size(help_center, buffers_in, monkeypatch):
    monkeypatch.setattr(log_buffer, "BATCH_SIZE", 2)
    for number in range(5):
        analytics.log_search(search(f"acme {number}"))
    assert log_buffer.flush() == 5
    assert sorted(SearchQueryLog.objects.values_list("query", flat=True)) == [f"acme {n}" for n in range(5)]


def test_a_results_page_from_the_page_cache_logs_each_reader_it_is_shown_to(
    client,
    help_center,
    page_cache,  # noqa: F811
    django_assert_num_queries,
):
    first = client.get(SEARCH, {"q": "newsletters"})
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        for _ in range(2):
            assert client.get(SEARCH, {"q": "newsletters"})["X-Page-Cache"] == "hit"
    client.head(SEARCH, {"q": "newsletters"})  # a HEAD is not a search
    client.get(SEARCH, {"q": "newsletters", "page": "2"})  # paging on is not a new search
    log_buffer.flush()
    searches = list(SearchQueryLog.objects.order_by("created_at", "pk"))
    assert [entry.query for entry in searches] == ["newsletters"] * 3
    # The three were shown one answer, which the page's click token names.
    assert {entry.token for entry in searches} == {searches[0].token}

    token = click_token_of(first.content.decode())
    guide, other = help_center["globex-guide"], help_center["acme-guide"]
    for article in (guide, guide, other, guide, guide):
        client.post(CLICK, {"token": token, "article": article.pk, "position": 1})
    log_buffer.flush()
    # Each click goes to the latest search of the answer with no click on that article yet;
    # a fourth click on the guide has no such search left and is dropped.
    clicked = sorted(SearchClick.objects.values_list("log_id", "article_id"))
    assert clicked == sorted(
        [(searches[2].pk, guide.pk), (searches[1].pk, guide.pk), (searches[0].pk, guide.pk)]
        + [(searches[2].pk, other.pk)]
    )


def test_a_click_on_an_article_that_is_not_public_or_with_an_old_token_is_dropped(help_center, buffers_in):
    logged = analytics.log_search(search("newsletters"))
    draft = Article.objects.get(slug="draft-secret")
    assert analytics.record_click(token=analytics.click_token(logged.answer), article_id=draft.pk, position=1)
    assert analytics.record_click(token=analytics.click_token(logged.answer), article_id=10**12, position=1)
    # A token signed before clicks named answers carried the search's row id.
    old_token = analytics.signing.dumps(1, salt=analytics._CLICK_SALT, compress=True)
    assert not analytics.record_click(token=old_token, article_id=help_center["globex-guide"].pk, position=1)
    assert not analytics.record_click(token="forged", article_id=help_center["globex-guide"].pk, position=1)
    log_buffer.flush()
    assert SearchQueryLog.objects.count() == 1
    assert not SearchClick.objects.exists()


def test_with_redis_down_a_search_is_answered_and_not_logged(
    client, help_center, settings, caplog, monkeypatch
):
    monkeypatch.setattr(buffer_room, "PUSH_SECONDS", 3600)  # sent below, in this thread, to see the log
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2},
        },
    }
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    with caplog.at_level(logging.WARNING, logger="articles.search.log_buffer"):
        response = client.get(SEARCH, {"q": "newsletters"})
        buffers.push()
    assert response.status_code == 200 and "Globex" in response.content.decode()
    assert "search log buffer cannot be reached" in caplog.text
    assert not SearchQueryLog.objects.exists()


def test_the_worker_flushes_the_shared_buffer_every_minute(help_center, settings):
    in_redis(settings)
    analytics.log_search(search("newsletters"))
    assert flush_search_log.call_local() == 1
    assert SearchQueryLog.objects.get().query == "newsletters"
    assert flush_search_log.call_local() == 0


def test_a_web_process_without_redis_writes_its_own_buffers_once_a_minute(
    client, help_center, settings, monkeypatch
):
    settings.LOCAL_FLUSH_SECONDS = 60
    monkeypatch.setattr(buffers, "_last", buffers.time.monotonic())
    client.get(SEARCH, {"q": "newsletters"})
    client.get(help_center["globex-guide"].get_absolute_url())
    assert not SearchQueryLog.objects.exists()  # not yet a minute
    monkeypatch.setattr(buffers, "_last", buffers.time.monotonic() - 61)
    client.get("/robots.txt")  # the flush runs after this answer
    assert SearchQueryLog.objects.get().query == "newsletters"
    assert help_center["globex-guide"].read_counts.get().count == 1


def test_with_redis_a_web_process_sends_its_buffers_within_a_second_and_the_worker_writes_them(
    client, help_center, settings
):
    in_redis(settings)
    client.get(SEARCH, {"q": "newsletters"})
    client.get(help_center["globex-guide"].get_absolute_url())
    redis = buffer_room.redis()
    buffered = cache.make_key("search-log:buffer")
    # No other request comes: the process sends what it holds by itself, from a thread.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not (redis.llen(buffered) and redis.keys("*reads:*")):
        time.sleep(0.05)
    assert redis.llen(buffered) == 1 and len(redis.keys("*reads:*")) == 1
    assert not SearchQueryLog.objects.exists()  # the web process writes nothing
    assert flush_search_log.call_local() == 1
    assert flush_read_counts.call_local() == 1
    assert SearchQueryLog.objects.get().query == "newsletters"
    assert help_center["globex-guide"].read_counts.get().count == 1
    cache.clear()


def test_a_busy_process_without_redis_writes_its_searches_a_batch_at_a_time(client, help_center, monkeypatch):
    monkeypatch.setattr(log_buffer, "BATCH_SIZE", 3)
    for number in range(2):
        client.get(SEARCH, {"q": f"newsletters {number}"})
    assert not SearchQueryLog.objects.exists()  # not a batch yet, and not a minute
    client.get(SEARCH, {"q": "newsletters 2"})  # the batch is full: written after this answer
    assert SearchQueryLog.objects.count() == 3
    for number in range(3, 10):
        analytics.log_search(search(f"newsletters {number}"))
    client.get("/robots.txt")
    assert SearchQueryLog.objects.count() == 6  # one batch per answer, however many are held
    assert log_buffer.held() == 4
