"""The change log page, /<vendor>/changes/: upcoming first, then past by date, each said as an action."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.content.models import Article
from articles.facts.models import IPRange
from tests.changelog.conftest import ANNOUNCED, NoWrites
from tests.conftest import make_article, make_range, make_vendor

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's text, tags removed, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_upcoming_changes_come_first_soonest_first_then_past_ones_newest_first(client, history):
    page = text(client.get("/acme/changes/"))
    upcoming, past = page.split("Upcoming changes", 1)[1].split("Past changes", 1)
    assert upcoming.index("15 January 2027") < upcoming.index("1 February 2027")
    assert "Add 198.51.100.0/24 to your allow list by 2027-01-15." in upcoming
    assert "Additional: if mail is still blocked · EU relay &lt;b&gt;" in upcoming, "the public note, escaped"
    assert "Add the sender address new@acme.example to your safe senders by 2027-01-15." in upcoming
    assert (
        "You may remove 203.0.113.0/24 from your allow list from 2027-02-01; keep it until then." in upcoming
    )
    days = ["1 September 2026", "1 June 2026", "1 March 2026"]
    assert [past.index(day) for day in days] == sorted(past.index(day) for day in days)
    assert "2001:db8::/32 was retired on 2026-06-01: you may remove it from your allow list." in past
    assert "192.0.2.0/24 was added on 2026-03-01: allow it. Primary: allow these first" in past
    assert "The sender domain acme.example was added on 2026-03-01" in past
    assert "The sender address old@acme.example was retired on 2026-09-01" in past
    assert "198.51.100.0/24" not in past


def test_an_announced_change_moves_to_the_past_on_its_day_with_no_write(client, history, clock):
    before = client.get("/acme/changes/")
    clock.at(ANNOUNCED, timezone.datetime.min.time())
    with NoWrites():
        after = client.get("/acme/changes/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200, "the page changed at midnight"
    upcoming, past = text(after).split("Upcoming changes", 1)[1].split("Past changes", 1)
    assert "198.51.100.0/24" not in upcoming
    assert "198.51.100.0/24 was added on 2027-01-15: allow it." in past
    assert "You may remove 203.0.113.0/24" in upcoming


def test_the_page_links_its_feed_the_api_and_the_range_file(client, history):
    body = client.get("/acme/changes/").content.decode()
    assert 'type="application/atom+xml"' in body and 'href="/acme/changes.atom"' in body
    assert 'href="/api/vendors/acme/changes"' in body and 'href="/acme/allowlist.json"' in body


def test_a_vendor_without_facts_gets_an_honest_empty_page(client, db):
    make_vendor("quiet", "Quiet Mail", public=True)
    page = text(client.get("/quiet/changes/"))
    assert "Quiet Mail has announced no changes." in page
    assert "No changes are on record for Quiet Mail yet." in page


def test_a_draft_or_unknown_vendor_is_a_404(client, db):
    draft = make_vendor("hidden")
    make_article(draft, "guide", published=False)
    make_range(draft, "192.0.2.0/24")
    assert client.get("/hidden/changes/").status_code == 404
    assert client.get("/nobody/changes/").status_code == 404


def test_etag_and_304_and_no_other_methods(client, history):
    first = client.get("/acme/changes/")
    assert first.status_code == 200 and first["ETag"]
    assert client.get("/acme/changes/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    IPRange.objects.filter(network="192.0.2.0/24").update(public_note="Main pool")
    assert client.get("/acme/changes/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    assert client.post("/acme/changes/").status_code == 405


def test_query_count_is_constant_with_the_number_of_facts(client, history, django_assert_num_queries):
    for count in (2, 30):
        IPRange.objects.filter(network__startswith="45.").delete()
        for n in range(count):
            make_range(history, f"45.0.{n}.0/24", added_on=ANNOUNCED)
        with django_assert_num_queries(4):
            page = client.get("/acme/changes/")
        assert page.content.decode().count("45.0.") == count


def test_the_admin_shows_an_announced_range_as_not_yet_listed(history, admin_client):
    # history first: the sign-in happens on the fixed clock, so its session has not expired.
    vendor_page = admin_client.get(f"/admin/articles/vendor/{history.pk}/change/").content.decode()
    assert "Not yet, listed from 15 Jan 2027" in vendor_page
    assert "retires on 1 Feb 2027" in vendor_page
    ranges = admin_client.get("/admin/articles/iprange/").content.decode()
    assert "Not yet, listed from 15 Jan 2027" in ranges


def test_no_article_of_a_vendor_may_take_the_change_logs_address(db):
    vendor = make_vendor("acme", public=True)
    article = Article(vendor=vendor, slug="changes", title="Changes", kind=Article.Kind.GUIDE)
    with pytest.raises(ValidationError) as refused:
        article.full_clean()
    assert refused.value.error_dict["slug"][0].code == "reserved_slug"
    assert not Article.objects.filter(slug="changes").exists()
