"""The download URLs and the For IT page: parsed back, compared with the database, cached right."""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import vobject
from django.utils import timezone
from django.utils.http import http_date

from articles.content.models import Article
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.services import changes
from tests.conftest import make_article, make_client, make_range, make_vendor

pytestmark = pytest.mark.django_db

VENDOR_FILES = ["allowlist.txt", "allowlist.csv", "allowlist.json", "contact.vcf", "gmail-filter.xml"]
ALL_FILES = ["/allowlist.txt", "/allowlist.csv", "/allowlist.json"]


def parse_xml(text: str | bytes) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - the site's own output, not untrusted input


def db_networks(vendor=None) -> set:
    ranges = IPRange.objects.active()
    if vendor is not None:
        ranges = ranges.filter(vendor=vendor)
    return {ipaddress.ip_network(network) for network in ranges.values_list("network", flat=True)}


def json_networks(document: dict) -> set:
    return {ipaddress.ip_network(p["ip_prefix"]) for p in document["prefixes"]} | {
        ipaddress.ip_network(p["ipv6_prefix"]) for p in document["ipv6_prefixes"]
    }


@pytest.fixture
def acme_v6(acme):
    make_range(acme, "2001:db8::/32", "additional", public_note="IPv6, new", added_on=dt.date(2025, 3, 1))
    return acme


# What each file says -----------------------------------------------------------------------


def test_txt_lists_every_active_range_one_per_line(client, acme_v6):
    response = client.get("/acme/allowlist.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert {ipaddress.ip_network(line) for line in lines} == db_networks(acme_v6)
    assert lines == ["192.0.2.0/24", "198.51.100.7/32", "2001:db8::/32"]


def test_csv_rows_match_the_database(client, acme_v6):
    response = client.get("/acme/allowlist.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="acme-allowlist.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode(), newline="")))
    expected = {
        (r.network, str(r.version), r.tier, r.public_note, r.added_on.isoformat())
        for r in IPRange.objects.active().filter(vendor=acme_v6)
    }
    assert {(r["network"], r["ip_version"], r["tier"], r["note"], r["added_on"]) for r in rows} == expected


def test_json_matches_the_database_with_vendor_tier_and_date(client, acme_v6):
    response = client.get("/acme/allowlist.json")
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert json_networks(document) == db_networks(acme_v6)
    assert document["ipv6_prefixes"] == [
        {
            "ipv6_prefix": "2001:db8::/32",
            "vendor": "acme",
            "tier": "additional",
            "added_on": "2025-03-01",
            "note": "IPv6, new",
        }
    ]
    acme_v6.refresh_from_db()
    assert document["createDate"] == acme_v6.facts_changed_at.astimezone(dt.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_files_for_all_vendors_list_every_vendors_ranges(client, acme_v6):
    other = make_vendor("zeta", "Zeta", public=True)
    make_range(other, "203.0.113.0/24")
    make_range(other, "192.0.2.0/24")  # shared with Acme
    document = json.loads(client.get("/allowlist.json").content)
    assert json_networks(document) == db_networks()
    assert [(p["vendor"], p["ip_prefix"]) for p in document["prefixes"]] == [
        ("acme", "192.0.2.0/24"),
        ("acme", "198.51.100.7/32"),
        ("zeta", "192.0.2.0/24"),
        ("zeta", "203.0.113.0/24"),
    ]
    lines = client.get("/allowlist.txt").content.decode().splitlines()
    assert lines == ["192.0.2.0/24", "198.51.100.7/32", "203.0.113.0/24", "2001:db8::/32"]
    rows = list(csv.DictReader(io.StringIO(client.get("/allowlist.csv").content.decode(), newline="")))
    assert {(r["vendor"], r["network"]) for r in rows} == {
        (r.vendor.slug, r.network) for r in IPRange.objects.active().select_related("vendor")
    }


def test_contact_card_holds_every_sender_address(client, acme):
    SenderAddress.objects.create(vendor=acme, address="billing@acme.example", used_for="invoices", position=1)
    response = client.get("/acme/contact.vcf")
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="acme.vcf"'
    card = vobject.readOne(response.content.decode())
    assert card.fn.value == "Acme Mail"
    assert [e.value for e in card.contents["email"]] == list(
        acme.sender_addresses.values_list("address", flat=True)
    )


def test_gmail_filter_names_every_address_and_domain_and_never_sends_to_spam(client, acme):
    SenderDomain.objects.create(vendor=acme, domain="xn--bcher-kva.example")
    response = client.get("/acme/gmail-filter.xml")
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    root = parse_xml(response.content)
    ns = {"atom": "http://www.w3.org/2005/Atom", "apps": "http://schemas.google.com/apps/2006"}
    properties = {p.get("name"): p.get("value") for p in root.findall("atom:entry/apps:property", ns)}
    assert properties["shouldNeverSpam"] == "true"
    assert set(properties["from"].split(" OR ")) == {
        "alerts@acme.example",
        "@acme.example",
        "@xn--bcher-kva.example",
    }


# Retired ranges ----------------------------------------------------------------------------


@pytest.mark.parametrize("retired_on", [dt.date(2020, 1, 1), "today"], ids=["long ago", "today"])
def test_a_retired_range_is_in_no_file(client, acme, retired_on):
    today = timezone.localdate()
    make_range(
        acme,
        "203.0.113.0/24",
        retired_on=today if retired_on == "today" else retired_on,
        added_on=dt.date(2019, 1, 1),
    )
    for url in [
        "/acme/allowlist.txt",
        "/acme/allowlist.csv",
        "/acme/allowlist.json",
        *ALL_FILES,
        "/acme/for-it/",
    ]:
        assert "203.0.113" not in client.get(url).content.decode(), url
    for name in ["exchange-online.ps1", "postfix-allowlist.cidr", "spf-terms.txt"]:
        assert "203.0.113" not in client.get(f"/acme/for-it/{name}").content.decode()


def test_a_stored_range_that_is_not_a_network_is_in_no_file(client, acme):
    IPRange.objects.filter(vendor=acme, network="192.0.2.0/24").update(network="192.0.2.0/24\npermit")
    for url in ["/acme/allowlist.txt", "/acme/allowlist.json", "/allowlist.csv", "/acme/for-it/"]:
        response = client.get(url)
        assert response.status_code == 200 and "192.0.2.0/24" not in response.content.decode(), url
    assert client.get("/acme/for-it/postfix-allowlist.cidr").content.decode().count("permit\n") == 1


def test_a_range_retiring_tomorrow_is_still_listed(client, acme):
    make_range(acme, "203.0.113.0/24", retired_on=timezone.localdate() + dt.timedelta(days=1))
    assert "203.0.113.0/24" in client.get("/acme/allowlist.txt").content.decode()


def test_a_retirement_taking_effect_moves_last_modified_without_any_write(client, acme):
    long_ago = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    Vendor.objects.filter(pk=acme.pk).update(facts_changed_at=long_ago)
    Article.objects.filter(vendor=acme).update(published_at=long_ago)  # public since then
    for model in (IPRange, SenderAddress, SenderDomain):  # and its facts listed since then
        model.objects.filter(vendor=acme).update(added_on=long_ago.date())
    before = client.get("/acme/allowlist.json")
    assert before["Last-Modified"] == http_date(long_ago.timestamp())
    # A range whose retirement date arrives: simulated by writing the date without signals.
    IPRange.objects.filter(vendor=acme, network="192.0.2.0/24").update(retired_on=timezone.localdate())
    after = client.get("/acme/allowlist.json", HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    midnight = dt.datetime.combine(timezone.localdate(), dt.time.min, tzinfo=timezone.get_current_timezone())
    assert after["Last-Modified"] == http_date(midnight.timestamp())
    assert json.loads(after.content)["syncToken"] != json.loads(before.content)["syncToken"]


# Conditional GET and caching ---------------------------------------------------------------


@pytest.mark.parametrize("url", [f"/acme/{name}" for name in VENDOR_FILES] + ALL_FILES)
def test_every_file_answers_conditional_gets_with_304(client, acme, url):
    first = client.get(url)
    assert first.status_code == 200
    assert re.fullmatch(r'"[0-9a-f]{32}"', first["ETag"])
    assert first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=300"
    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag["ETag"] == first["ETag"]
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304
    stale = client.get(url, HTTP_IF_NONE_MATCH='"somethingelse"')
    assert stale.status_code == 200


def test_a_range_change_changes_etag_sync_token_and_last_modified(client, acme):
    Vendor.objects.filter(pk=acme.pk).update(facts_changed_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    first = client.get("/acme/allowlist.json")
    make_range(acme, "203.0.113.0/24")
    second = client.get("/acme/allowlist.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert json.loads(second.content)["syncToken"] != json.loads(first.content)["syncToken"]
    assert second["Last-Modified"] != first["Last-Modified"]


def test_an_address_change_keeps_the_sync_token_of_the_range_list(client, acme):
    first = json.loads(client.get("/acme/allowlist.json").content)
    SenderAddress.objects.create(vendor=acme, address="new@acme.example", position=5)
    second = json.loads(client.get("/acme/allowlist.json").content)
    assert second["syncToken"] == first["syncToken"]
    assert second["prefixes"] == first["prefixes"]


def test_files_can_be_read_with_head_but_not_posted_to(client, acme):
    assert client.head("/acme/allowlist.txt").status_code == 200
    response = client.post("/acme/allowlist.txt")
    assert response.status_code == 405


# Unknown and renamed vendors ---------------------------------------------------------------


@pytest.mark.parametrize("name", [*VENDOR_FILES, "for-it/", "for-it/postfix-allowlist.cidr"])
def test_files_of_an_unknown_vendor_answer_404(client, db, name):
    assert client.get(f"/nobody/{name}").status_code == 404


def test_a_vendor_slug_with_a_nul_character_is_a_404_on_every_database(client, db):
    assert client.get("/%00/allowlist.txt").status_code == 404


def test_files_of_a_renamed_vendor_redirect_permanently(client, acme):
    acme.slug = "acme-mail"
    acme.save()
    response = client.get("/acme/allowlist.json")
    assert response.status_code == 301 and response["Location"] == "/acme-mail/allowlist.json"


def test_an_unknown_snippet_file_answers_404(client, acme):
    assert client.get("/acme/for-it/nothing.txt").status_code == 404


# Query counts ------------------------------------------------------------------------------


@pytest.fixture
def with_ranges(acme):
    """Build the vendor with a given number of extra ranges."""

    def build(count: int) -> None:
        IPRange.objects.filter(vendor=acme, network__startswith="45.").delete()
        for n in range(count):
            IPRange(vendor=acme, network=f"45.{n // 256}.{n % 256}.0/24").save()

    return build


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/acme/allowlist.txt", 2),
        ("/acme/allowlist.csv", 2),
        ("/acme/allowlist.json", 2),
        ("/allowlist.json", 2),
        ("/allowlist.txt", 2),
        ("/allowlist.csv", 2),
        ("/acme/contact.vcf", 2),
        ("/acme/gmail-filter.xml", 3),
        ("/acme/for-it/", 4),
        ("/acme/for-it/exchange-online.ps1", 4),
    ],
)
def test_query_count_does_not_grow_with_ranges(client, with_ranges, django_assert_num_queries, url, queries):
    for count in (2, 40):
        with_ranges(count)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


# The For IT page ---------------------------------------------------------------------------


class PageOutline(HTMLParser):
    """Headings, tables and copy targets of a page, as a checker would see them."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.copy_values: list[str] = []
        self.tables = 0
        self.captions = 0
        self.th_without_scope = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if "data-copy" in attributes:
            self.copy_values.append(attributes["data-copy"])
        if tag == "table":
            self.tables += 1
        if tag == "caption":
            self.captions += 1
        if tag == "th" and "scope" not in attributes:
            self.th_without_scope += 1
        if tag == "a":
            self.links.append(attributes.get("href", ""))


def outline(html: str) -> PageOutline:
    parser = PageOutline()
    parser.feed(html)
    return parser


def test_for_it_page_lists_facts_with_copy_buttons_and_every_snippet(client, acme_v6):
    response = client.get("/acme/for-it/")
    assert response.status_code == 200
    page = outline(response.content.decode())
    assert {"alerts@acme.example", "acme.example", "192.0.2.0/24", "198.51.100.7/32", "2001:db8::/32"} <= set(
        page.copy_values
    )
    html = response.content.decode()
    for key in [
        "exchange-online",
        "google-workspace",
        "postfix",
        "spamassassin",
        "mimecast",
        "proofpoint",
        "barracuda",
        "spf",
    ]:
        assert f'id="{key}"' in html
    assert "Set-HostedConnectionFilterPolicy" in html and "welcomelist_from_rcvd" in html
    for name in VENDOR_FILES:
        assert f"/acme/{name}" in page.links
    assert "/acme/for-it/exchange-online.ps1" in page.links


def test_for_it_page_markup_is_accessible(client, acme_v6):
    page = outline(client.get("/acme/for-it/").content.decode())
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    for previous, current in zip(page.headings, page.headings[1:], strict=False):
        assert current <= previous + 1, page.headings
    assert page.tables == page.captions >= 2
    assert page.th_without_scope == 0


def test_snippet_text_on_the_page_is_the_download_byte_for_byte(client, acme_v6):
    html = client.get("/acme/for-it/").content.decode()
    page_text = outline(html).copy_values
    download = client.get("/acme/for-it/exchange-online.ps1")
    assert download["Content-Disposition"] == 'attachment; filename="acme-exchange-online.ps1"'
    assert download.content.decode() in page_text


def test_for_it_page_escapes_vendor_facts(client, db):
    vendor = make_vendor("evil", "<script>alert(1)</script>", public=True)
    make_range(vendor, "192.0.2.0/24", public_note="<b>x</b>")
    html = client.get("/evil/for-it/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


# Links from the hub and the article --------------------------------------------------------


def test_vendor_hub_links_every_download(client, acme):
    links = outline(client.get("/acme/").content.decode()).links
    for name in [*VENDOR_FILES, "for-it/"]:
        assert f"/acme/{name}" in links


def test_article_links_downloads_in_the_it_section_and_files_in_the_steps(client, acme):
    gmail = make_client("gmail", "Gmail", steps=["Open Gmail."])
    outlook = make_client("outlook", "Outlook", steps=["Open Outlook."])
    make_article(acme, "guide", clients=[gmail, outlook])
    html = client.get("/acme/guide/").content.decode()
    it_section = html[html.index('id="it"') :]
    assert "/acme/allowlist.json" in it_section and "/acme/for-it/" in it_section
    gmail_section = html[html.index('id="gmail"') : html.index('id="outlook"')]
    assert "/acme/gmail-filter.xml" in gmail_section and "/acme/contact.vcf" in gmail_section
    outlook_section = html[html.index('id="outlook"') : html.index('id="it"')]
    assert "/acme/contact.vcf" in outlook_section and "gmail-filter" not in outlook_section


def test_renaming_a_vendor_moves_last_modified_of_its_files(client, acme):
    Vendor.objects.filter(pk=acme.pk).update(facts_changed_at=timezone.now() - dt.timedelta(days=1))
    vendor = Vendor.objects.get(pk=acme.pk)
    before = client.get("/acme/contact.vcf")["Last-Modified"]
    vendor.name = "Acme Mailing"
    vendor.save()
    changes.written(vendor, fields=["name"])
    response = client.get("/acme/contact.vcf", HTTP_IF_MODIFIED_SINCE=before)
    assert response.status_code == 200
    assert "Acme Mailing" in response.content.decode()
    assert response["Last-Modified"] != before
