"""Render once: a fragment is rendered the first time its inputs are seen, and reused until one changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.utils import timezone

from articles.content import fragments
from articles.content.models import Article
from articles.content.rendering import build_article_page, render_document, render_markdown, vendor_facts
from articles.content.selectors import load_article_page
from articles.services import changes
from tests.conftest import make_article, make_client, make_range, make_vendor

pytestmark = pytest.mark.django_db


def kept() -> int:
    """Rendered texts in the cache (LocMemCache: the tests' default), the vendor's facts left out."""
    return sum(":fragment:" in key for key in caches["fragments"]._cache)


def fresh(article: Article) -> Article:
    """The article as the next request loads it, with its vendor's row as it now stands."""
    return Article.objects.select_related("vendor").get(pk=article.pk)


@pytest.fixture
def guide(acme):
    gmail = make_client("gmail", "Gmail", steps=["Open **Spam**.", "Trust {{ primary_address }}."])
    return make_article(acme, "guide", clients=[gmail], body="# Hello\n\n{{ vendor }} has {{ range_count }}.")


def test_a_page_keeps_one_fragment_per_text_and_reuses_them(guide):
    fragments.forget_local()
    first = load_article_page(guide)
    assert kept() == 3  # the body and two steps (the list has no intro)
    fragments.forget_local()
    again = load_article_page(guide)
    assert kept() == 3
    assert again.body == first.body and again.headings == first.headings
    assert again.sections[0].steps == first.sections[0].steps


def test_what_comes_from_the_cache_is_what_rendering_gives(guide, acme):
    load_article_page(guide)
    fragments.forget_local()
    page = load_article_page(guide)  # from the shared cache this time
    facts = vendor_facts(
        acme, acme.sender_addresses.active(), acme.sender_domains.active(), acme.ip_ranges.active()
    )
    assert page.body == render_document(guide.body, facts, client_slugs=["gmail"]).html
    assert "Acme Mail has 2." in page.body
    assert page.sections[0].steps == [
        render_markdown(step, facts) for step in ("Open **Spam**.", "Trust {{ primary_address }}.")
    ]


def test_a_new_fact_gives_new_keys_by_itself(guide, acme):
    load_article_page(guide)
    make_range(acme, "203.0.113.0/24")
    page = load_article_page(fresh(guide))
    assert "Acme Mail has 3." in page.body
    # The body names {{ range_count }}: a new key; the steps do not: they keep theirs.
    assert kept() == 4


def test_keys_differ_by_kind_text_values_and_reserved_anchors():
    facts = fragments.facts_digest({"vendor": "Acme"})
    base = fragments.fragment_key("markdown", "Hi", facts)
    assert base == fragments.fragment_key("markdown", "Hi", fragments.facts_digest({"vendor": "Acme"}))
    assert base != fragments.fragment_key("document", "Hi", facts)
    assert base != fragments.fragment_key("markdown", "Hi!", facts)
    assert base != fragments.fragment_key("markdown", "Hi", fragments.facts_digest({"vendor": "Acme2"}))
    assert base != fragments.fragment_key("markdown", "Hi", facts, ["gmail"])


def test_a_page_built_with_the_cache_failing_still_renders(guide, settings):
    settings.CACHES = {
        **settings.CACHES,
        "fragments": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2},
        },
    }
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    fragments.forget_local()
    page = build_article_page(guide, addresses=[], domains=[], ranges=[], clients=[], step_lists=[])
    assert "has 0." in page.body


def test_the_vendors_facts_of_the_day_are_kept_until_they_change(guide, acme, django_assert_num_queries):
    load_article_page(fresh(guide))
    fragments.forget_local()  # another process: from the shared cache
    article = fresh(guide)
    with django_assert_num_queries(3):  # the sections, the step lists and their steps: no facts
        page = load_article_page(article)
    assert [a.address for a in page.addresses] == ["alerts@acme.example"]
    assert page.range_count == 2
    make_range(acme, "203.0.113.0/24")  # moves the vendor's facts_changed_at, in the same transaction
    assert load_article_page(fresh(guide)).range_count == 3


def test_a_fact_coming_due_at_midnight_gives_a_new_key_with_no_write(guide, acme, monkeypatch):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    make_range(acme, "203.0.113.0/24", added_on=tomorrow)  # announced for tomorrow
    article = fresh(guide)
    assert load_article_page(article).range_count == 2
    noon_tomorrow = dt.datetime.combine(tomorrow, dt.time(12), tzinfo=timezone.get_current_timezone())
    monkeypatch.setattr(timezone, "now", lambda: noon_tomorrow)
    assert load_article_page(article).range_count == 3  # the same vendor row: the day alone moved


def test_a_text_keeps_its_key_unless_a_value_it_uses_changes(guide, acme):
    load_article_page(guide)
    address = acme.sender_addresses.get()
    address.address = "news@acme.example"
    address.save()
    changes.written(address)
    page = load_article_page(fresh(guide))
    assert "Trust news@acme.example." in page.sections[0].steps[1]
    assert kept() == 4  # only the step naming {{ primary_address }}; the body names other values


def test_a_generic_step_without_placeholders_is_rendered_once_for_every_vendor(guide):
    gmail = guide.client_sections.get().mail_client
    globex = make_article(make_vendor("globex", "Globex"), "guide", clients=[gmail], body="Hi.")
    load_article_page(guide)
    load_article_page(fresh(globex))
    # Globex's body and its "Trust {{ primary_address }}." (with its own value): two more;
    # "Open **Spam**." names no value: Acme's fragment serves Globex too.
    assert kept() == 3 + 2
