"""The search's plain-SQL reads give what the ORM's querysets give."""

from __future__ import annotations

import datetime as dt
import importlib
import ipaddress

import pytest
from django.apps import apps
from django.utils import timezone

from articles.content.models import Article
from articles.facts.models import IPRange
from articles.search import rows
from articles.search.engine import SearchFilters
from articles.search.models import SearchDocument
from tests.conftest import make_article, make_client, make_range, make_vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(acme):
    """Acme's articles in every state a reader may or may not see."""
    outlook = make_client("outlook")
    return {
        "guide": make_article(acme, "guide", clients=[outlook]),
        "notes": make_article(acme, "notes", kind=Article.Kind.EXPLAINER, show_it_section=False),
        "draft": make_article(acme, "draft", published=False),
        "scheduled": make_article(acme, "scheduled", published_at=timezone.now() + dt.timedelta(days=1)),
    }


def test_a_vendors_articles_are_the_public_ones_guides_with_it_section_first(acme, articles):
    vendors, listed = rows.vendors_and_articles({acme.pk})
    assert [a.slug for a in listed] == ["guide", "notes"]
    assert {a.pk for a in listed} == set(
        Article.objects.public().filter(vendor=acme).values_list("pk", flat=True)
    )
    assert vendors == {acme.pk: acme} and listed[0].vendor is vendors[acme.pk]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(kind=Article.Kind.EXPLAINER), ["notes"]),
        (SearchFilters(client="outlook"), ["guide"]),
        (SearchFilters(vendor="globex"), []),
    ],
)
def test_within_filters_only_the_filtered_articles_are_listed(acme, articles, filters, expected):
    vendors, listed = rows.vendors_and_articles({acme.pk}, within=filters.articles())
    assert [a.slug for a in listed] == expected
    assert list(vendors) == [acme.pk]  # the vendor is known even when none of its articles is


def test_a_vendor_without_public_articles_is_a_draft_and_is_not_returned(acme):
    make_article(acme, "draft", published=False)
    assert rows.vendors_and_articles({acme.pk}) == ({}, [])


def test_articles_by_id_loads_what_a_result_shows_with_the_vendor(acme, articles, django_assert_num_queries):
    general = make_article(None, "general-help")
    with django_assert_num_queries(1):
        found = rows.articles_by_id([articles["guide"].pk, general.pk])
        shown = {
            pk: (a.title, a.summary, a.get_absolute_url(), a.get_kind_display()) for pk, a in found.items()
        }
    assert found[general.pk].vendor is None
    # By id: the query has no ORDER BY, and PostgreSQL may return the rows in any order.
    assert shown[articles["guide"].pk][2] == articles["guide"].get_absolute_url()
    assert shown[general.pk][2] == "/help/general-help/"


def _networks(*texts):
    return [ipaddress.ip_network(text, strict=False) for text in texts]


def test_ranges_are_those_the_orm_lookup_finds(acme):
    globex = make_vendor("globex")
    make_range(globex, "2001:db8::/32")
    make_range(acme, "203.0.113.0/24", retired_on=timezone.localdate())  # retired today: gone
    for text in ["192.0.2.77", "198.51.100.7", "2001:db8:1::1", "203.0.113.5", "10.0.0.1"]:
        network = _networks(text)[0]
        expected = set(IPRange.objects.active().covering_network(network).values_list("pk", flat=True))
        assert {r.pk for r in rows.ranges_for([network], 100)} == expected, text


def test_ranges_inside_a_queried_network_are_found_and_loaded_whole(acme):
    found = rows.ranges_for(_networks("198.51.100.0/24", "192.0.2.0/25"), 100)
    assert sorted(r.network for r in found) == ["192.0.2.0/24", "198.51.100.7/32"]
    loaded = next(r for r in found if r.network == "198.51.100.7/32")
    assert loaded.tier == "additional" and loaded.added_on == timezone.localdate() and loaded.is_active


def test_ranges_stop_at_the_limit(acme):
    assert len(rows.ranges_for(_networks("0.0.0.0/0"), 1)) == 1


def test_migration_0005_fills_public_from_for_existing_documents(articles):
    migration = importlib.import_module("articles.migrations.0005_search_document_public_from")
    fill_public_from = migration.fill_public_from
    SearchDocument.objects.update(public_from=None)
    fill_public_from(apps, None)
    public_from = dict(SearchDocument.objects.values_list("article__slug", "public_from"))
    assert public_from["guide"] == articles["guide"].published_at
    assert public_from["scheduled"] == articles["scheduled"].published_at  # a search compares it with now
    assert public_from["draft"] is None
