"""The Atom feeds /<vendor>/changes.atom and /changes.atom, read back with feedparser."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from django.utils import timezone

from articles.facts.models import IPRange, Vendor
from tests.changelog.conftest import ANNOUNCED, RETIRING, START, NoWrites
from tests.conftest import make_article, make_range, make_vendor

pytestmark = pytest.mark.django_db

DAYS = [RETIRING, ANNOUNCED, dt.date(2026, 9, 1), dt.date(2026, 6, 1), START]


def feed(client, url: str, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def tag(day: dt.date, vendor: str = "acme") -> str:
    return f"tag:testserver,2026:changes/{vendor}/{day.isoformat()}"


def midnight(day: dt.date) -> tuple:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC).timetuple()[:6]


def test_one_entry_per_change_set_newest_day_first_with_the_facts(client, history):
    parsed = feed(client, "/acme/changes.atom")
    assert parsed.version == "atom10"
    assert parsed.feed.title.startswith("Changes to Acme Mail's sending addresses and IP ranges")
    assert parsed.feed.link == "http://testserver/acme/changes/"
    assert [entry.id for entry in parsed.entries] == [tag(day) for day in DAYS]
    announced = parsed.entries[1]
    assert announced.title == "Acme Mail, from 2027-01-15 (announced): 2 added"
    assert announced.link == "http://testserver/acme/changes/#on-2027-01-15"
    assert "Add <code>198.51.100.0/24</code> to your allow list by 2027-01-15." in announced.summary
    assert "EU relay &lt;b&gt;" in announced.summary, "the note reaches the reader escaped"
    assert "new@acme.example" in announced.summary
    assert parsed.entries[0].title == "Acme Mail, from 2027-02-01 (announced): 1 removed"
    first = parsed.entries[-1]
    assert first.title == "Acme Mail, 2026-03-01: 5 added"
    assert tuple(first.updated_parsed)[:6] == midnight(START)
    # An announced set is dated by the last edit of the facts that announced it, never in the future.
    assert (
        tuple(announced.updated_parsed)[:6]
        == Vendor.objects.get(pk=history.pk).facts_changed_at.timetuple()[:6]
    )


def test_the_feed_for_all_vendors_holds_each_vendors_entries_unchanged(client, history):
    zeta = make_vendor("zeta", "Zeta Mail", public=True)
    make_range(zeta, "192.0.2.128/25", added_on=dt.date(2026, 7, 1))
    hidden = make_vendor("hidden")
    make_range(hidden, "2001:db8:1::/48", added_on=dt.date(2026, 7, 1))
    every = feed(client, "/changes.atom")
    acme = feed(client, "/acme/changes.atom")
    zeta_feed = feed(client, "/zeta/changes.atom")
    assert [e.id for e in every.entries] == [
        *(tag(day) for day in DAYS[:3]),
        tag(dt.date(2026, 7, 1), "zeta"),
        *(tag(day) for day in DAYS[3:]),
    ]

    def entry(e):
        return (e.id, e.title, e.link, e.summary, tuple(e.updated_parsed))

    assert sorted(map(entry, every.entries)) == sorted(map(entry, acme.entries + zeta_feed.entries))
    assert "2001:db8:1::" not in str(every), "a draft vendor is in no feed"
    assert every.feed.link == "http://testserver/"


def test_entry_ids_stay_the_same_across_edits(client, history):
    before = feed(client, "/acme/changes.atom")
    IPRange.objects.filter(network="192.0.2.0/24").update(public_note="Main pool")
    make_range(history, "198.51.100.128/25", added_on=ANNOUNCED)
    after = feed(client, "/acme/changes.atom")
    assert [e.id for e in after.entries] == [e.id for e in before.entries]
    assert after.entries[1].title == "Acme Mail, from 2027-01-15 (announced): 3 added"
    assert "Main pool" in after.entries[-1].summary


def test_an_announced_entry_is_updated_on_its_day_with_no_write(client, history, clock):
    before = client.get("/acme/changes.atom")
    clock.at(ANNOUNCED, dt.time(0, 0, 1))
    with NoWrites():
        after = client.get("/acme/changes.atom", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    entry = feedparser.parse(after.content).entries[1]
    assert entry.id == tag(ANNOUNCED)
    assert entry.title == "Acme Mail, 2027-01-15: 2 added"
    assert tuple(entry.updated_parsed)[:6] == midnight(ANNOUNCED)
    assert "198.51.100.0/24</code> was added on 2027-01-15: allow it." in entry.summary
    assert feedparser.parse(after.content).feed.updated_parsed[:6] == midnight(ANNOUNCED)


def test_etag_and_304_on_both_feeds(client, history):
    for url in ("/acme/changes.atom", "/changes.atom"):
        first = client.get(url)
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        assert client.post(url).status_code == 405


def test_a_draft_or_unknown_vendor_has_no_feed(client, db):
    draft = make_vendor("hidden")
    make_article(draft, "guide", published=False)
    assert client.get("/hidden/changes.atom").status_code == 404
    assert client.get("/nobody/changes.atom").status_code == 404


def test_an_empty_help_center_has_an_empty_feed(client, db):
    parsed = feed(client, "/changes.atom")
    assert parsed.entries == []
    assert parsed.feed.author == "Safelist Help Center", "RFC 4287: an author, even with no entries"


@pytest.mark.parametrize("url", ["/acme/changes.atom", "/changes.atom"])
def test_query_count_is_constant_with_the_number_of_facts(client, history, django_assert_num_queries, url):
    for count in (2, 30):
        IPRange.objects.filter(network__startswith="45.").delete()
        for n in range(count):
            make_range(history, f"45.0.{n}.0/24", added_on=dt.date(2026, 5, 1))
        with django_assert_num_queries(4):
            parsed = feed(client, url)
        assert parsed.entries[-2].title == f"Acme Mail, 2026-05-01: {count} added"
        assert timezone.now()  # the clock still answers
