"""PostgreSQL ranks a bounded pool of candidates and counts matches up to a limit."""

from __future__ import annotations

import pytest
from django.db import connection

from articles.facts.models import Vendor
from articles.search.backends import postgres
from articles.search.engine import search
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


def test_past_the_head_limit_the_head_matches_ranked_come_first(help_center, acme, monkeypatch):
    # Ranking is exact up to HEAD_LIMIT head matches; past it, those the index finds
    # first are ranked and body matches fill the page: the approximation at scale.
    for number in range(4):
        make_article(acme, f"seal-summary-{number}", title=f"Notes {number}", summary="About the seal.")
        make_article(acme, f"seal-body-{number}", title=f"Other notes {number}", body="A seal " * 5)
    monkeypatch.setattr(postgres, "HEAD_LIMIT", 2)
    results = search("seal")
    kinds = [hit.article.slug.rsplit("-", 1)[0] for hit in results.hits]
    assert kinds[:2] == ["seal-summary", "seal-summary"]
    assert kinds[2:] == ["seal-body"] * 4
    assert results.total == 8  # counted, though two are not ranked


def test_the_named_vendors_best_match_comes_first_whatever_the_pool(help_center, acme, monkeypatch):
    # More title matches of another vendor, and more body matches of the named one, than a
    # pool of a page (ten) holds: the named vendor's summary match must still lead.
    monkeypatch.setattr(postgres, "POOL", 3)
    globex = Vendor.objects.get(slug="globex")
    for number in range(12):
        make_article(globex, f"walrus-title-{number}", title=f"Walrus, walrus {number}")
        make_article(acme, f"walrus-body-{number}", title=f"Notes {number}", body="walrus")
    best = make_article(acme, "walrus", title="Field guide", summary="All about the walrus.")
    results = search("192.0.2.10 walrus")  # 192.0.2.10 is Acme's
    assert results.hits[0].article == best
    assert {hit.article.vendor for hit in results.hits} == {acme}


def test_every_match_counted_is_on_exactly_one_page(help_center, acme, monkeypatch):
    # The first pool's worth in the contract's order, then the rest in the head's. Body
    # matches made later are shorter, so rank higher: a larger pool would put them first.
    for number in range(5):
        make_article(acme, f"otter-title-{number}", title=f"Otter {number}")
        make_article(acme, f"otter-summary-{number}", title=f"Notes {number}", summary="An otter.")
    for number in range(30):
        make_article(
            acme, f"otter-body-{number}", title=f"Notes {number}", body="otter " + "filler " * (30 - number)
        )
    monkeypatch.setattr(postgres, "POOL", 4)
    pages = [search("otter", page=page) for page in (1, 2, 3, 4)]
    shown = [hit.article.slug for page in pages for hit in page.hits]
    assert pages[0].total == 40 and len(shown) == len(set(shown)) == 40
    kinds = [slug.rsplit("-", 1)[0] for slug in shown]
    assert kinds == ["otter-title"] * 5 + ["otter-summary"] * 5 + ["otter-body"] * 30


def test_the_first_three_pages_rank_one_pool(help_center, acme):
    for number in range(30):
        make_article(acme, f"otter-{number}", title=f"Notes {number}", body="otter " * (number % 4 + 1))
    pages = [search("otter", page=page).hits for page in (1, 2, 3)]
    shown = [hit.article.pk for page in pages for hit in page]
    assert len(shown) == len(set(shown)) == 30
