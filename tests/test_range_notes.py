"""A range's two notes: the public note is published with the range, the staff note only in the admin.

The staff note is looked for in the bytes of every public page, file and API
answer about the vendor, and in the search index and search answers; the
public note must appear where the range is published (the search index holds
neither note).
"""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest

from articles.downloads import snippets
from articles.downloads.published import Facts, ListedRange, Sender
from articles.facts.models import SenderAddress, SenderDomain
from articles.search.models import SearchDocument
from articles.services import changes
from tests.conftest import make_article, make_client, make_range, make_vendor

pytestmark = pytest.mark.django_db

PUBLIC_NOTE = "Outbound pool Wombat"
STAFF_NOTE = "Ticket Quokka from the vendor's account manager"
STAFF_WORD = "Quokka"


def every_download(slug: str) -> list[str]:
    """The address of every file published about the vendor ``slug``, each snippet included."""
    offering_all = Facts(
        id=1,
        slug=slug,
        name=slug,
        changed_at=dt.datetime(2026, 1, 15, tzinfo=dt.UTC),
        addresses=(Sender(f"alerts@{slug}.example"),),
        domains=(f"{slug}.example",),
        ranges=(ListedRange(slug, ipaddress.ip_network("192.0.2.0/24"), "primary"),),
    )
    return [
        *(f"/{vendor}allowlist.{kind}" for vendor in (f"{slug}/", "") for kind in ("txt", "csv", "json")),
        f"/{slug}/contact.vcf",
        f"/{slug}/gmail-filter.xml",
        *(f"/{slug}/for-it/{s.filename}" for s in snippets.all_snippets(offering_all)),
    ]


@pytest.fixture
def noted(db):
    vendor = make_vendor("acme", "Acme Mail", website="https://acme.example")
    changes.written(SenderAddress.objects.create(vendor=vendor, address="alerts@acme.example"))
    changes.written(SenderDomain.objects.create(vendor=vendor, domain="acme.example"))
    make_range(vendor, "192.0.2.0/24", "primary", public_note=PUBLIC_NOTE, staff_note=STAFF_NOTE)
    make_range(vendor, "198.51.100.7", "additional")
    make_article(vendor, "guide", clients=[make_client("gmail"), make_client("postfix", audience="it")])
    return vendor


PAGES = ["/", "/acme/", "/acme/guide/", "/acme/for-it/", "/sitemap.xml"]
API = [
    "/api/vendors",
    "/api/vendors/acme",
    "/api/vendors/acme/articles",
    "/api/articles",
    "/api/ip/192.0.2.10",
]


def test_the_staff_note_is_in_no_page_file_or_api_answer(client, noted):
    urls = [*PAGES, *every_download("acme"), *API]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert STAFF_WORD.encode() not in response.content, url


def test_the_public_note_is_published_with_the_range(client, noted):
    for url in [
        "/acme/guide/",
        "/acme/for-it/",
        "/acme/allowlist.csv",
        "/acme/allowlist.json",
        "/allowlist.csv",
        "/allowlist.json",
        "/api/vendors/acme",
        "/api/ip/192.0.2.10",
    ]:
        assert PUBLIC_NOTE in client.get(url).content.decode(), url


def test_the_search_index_and_answers_hold_the_range_but_not_its_staff_note(client, noted):
    indexed = " ".join(str(value) for row in SearchDocument.objects.values_list() for value in row)
    assert "192.0.2.0/24" in indexed and STAFF_WORD not in indexed
    for url, query in [
        ("/search/", STAFF_WORD),
        ("/search/", "192.0.2.10"),
        ("/search/suggest/", STAFF_WORD),
        ("/search/suggest/", "Quok"),
    ]:
        response = client.get(url, {"q": query})
        assert response.status_code == 200, (url, query)
        assert STAFF_WORD.encode() not in response.content.replace(query.encode(), b""), (url, query)


def test_the_admin_shows_and_finds_both_notes(admin_client, noted):
    ip_range = noted.ip_ranges.get(network="192.0.2.0/24")
    vendor_page = admin_client.get(f"/admin/articles/vendor/{noted.pk}/change/").content.decode()
    assert f'value="{PUBLIC_NOTE}"' in vendor_page
    assert "Ticket Quokka from the vendor&#x27;s account manager" in vendor_page
    listing = admin_client.get("/admin/articles/iprange/", {"q": STAFF_WORD}).content.decode()
    assert PUBLIC_NOTE in listing and STAFF_WORD in listing and "198.51.100.7" not in listing
    change = admin_client.get(f"/admin/articles/iprange/{ip_range.pk}/change/").content.decode()
    assert 'name="public_note"' in change and 'name="staff_note"' in change
