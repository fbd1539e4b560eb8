"""PostgreSQL ranks a bounded pool of candidates and stops counting body-only matches."""

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


def test_a_small_pool_still_puts_the_best_match_first_and_says_the_count_is_a_floor(
    help_center, acme, monkeypatch, client
):
    for number in range(12):
        make_article(acme, f"walrus-{number}", title=f"Notes {number}", body="walrus " * (number + 1))
    make_article(acme, "walrus-guide", title="The walrus guide", body="walrus")
    monkeypatch.setattr(postgres, "POOL", 2)
    monkeypatch.setattr(postgres, "COUNT_LIMIT", 3)
    results = search("walrus")
    assert results.hits[0].article.slug == "walrus-guide"  # a title match, from the head-ranked pool
    # 1 title match, and body-only matches counted to a page's worth (10) of the 12
    assert results.total == 11 and results.total_is_lower_bound
    assert "More than 11 articles" in client.get("/search/", {"q": "walrus"}).content.decode()
