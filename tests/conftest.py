"""Shared test data: small, explicit builders for the help center's objects.

Each builder writes through the ORM and then says what it wrote, as every
write path does (``services.changes.written``), so the vendor's "facts
changed" time and the search index follow.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache, caches
from django.utils import timezone

from articles.content import fragments
from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.pagecache import local as pagecache_local
from articles.search import buffer_room, log_buffer, read_buffer
from articles.services import changes


def make_vendor(slug: str = "acme", name: str | None = None, *, public: bool = False, **fields) -> Vendor:
    """A vendor; a draft (seen by no reader) unless ``public``, which gives it a published article."""
    vendor = Vendor.objects.create(slug=slug, name=name or slug.title(), **fields)
    if public:
        publish(vendor)
    return vendor


def publish(vendor: Vendor) -> Article:
    """Make a vendor public, as a published article does (``content.visibility``)."""
    return make_article(vendor, "published-guide", title=f"{vendor.name} guide", show_it_section=False)


def make_client(
    slug: str, name: str | None = None, audience: str = "person", steps=(), position=0
) -> MailClient:
    client = MailClient.objects.create(
        slug=slug, name=name or slug.title(), audience=audience, position=position
    )
    if steps:
        step_list = StepList.objects.create(mail_client=client)
        for number, text in enumerate(steps):
            Step.objects.create(step_list=step_list, position=number, text=text)
    return client


def make_range(vendor: Vendor, network: str, tier: str = "primary", **fields) -> IPRange:
    ip_range = IPRange(vendor=vendor, network=network, tier=tier, **fields)
    ip_range.full_clean()
    ip_range.save()
    changes.written(ip_range)
    return ip_range


def make_article(
    vendor: Vendor | None, slug: str = "guide", *, clients=(), published=True, **fields
) -> Article:
    defaults = {
        "title": slug.replace("-", " ").title(),
        "kind": Article.Kind.GUIDE,
        "status": Article.Status.PUBLISHED if published else Article.Status.DRAFT,
        "published_at": timezone.now() - dt.timedelta(days=1) if published else None,
        "show_it_section": True,
    }
    defaults.update(fields)
    article = Article.objects.create(vendor=vendor, slug=slug, **defaults)
    for position, client in enumerate(clients):
        ArticleClient.objects.create(article=article, mail_client=client, position=position)
    changes.written(article)
    return article


@pytest.fixture
def acme(db) -> Vendor:
    """A vendor with one address, one domain and a range in each tier."""
    vendor = make_vendor("acme", "Acme Mail", website="https://acme.example")
    changes.written(
        SenderAddress.objects.create(vendor=vendor, address="alerts@acme.example", used_for="password resets")
    )
    changes.written(SenderDomain.objects.create(vendor=vendor, domain="acme.example"))
    make_range(vendor, "192.0.2.0/24", "primary")
    make_range(vendor, "198.51.100.7", "additional")
    return vendor


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Staff logins in tests need no slow, secure hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def documentation_ranges_allowed(settings):
    """Tests use the documentation ranges (192.0.2.0/24, 2001:db8::/32), refused as facts in production.

    tests/facts/test_hazards.py turns this off to show that they are refused.
    """
    settings.HELPCENTER_ALLOW_DOCUMENTATION_RANGES = True


@pytest.fixture(autouse=True)
def empty_cache(settings):
    """Each test starts with an empty cache: no rate-limit counts or readers of the day carried over.

    The page cache is off: a test asks for a page to see what it renders now, and
    pins the queries of rendering it. tests/pagecache/ turns it on (``page_cache``).
    """
    cache.clear()
    caches["fragments"].clear()
    fragments.forget_local()
    caches["pages"].clear()
    pagecache_local.clear()
    log_buffer.forget_local()
    read_buffer.forget_pending()
    buffer_room.forget_timers()
    settings.PAGE_CACHE_ENABLED = False
    # Read counts and searches are written when a test flushes them (read_buffer.flush,
    # log_buffer.flush), never in a pinned request.
    settings.LOCAL_FLUSH_SECONDS = 10**9
