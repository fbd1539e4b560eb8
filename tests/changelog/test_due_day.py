"""An announced addition joins every published list on its day, at midnight, with no write.

The range files (their syncToken and createDate), the vendor hub, the For IT
page, the API, the IP lookup and search all read the facts in force at each
request; search's stored documents are rebuilt by the nightly task.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from articles.downloads.published import iso_utc
from articles.facts.models import SenderAddress
from articles.search import index
from articles.search.engine import search
from articles.search.models import SearchDocument
from articles.services import changes
from articles.tasks.facts_due import reindex_facts_dated
from tests.changelog.conftest import ANNOUNCED, DAY_BEFORE, NoWrites, range_file
from tests.conftest import make_article, make_vendor

pytestmark = pytest.mark.django_db

NETWORK = "198.51.100.0/24"


def midnight_utc(day: dt.date) -> str:
    return iso_utc(dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone()))


def published(client) -> dict:
    """What each public read path says about the announced range."""
    api_ip = json.loads(client.get("/api/ip/198.51.100.5").content)["matches"]
    hits = search("198.51.100.5").networks[0].vendors
    return {
        "vendor file": NETWORK in str(range_file(client)),
        "file for all": NETWORK in str(range_file(client, "/allowlist.json")),
        "txt": NETWORK in client.get("/acme/allowlist.txt").content.decode(),
        "snippet": NETWORK in client.get("/acme/for-it/").content.decode(),
        "api vendor": NETWORK in client.get("/api/vendors/acme").content.decode(),
        "api ip": bool(api_ip),
        "search answer": bool(hits),
    }


@pytest.mark.parametrize("time_zone", ["UTC", "Pacific/Auckland"])
def test_on_its_day_the_range_is_in_every_list_and_the_files_change_with_no_write(
    client, history, clock, settings, time_zone
):
    settings.TIME_ZONE = time_zone
    clock.at(DAY_BEFORE, dt.time(23, 59, 59))
    before = range_file(client)
    every_before = range_file(client, "/allowlist.json")
    hub_before = client.get("/acme/").content.decode()
    assert not any(published(client).values()), published(client)
    assert "2 primary, 0 additional" in hub_before

    clock.at(ANNOUNCED, dt.time(0, 0, 1))
    with NoWrites():
        after = range_file(client)
        every_after = range_file(client, "/allowlist.json")
        assert all(published(client).values()), published(client)
        hub_after = client.get("/acme/").content.decode()
    assert after["syncToken"] != before["syncToken"]
    assert every_after["syncToken"] != every_before["syncToken"]
    assert before["createDate"] < after["createDate"]
    assert after["createDate"] == every_after["createDate"] == midnight_utc(ANNOUNCED)
    assert "2 primary, 1 additional" in hub_after
    assert "new@acme.example" in hub_after and "new@acme.example" not in hub_before


def test_an_address_coming_due_moves_the_facts_changed_time_too(client, db, clock):
    clock.at(dt.date(2027, 1, 2))
    vendor = make_vendor("quiet", public=True)
    changes.written(
        SenderAddress.objects.create(vendor=vendor, address="soon@quiet.example", added_on=ANNOUNCED)
    )
    clock.at(DAY_BEFORE)
    assert json.loads(client.get("/api/vendors/quiet").content)["facts_changed_at"] == "2027-01-02T12:00:00Z"
    clock.at(ANNOUNCED)
    assert json.loads(client.get("/api/vendors/quiet").content)["facts_changed_at"] == midnight_utc(ANNOUNCED)
    assert b"soon@quiet.example" in client.get("/quiet/contact.vcf").content


def test_the_nightly_task_puts_an_addition_that_came_due_into_the_search_documents(history, clock):
    article = make_article(history, "guide")
    index.reindex([article.pk])
    assert NETWORK not in SearchDocument.objects.get(article=article).details
    clock.at(ANNOUNCED, dt.time(0, 1))
    # What the worker's task just after midnight runs (tests/tasks/test_facts_due.py pins its schedule).
    assert reindex_facts_dated(timezone.localdate()) == history.articles.count()
    details = SearchDocument.objects.get(article=article).details
    assert NETWORK in details and "new@acme.example" in details
