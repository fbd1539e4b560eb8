"""Vendors named in a query, in any spacing, case or punctuation, or misspelt, rank first (vendors.py)."""

from __future__ import annotations

import pytest

from articles.content.models import Article
from articles.search.engine import search
from articles.search.query import parse
from articles.search.vendors import run_together, spans
from tests.conftest import make_article, make_vendor

pytestmark = pytest.mark.django_db


def test_a_name_is_compared_run_together_without_case_or_punctuation():
    assert run_together("SMTP-2-GO") == run_together("smtp 2 go") == "smtp2go"
    keys = spans(parse("smtp 2 go relay").terms)
    assert keys["smtp2go"] == (0, 3) and keys["smtp2gorelay"] == (0, 4)
    assert "smtp2go" not in spans(parse("smtp@2go.example").terms)  # exact terms are not read as names


@pytest.fixture
def relay_vendors(db):
    smtp2go = make_vendor("smtp2go", "SMTP2GO")
    make_article(
        smtp2go, "relay-ips", title="Allowlisting our relay", body="Our outgoing servers.", clients=[]
    )
    tracker = make_vendor("trackerrms", "TrackerRMS")
    make_article(
        tracker,
        "allowlisting-guide",
        title="Receive TrackerRMS email",
        body="Mail from TrackerRMS.",
        clients=[],
    )
    smart = make_vendor("smarttrak", "SmartTRAK")
    make_article(smart, "guide", title="SmartTRAK email", body="Reset links from SmartTRAK.", clients=[])
    make_article(
        None,
        "what-is-whitelisting",
        kind=Article.Kind.EXPLAINER,
        title="What is whitelisting? Whitelist a sender",
        summary="Whitelist, allowlist or safe senders: the same thing. How to whitelist.",
        body="To whitelist a sender tells the filter to trust it. Whitelisting takes a minute.",
        clients=[],
    )


def first(query: str) -> str:
    article = search(query).hits[0].article
    return f"{article.vendor.slug if article.vendor else 'help'}/{article.slug}"


@pytest.mark.parametrize("query", ["smtp 2 go", "smtp 2go", "SMTP-2-GO", "Smtp2Go relay"])
def test_a_vendor_name_in_any_spacing_finds_the_vendor(relay_vendors, query):
    assert first(query) == "smtp2go/relay-ips"


def test_trackerrms_whitelist_ranks_the_vendors_article_above_the_general_explainer(relay_vendors):
    assert first("whitelist") == "help/what-is-whitelisting"
    assert first("trackerrms whitelist") == "trackerrms/allowlisting-guide"


def test_a_close_misspelling_of_a_vendor_ranks_it_first_too(relay_vendors):
    results = search("trakerrms whitelist")
    assert results.corrections == {"trakerrms": "trackerrms"}
    assert first("trakerrms whitelist") == "trackerrms/allowlisting-guide"


def test_a_vendor_name_in_two_words_is_not_corrected_into_other_words(relay_vendors):
    for query in ("smart trak", "Smart Trak", "smart-trak"):
        results = search(query)
        assert results.corrections == {} and results.suggestion == ""
        assert first(query) == "smarttrak/guide"


def test_words_that_spell_no_vendor_are_searched_as_typed(relay_vendors):
    assert search("smart").total == 0
