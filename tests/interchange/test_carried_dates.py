"""True dates: an import carries when an article's text and a vendor's facts last changed.

A help center moved from another database, or the demo loaded by ``make run``,
shows "Last updated" as the file says rather than as the moment it was copied;
rows already stored keep the time of their own last change.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from articles.content.models import Article
from articles.facts.models import Vendor
from articles.interchange import InterchangeError, export_helpcenter, import_text

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.yaml"

FILE = """\
format: safelist-helpcenter/1
vendors:
  - slug: acme
    name: Acme Mail
    facts_changed_at: 2026-01-10T08:00:00Z
    sender_addresses:
      - address: alerts@acme.example
        added_on: 2026-01-10
articles:
  - vendor: acme
    slug: guide
    title: Allowlist Acme
    status: published
    published_at: 2026-01-15T09:00:00Z
    reviewed_on: 2026-02-01
    updated_at: UPDATED
"""


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_new_article_and_vendor_take_the_files_dates_and_the_page_says_so(client):
    import_text(text=FILE.replace("UPDATED", "2026-01-20T12:00:00Z"))
    article = Article.objects.get(slug="guide")
    assert article.updated_at == moment("2026-01-20T12:00:00Z")
    assert Vendor.objects.get(slug="acme").facts_changed_at == moment("2026-01-10T08:00:00Z")
    html = client.get(article.get_absolute_url()).content.decode()
    assert re.search(
        r"Last updated <time [^>]*>20 January 2026</time> · Last reviewed <time [^>]*>1 February 2026", html
    )


def test_export_writes_them_and_a_second_import_keeps_them():
    import_text(text=FILE.replace("UPDATED", "2026-01-20T12:00:00Z"))
    exported = export_helpcenter()
    assert "updated_at: 2026-01-20T12:00:00Z" in exported
    assert "facts_changed_at: 2026-01-10T08:00:00Z" in exported
    Article.objects.all().delete()
    Vendor.objects.all().delete()
    import_text(text=exported)
    assert Article.objects.get(slug="guide").updated_at == moment("2026-01-20T12:00:00Z")


def test_a_stored_article_changed_by_an_import_gets_the_time_of_that_change():
    import_text(text=FILE.replace("UPDATED", "2026-01-20T12:00:00Z"))
    before = timezone.now()
    import_text(text=FILE.replace("UPDATED", "2026-01-20T12:00:00Z").replace("Allowlist Acme", "Allow Acme"))
    assert Article.objects.get(slug="guide").updated_at >= before


def test_a_date_still_to_come_is_refused_and_nothing_is_stored():
    future = (timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(InterchangeError) as refused:
        import_text(text=FILE.replace("UPDATED", future))
    message = str(refused.value)
    assert "line 16, articles[0] (acme/guide) > updated_at" in message and "has not come yet" in message
    assert not Article.objects.exists() and not Vendor.objects.exists()


def test_the_demo_says_last_updated_before_last_reviewed_on_every_article(client):
    import_text(text=DEMO.read_text(encoding="utf-8"))
    for article in Article.objects.public().select_related("vendor"):
        html = client.get(article.get_absolute_url()).content.decode()
        updated, reviewed = re.search(
            r'Last updated <time datetime="([^"]+)">.*?Last reviewed <time datetime="([^"]+)">', html
        ).groups()
        assert dt.datetime.fromisoformat(updated).date() <= dt.date.fromisoformat(reviewed), article.slug
