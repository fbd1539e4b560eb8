"""What the site keeps about readers: a search log without their personal data, pruned; reads counted once a day."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from articles.search import analytics, read_buffer
from articles.search.engine import search
from articles.search.models import ArticleReadCount, SearchClick, SearchQueryLog

pytestmark = pytest.mark.django_db


def logged(query: str) -> str:
    return analytics.log_search(search(query)).text


# Masking --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("john.doe at gmail dot com", "*@gmail.com"),
        ("john [at] gmail [dot] com", "*@gmail.com"),
        ("John(AT)Gmail(DOT)com never arrives", "*@Gmail.com never arrives"),
        ("john {at} mail {dot} example {dot} co {dot} uk", "*@mail.example.co.uk"),
        ("john dot doe at example dot org no mail", "*@example.org no mail"),
        ("mail to john.doe@gmail dot com bounces", "mail to *@gmail.com bounces"),
        ("jane @ example.org", "*@example.org"),
        ("reply to support at acme dot example", "reply to *@acme.example"),  # spelled out: masked
    ],
)
def test_addresses_spelled_with_at_and_dot_are_masked(help_center, query, stored):
    assert logged(query) == stored


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("call me +44 20 7946 0958", "call me [number]"),
        ("+1 (555) 123-4567 outlook", "[number] outlook"),
        ("(555) 123-4567", "[number]"),
        ("555.123.4567 gmail", "[number] gmail"),
        ("555-123-4567", "[number]"),
        ("+49 30/1234567", "[number]"),
        ("020 7946 0958 junk", "[number] junk"),
        ("account 12345678 blocked", "account [number] blocked"),
        ("ticket #4481516 and order A99887766", "ticket #[number] and order A[number]"),
    ],
)
def test_phone_numbers_and_long_digit_runs_are_masked(help_center, query, stored):
    entry = analytics.log_search(search(query))
    assert entry.text == stored
    assert entry.normalised == stored.lower()


@pytest.mark.parametrize(
    "query",
    [
        "550-5.7.26 this mail is unauthenticated",
        "553 5.7.1 sender rejected",
        "421 4.7.0 try again later",
        "outlook error 0x80042109",
        "outlook 2016 2019",
        "bounce on 2024-01-15",
        "port 25 or 587",
        "acme.example",
        "gmail at work",  # no domain: nothing to mask
    ],
)
def test_what_is_not_personal_is_kept_as_typed(help_center, query):
    assert logged(query) == query


def test_ip_addresses_and_vendor_addresses_are_still_kept(help_center):
    assert logged("198.51.100.7") == "198.51.100.7/32"  # a vendor's range
    assert logged("alerts@acme.example") == "alerts@acme.example"
    assert logged("Received: from me [198.51.100.99] by x") == "198.51.100.0/24"


def test_the_masking_leaves_nothing_of_what_it_masked():
    query = "john.doe at gmail dot com or +44 20 7946 0958 or 07700900123"
    masked = analytics.mask_numbers(analytics.mask_spelled_addresses(query))
    assert masked == "*@gmail.com or [number] or [number]"
    for secret in ("john", "doe", "7946", "0958", "07700900123"):
        assert secret not in masked


# Retention ------------------------------------------------------------------


def test_searches_older_than_the_retention_are_pruned_with_their_clicks(help_center, settings):
    settings.SEARCH_LOG_RETENTION_DAYS = 90
    now = timezone.now()
    article = help_center["acme-guide"]
    ages = {"fresh": 1, "edge": 89, "old": 91, "ancient": 400}
    for query, days in ages.items():
        entry = SearchQueryLog.objects.create(
            query=query, normalised=query, result_count=1, created_at=now - dt.timedelta(days=days)
        )
        SearchClick.objects.create(log=entry, article=article, position=1)
    assert analytics.prune_search_log(now=now) == 2
    assert set(SearchQueryLog.objects.values_list("query", flat=True)) == {"fresh", "edge"}
    assert set(SearchClick.objects.values_list("log__query", flat=True)) == {"fresh", "edge"}
    assert analytics.prune_search_log(now=now) == 0


def test_the_prune_command_says_what_it_deleted(help_center, settings):
    settings.SEARCH_LOG_RETENTION_DAYS = 30
    SearchQueryLog.objects.create(
        query="old", normalised="old", result_count=0, created_at=timezone.now() - dt.timedelta(days=31)
    )
    out = io.StringIO()
    call_command("prune_search_log", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 search older than 30 days."
    assert not SearchQueryLog.objects.exists()


# Read counts ----------------------------------------------------------------


def reads(article) -> int:
    read_buffer.flush()
    return sum(ArticleReadCount.objects.filter(article=article).values_list("count", flat=True))


def view(client, article, address="192.0.2.50", agent="Firefox"):
    assert (
        client.get(article.get_absolute_url(), REMOTE_ADDR=address, HTTP_USER_AGENT=agent).status_code == 200
    )


def test_a_reader_is_counted_once_a_day_however_often_they_read(client, help_center):
    article = help_center["relay"]
    for _ in range(300):
        view(client, article)
    assert reads(article) == 1


def test_two_readers_count_twice(client, help_center):
    article = help_center["relay"]
    for _ in range(5):
        view(client, article, address="192.0.2.50")
        view(client, article, address="192.0.2.51")
    view(client, article, address="192.0.2.50", agent="Safari")  # another browser behind the same address
    assert reads(article) == 3


def test_the_same_reader_counts_again_the_next_day_and_on_another_article(client, help_center, monkeypatch):
    article, other = help_center["relay"], help_center["acme-guide"]
    view(client, article)
    view(client, other)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    view(client, article)
    view(client, article)
    assert reads(article) == 2 and reads(other) == 1
    assert ArticleReadCount.objects.filter(article=article).count() == 2  # one row per day


def test_the_cache_keeps_a_keyed_hash_until_the_day_ends_and_nothing_of_the_reader(
    client, help_center, monkeypatch
):
    kept = []
    original = cache.add

    def spy(key, value, timeout=None, **kwargs):
        kept.append((key, value, timeout))
        return original(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "add", spy)
    view(client, help_center["relay"], address="192.0.2.77", agent="Reader-Agent/1.0")
    [(key, value, timeout)] = [entry for entry in kept if entry[0].startswith("articles.search.read:")]
    assert "192.0.2.77" not in key and "Reader-Agent" not in key and value == 1
    now = timezone.localtime()
    midnight = timezone.make_aware(dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time.min))
    assert abs((now + dt.timedelta(seconds=timeout)) - midnight) < dt.timedelta(seconds=5)


def test_a_read_is_counted_only_when_the_cache_has_not_seen_the_reader(client, help_center, settings):
    article = help_center["relay"]
    view(client, article)
    assert reads(article) == 1  # written: the cache holds no count now
    cache.clear()  # the day's readers are forgotten (a cache restart): the next view counts again
    view(client, article)
    assert reads(article) == 2
    settings.SECRET_KEY = "another-secret-" + "k" * 50  # a new key makes every hash new
    view(client, article)
    assert reads(article) == 3
