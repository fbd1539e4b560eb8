"""PostgreSQL ranks a bounded pool of candidates and counts matches up to a limit."""

from __future__ import annotations

import pytest
from django.db import connection

from articles.search import search
from articles.search.backends import postgres
from tests.conftest import make_article

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the candidate pool is PostgreSQL's"),
]


@pytest.fixture
def walruses(help_center, acme):
    """Twelve articles with "walrus" in the body only, and one with it in the title."""
    for number in range(12):
        make_article(acme, f"walrus-{number}", title=f"Notes {number}", body="walrus " * (number + 1))
    return make_article(acme, "walrus-guide", title="The walrus guide", body="walrus")


def test_a_small_pool_still_puts_the_title_match_first(walruses, monkeypatch):
    monkeypatch.setattr(postgres, "POOL", 2)
    results = search("walrus")
    assert results.hits[0].article == walruses
    assert results.total == 13 and not results.total_is_lower_bound


def test_the_count_stops_at_the_limit_and_says_so(walruses, monkeypatch, client):
    monkeypatch.setattr(postgres, "COUNT_LIMIT", 3)
    results = search("walrus")
    # Never fewer than the pages up to the one shown: here the first ten.
    assert results.total == 10 and results.total_is_lower_bound
    assert results.hits[0].article == walruses and len(results.hits) == 10
    assert "More than 10 articles" in client.get("/search/", {"q": "walrus"}).content.decode()


def test_past_the_head_limit_head_matches_still_come_before_body_matches(help_center, acme, monkeypatch):
    for number in range(4):
        make_article(acme, f"seal-summary-{number}", title=f"Notes {number}", summary="About the seal.")
        make_article(acme, f"seal-body-{number}", title=f"Other notes {number}", body="A seal " * 5)
    monkeypatch.setattr(postgres, "HEAD_LIMIT", 2)
    results = search("seal")
    kinds = [hit.article.slug.rsplit("-", 1)[0] for hit in results.hits]
    assert kinds[:2] == ["seal-summary", "seal-summary"]
    assert set(kinds[2:]) <= {"seal-summary", "seal-body"} and "seal-body" in kinds
    assert results.total == 8


def test_the_first_pages_rank_one_pool(help_center, acme, monkeypatch):
    for number in range(15):
        make_article(acme, f"otter-{number}", title=f"Notes {number}", body="otter " * (number % 4 + 1))
    first, second = search("otter", page=1), search("otter", page=2)
    shown = [hit.article.pk for hit in first.hits + second.hits]
    assert len(shown) == len(set(shown)) == 15
