"""A vendor is public only once it has a public article; until then it does not exist for readers.

Support staff can prepare a vendor with every fact and a draft guide. Its hub,
For IT page, every download, its API answers and its place in the all-vendors
files, the sitemap, the search's IP and sender answers and its old slugs all
answer as if it did not exist, until its first article is published, or the
moment a scheduled one comes due, with no write to the vendor.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from articles.content.models import Article
from articles.downloads.loaders import load_facts
from articles.downloads.snippets import all_snippets
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor, VendorOldSlug
from articles.services import changes
from tests.admin.forms import article_url
from tests.conftest import make_article, make_range, make_vendor

pytestmark = pytest.mark.django_db

VENDOR_PAGES = [
    "/hidden/",
    "/hidden/for-it/",
    "/hidden/allowlist.txt",
    "/hidden/allowlist.csv",
    "/hidden/allowlist.json",
    "/hidden/contact.vcf",
    "/hidden/gmail-filter.xml",
    "/api/vendors/hidden",
    "/api/vendors/hidden/articles",
]
ALL_VENDOR_FILES = ["/allowlist.txt", "/allowlist.csv", "/allowlist.json", "/api/vendors", "/sitemap.xml"]
# Facts found only in the draft vendor's rows: none may appear anywhere public.
MARKS = ["/hidden/", "Hidden Mail", "8.8.4.0", "news@hidden-mail.test", "hidden-mail.test"]


@pytest.fixture
def hidden(db) -> Vendor:
    """A vendor with every kind of fact and a draft guide, beside a public one."""
    vendor = make_vendor("hidden", "Hidden Mail", website="https://hidden-mail.test")
    changes.written(SenderAddress.objects.create(vendor=vendor, address="news@hidden-mail.test"))
    changes.written(SenderDomain.objects.create(vendor=vendor, domain="hidden-mail.test"))
    make_range(vendor, "8.8.4.0/24")
    make_article(vendor, "guide", published=False, title="Allowlist Hidden Mail")
    VendorOldSlug.objects.create(vendor=vendor, slug="hidden-old")  # as a rename leaves it
    return vendor


@pytest.fixture
def public_vendor(db) -> Vendor:
    vendor = make_vendor("acme", "Acme Mail", public=True)
    make_range(vendor, "3.93.157.0/24")
    return vendor


def snippet_urls(vendor: Vendor) -> list[str]:
    facts = load_facts(vendor, addresses=True, domains=True, ranges=True).facts
    return [f"/{vendor.slug}/for-it/{snippet.filename}" for snippet in all_snippets(facts)]


def test_a_draft_vendor_answers_404_everywhere(client, hidden, public_vendor):
    urls = [*VENDOR_PAGES, *snippet_urls(hidden), "/hidden/guide/", "/hidden-old/", "/api/vendors/hidden-old"]
    assert len(urls) > len(VENDOR_PAGES) + 3  # the snippets were found
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Hidden Mail" not in response.content.decode(), url


def test_a_draft_vendor_is_in_no_list_file_sitemap_or_answer(client, hidden, public_vendor):
    pages = [client.get(url) for url in [*ALL_VENDOR_FILES, "/api/ip/8.8.4.1", "/api/articles", "/"]]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert not [mark for mark in MARKS if mark in text], page.request["PATH_INFO"]
    for query in ["8.8.4.1", "news@hidden-mail.test", "hidden-mail.test", "Hidden Mail"]:
        # The results page repeats the query; it must name no vendor for it.
        text = client.get("/search/", {"q": query}).content.decode()
        assert "/hidden/" not in text and "Hidden Mail</" not in text, query
    assert json.loads(client.get("/api/ip/8.8.4.1").content)["matches"] == []
    assert "3.93.157.0/24" in client.get("/allowlist.txt").content.decode()  # the public one is listed


def test_publishing_its_article_makes_the_vendor_public_everywhere(client, hidden, public_vendor):
    article = hidden.articles.get()
    article.status, article.published_at = Article.Status.PUBLISHED, timezone.now()
    article.save()
    for url in [*VENDOR_PAGES, *snippet_urls(hidden), "/hidden/guide/"]:
        assert client.get(url).status_code == 200, url
    assert client.get("/hidden-old/")["Location"] == "/hidden/"
    assert "8.8.4.0/24" in client.get("/allowlist.txt").content.decode()
    assert [m["vendor"]["slug"] for m in json.loads(client.get("/api/ip/8.8.4.1").content)["matches"]] == [
        "hidden"
    ]
    assert "Hidden Mail" in client.get("/search/", {"q": "8.8.4.1"}).content.decode()
    assert "Hidden Mail" in client.get("/search/", {"q": "news@hidden-mail.test"}).content.decode()
    assert "/hidden/" in client.get("/sitemap.xml").content.decode()


def test_a_scheduled_article_makes_its_vendor_public_when_it_comes_due_with_no_write(
    client, hidden, public_vendor
):
    long_ago = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    Vendor.objects.update(facts_changed_at=long_ago)
    Article.objects.filter(vendor=public_vendor).update(published_at=long_ago)
    due = timezone.now() + dt.timedelta(hours=2)
    Article.objects.filter(vendor=hidden).update(status=Article.Status.PUBLISHED, published_at=due)
    before = client.get("/allowlist.txt")
    assert client.get("/hidden/allowlist.txt").status_code == 404
    assert "8.8.4.0/24" not in before.content.decode()
    # The moment comes: written here as the publish time passing, not as an edit of the vendor.
    came_due = timezone.now() - dt.timedelta(seconds=1)
    Article.objects.filter(vendor=hidden).update(published_at=came_due)
    after = client.get(
        "/allowlist.txt", HTTP_IF_NONE_MATCH=before["ETag"], HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]
    )
    assert after.status_code == 200 and "8.8.4.0/24" in after.content.decode()
    assert after["ETag"] != before["ETag"]
    assert after["Last-Modified"] != before["Last-Modified"]  # the list changed at the publish time
    assert client.get("/hidden/allowlist.txt").status_code == 200
    assert IPRange.objects.get(vendor=hidden).network == "8.8.4.0/24"


def test_unpublishing_the_last_article_makes_the_vendor_a_draft_again(client, public_vendor):
    assert client.get("/acme/for-it/").status_code == 200
    public_vendor.articles.update(status=Article.Status.DRAFT)
    assert client.get("/acme/for-it/").status_code == 404
    assert "3.93.157.0/24" not in client.get("/allowlist.txt").content.decode()


def test_staff_still_preview_a_draft_vendors_article(admin_client, hidden):
    article = hidden.articles.get()
    response = admin_client.get(article_url(article, "preview/"))
    assert response.status_code == 200 and "Allowlist Hidden Mail" in response.content.decode()


def test_the_admin_vendor_list_says_which_vendors_are_public(admin_client, hidden, public_vendor):
    response = admin_client.get("/admin/articles/vendor/")
    rows = {vendor.name: vendor.public for vendor in response.context["cl"].result_list}
    assert rows == {"Hidden Mail": False, "Acme Mail": True}
