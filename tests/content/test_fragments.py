"""Render once: a fragment is rendered the first time its inputs are seen, and reused until one changes."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from articles.content import fragments
from articles.content.rendering import build_article_page, render_document, render_markdown, vendor_facts
from articles.content.selectors import load_article_page
from tests.conftest import make_article, make_client, make_range

pytestmark = pytest.mark.django_db


def kept() -> int:
    return len(caches["fragments"]._cache)  # LocMemCache: the tests' default


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
    page = load_article_page(guide)
    assert "Acme Mail has 3." in page.body
    assert kept() == 6  # every text of the page under the vendor's new values


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
