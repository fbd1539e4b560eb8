"""The trace of each fact (revisions/trace.py): who added, changed and retired it, and when, from the revisions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Revision

from articles.facts.models import IPRange, SenderAddress, Vendor
from articles.revisions.trace import format_day, traces, vendor_history
from tests.admin.forms import add_inline_row, errors_shown, inline_row, vendor_form, vendor_url
from tests.conftest import make_range, make_vendor, publish

TODAY = timezone.localdate()
DAY = format_day(TODAY)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser(username, f"{username}@staff.example", "x"))
    return client


def save(client: Client, vendor: Vendor, data: dict) -> None:
    response = client.post(vendor_url(vendor), data)
    assert response.status_code == 302, errors_shown(response)


def history_cells(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", cell).strip()
        for cell in re.findall(r'<td class="field-history">\s*<p>(.*?)</p>', html, re.S)
    ]


@pytest.fixture
def two_saves(acme):
    """Alice adds an address and a range; Bob then changes the address and retires the range."""
    publish(acme)
    alice, bob = signed_in("alice"), signed_in("bob")
    data = add_inline_row(vendor_form(alice, acme), "sender_addresses", address="news@acme.example")
    data = add_inline_row(
        data, "ip_ranges", network="203.0.113.0/24", tier="primary", added_on=TODAY.isoformat()
    )
    save(alice, acme, data)
    address = acme.sender_addresses.get(address="news@acme.example")
    ip_range = acme.ip_ranges.get(network="203.0.113.0/24")
    data = vendor_form(bob, acme)
    data[f"{inline_row(data, 'sender_addresses', address.pk)}-used_for"] = "newsletters"
    data[f"{inline_row(data, 'ip_ranges', ip_range.pk)}-retired_on"] = TODAY.isoformat()
    save(bob, acme, data)
    return {"vendor": acme, "address": address, "range": ip_range, "bob": bob}


def test_the_trace_names_who_added_changed_and_retired_each_fact(two_saves):
    address, ip_range = two_saves["address"], two_saves["range"]
    address.refresh_from_db()
    ip_range.refresh_from_db()
    assert str(traces(SenderAddress, [address])[address.pk]) == f"Added {DAY} by alice · changed {DAY} by bob"
    assert str(traces(IPRange, [ip_range])[ip_range.pk]) == f"Added {DAY} by alice · retired {DAY} by bob"


def test_a_fact_saved_again_unchanged_keeps_its_trace(two_saves):
    """Every save of the vendor keeps every fact; only a difference counts as a change."""
    vendor = two_saves["vendor"]
    carol = signed_in("carol")
    data = vendor_form(carol, vendor)
    data["description"] = "Only the description changed."
    save(carol, vendor, data)
    address = SenderAddress.objects.get(pk=two_saves["address"].pk)
    assert str(traces(SenderAddress, [address])[address.pk]) == f"Added {DAY} by alice · changed {DAY} by bob"


def test_the_vendor_page_shows_each_facts_history_in_its_row(two_saves):
    html = two_saves["bob"].get(vendor_url(two_saves["vendor"])).content.decode()
    cells = history_cells(html)
    assert f"Added {DAY} by alice · changed {DAY} by bob" in cells
    assert f"Added {DAY} by alice · retired {DAY} by bob" in cells


def test_the_range_page_shows_its_history(two_saves):
    ip_range = two_saves["range"]
    html = two_saves["bob"].get(f"/admin/articles/iprange/{ip_range.pk}/change/").content.decode()
    assert f"Added {DAY} by alice · retired {DAY} by bob" in html


def test_a_fact_from_before_revisions_says_so_with_its_added_date(admin_client, db):
    vendor = make_vendor("oldco", "Old Co")
    Vendor.objects.filter(pk=vendor.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    # Stored before revisions were kept: no revision names it.
    address = SenderAddress.objects.create(
        vendor=vendor, address="news@oldco.example", added_on=dt.date(2024, 3, 1)
    )
    assert (
        str(traces(SenderAddress, [address])[address.pk])
        == "Added on 1 Mar 2024 (before revisions were kept)"
    )
    # The first revision of the vendor finds it there: still not the day it was added.
    data = vendor_form(admin_client, vendor)
    data["description"] = "Kept since today."
    assert admin_client.post(vendor_url(vendor), data).status_code == 302
    assert Revision.objects.exists()
    assert (
        str(traces(SenderAddress, [address])[address.pk])
        == "Added on 1 Mar 2024 (before revisions were kept)"
    )
    html = admin_client.get(vendor_url(vendor)).content.decode()
    assert "Added on 1 Mar 2024 (before revisions were kept)" in history_cells(html)


def test_a_fact_added_in_a_later_revision_is_dated_by_it_even_if_backdated(admin_client, acme):
    data = add_inline_row(
        vendor_form(admin_client, acme), "sender_addresses", address="old@acme.example", added_on="2020-01-01"
    )
    assert admin_client.post(vendor_url(acme), data).status_code == 302
    address = acme.sender_addresses.get(address="old@acme.example")
    assert str(traces(SenderAddress, [address])[address.pk]) == f"Added {DAY} by admin"


def test_the_trace_of_many_facts_costs_two_queries(acme, django_assert_num_queries):
    for n in range(20):
        make_range(acme, f"45.0.{n}.0/24")
    ranges = list(acme.ip_ranges.all())
    traces(IPRange, ranges[:1])  # content types are cached from here on, as in any request
    with django_assert_num_queries(2):
        found = traces(IPRange, ranges)
    assert set(found) == {r.pk for r in ranges}
    with django_assert_num_queries(2):
        vendor_history(acme.pk)


def _page_queries(client, vendor, capture) -> int:
    client.get(vendor_url(vendor))
    with capture() as context:
        assert client.get(vendor_url(vendor)).status_code == 200
    return len(context.captured_queries)


def test_the_vendor_page_costs_the_same_queries_with_3_and_with_40_ranges(admin_client, db):
    def capture():
        return CaptureQueriesContext(connection)

    few = make_vendor("few", public=True)
    make_range(few, "45.1.0.0/24")
    make_range(few, "45.1.1.0/24")
    make_range(few, "45.1.2.0/24", retired_on=TODAY + dt.timedelta(days=3))
    many = make_vendor("many", public=True)
    for n in range(40):
        make_range(many, f"45.2.{n}.0/24", retired_on=TODAY if n % 4 == 0 else None)
    assert _page_queries(admin_client, few, capture) == _page_queries(admin_client, many, capture)
