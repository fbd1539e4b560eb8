"""Retiring sender addresses and domains, and the facts of a public vendor that cannot be deleted.

A retired address or domain leaves every public surface on its retirement
day (a date still to come keeps it listed until then) and may be listed
again afterwards; a vendor readers can see has its addresses, domains and
ranges retired, never deleted, from the admin.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.http import http_date

from articles.content.models import Article
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.search.models import SearchDocument
from articles.services import changes
from tests.admin.forms import add_inline_row, errors_shown, form_data, inline_row, vendor_form, vendor_url
from tests.conftest import make_article, make_range, publish

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)
LONG_AGO = dt.date(2024, 1, 1)


@pytest.fixture
def public_acme(acme):
    """Acme, public, with a guide that names its primary address and domain, and a second address and domain."""
    publish(acme)
    acme.sender_addresses.update(position=10)  # the old address comes first: the primary one
    make_article(acme, "guide", body="Write to {{ primary_address }} from {{ primary_domain }}.")
    old_address = SenderAddress.objects.create(
        vendor=acme, address="old@aaa-legacy.example", used_for="old digests", position=0, added_on=LONG_AGO
    )
    old_domain = SenderDomain.objects.create(vendor=acme, domain="aaa-legacy.example", added_on=LONG_AGO)
    changes.written(old_address)
    changes.written(old_domain)
    return acme


def retire(fact, on: dt.date) -> None:
    fact.retired_on = on
    fact.save()
    changes.written(fact)


def surfaces(client, vendor) -> dict[str, str]:
    """What readers get from each public surface that shows sender addresses or domains."""
    return {
        "article": client.get(f"/{vendor.slug}/guide/").content.decode(),
        "hub": client.get(f"/{vendor.slug}/").content.decode(),
        "vcard": client.get(f"/{vendor.slug}/contact.vcf").content.decode(),
        "gmail filter": client.get(f"/{vendor.slug}/gmail-filter.xml").content.decode(),
        "api": json.dumps(json.loads(client.get(f"/api/vendors/{vendor.slug}").content)),
        "search document": SearchDocument.objects.get(article__slug="guide", article__vendor=vendor).details,
    }


def test_a_retired_address_and_domain_leave_every_public_surface(client, public_acme):
    address = public_acme.sender_addresses.get(address="old@aaa-legacy.example")
    domain = public_acme.sender_domains.get(domain="aaa-legacy.example")
    before = surfaces(client, public_acme)
    for name, text in before.items():
        assert "old@aaa-legacy.example" in text, name
    assert "Write to old@aaa-legacy.example from aaa-legacy.example." in before["article"]
    assert "aaa-legacy.example" in before["api"]

    retire(address, YESTERDAY)
    retire(domain, YESTERDAY)

    after = surfaces(client, public_acme)
    for name, text in after.items():
        assert "old@aaa-legacy.example" not in text, name
        assert "aaa-legacy.example" not in text, name
    # The placeholders now name the first address and domain in force.
    assert "Write to alerts@acme.example from acme.example." in after["article"]
    assert "alerts@acme.example" in after["vcard"]


def test_a_search_for_a_retired_address_or_domain_no_longer_names_the_vendor(client, public_acme):
    address = public_acme.sender_addresses.get(address="old@aaa-legacy.example")
    domain = public_acme.sender_domains.get(domain="aaa-legacy.example")
    assert (
        "Who sends from old@aaa-legacy.example"
        in client.get("/search/", {"q": "old@aaa-legacy.example"}).content.decode()
    )
    assert "Acme Mail" in client.get("/search/", {"q": "aaa-legacy.example"}).content.decode()
    retire(address, YESTERDAY)
    retire(domain, YESTERDAY)
    html = client.get("/search/", {"q": "old@aaa-legacy.example"}).content.decode()
    assert "Who sends from old@aaa-legacy.example" not in html
    html = client.get("/search/", {"q": "aaa-legacy.example"}).content.decode()
    assert "Who sends from aaa-legacy.example" not in html


def test_a_retirement_still_to_come_keeps_the_fact_listed_until_that_day(client, public_acme):
    address = public_acme.sender_addresses.get(address="old@aaa-legacy.example")
    domain = public_acme.sender_domains.get(domain="aaa-legacy.example")
    retire(address, TOMORROW)
    retire(domain, TOMORROW)
    for name, text in surfaces(client, public_acme).items():
        assert "old@aaa-legacy.example" in text, name
    assert address.is_active and domain.is_active
    # On the day itself the database leaves them out, with no write.
    assert address not in SenderAddress.objects.active(on=TOMORROW)
    assert domain not in SenderDomain.objects.active(on=TOMORROW)
    assert address in SenderAddress.objects.active(on=TODAY)


def test_the_downloads_move_their_last_modified_when_an_address_retirement_takes_effect(client, public_acme):
    address = public_acme.sender_addresses.get(address="old@aaa-legacy.example")
    public_acme.refresh_from_db()
    long_before = timezone.now() - dt.timedelta(days=30)
    public_acme.__class__.objects.filter(pk=public_acme.pk).update(facts_changed_at=long_before)
    # Every fact listed, and the vendor public, since long before too: either would be a later change.
    for model in (SenderAddress, SenderDomain, IPRange):
        model.objects.filter(vendor=public_acme).update(added_on=long_before.date())
    Article.objects.filter(vendor=public_acme).update(published_at=long_before)
    SenderAddress.objects.filter(pk=address.pk).update(retired_on=YESTERDAY)  # no "facts changed" write
    modified = client.get(f"/{public_acme.slug}/contact.vcf")["Last-Modified"]
    took_effect = dt.datetime.combine(YESTERDAY, dt.time.min, tzinfo=timezone.get_current_timezone())
    assert modified == http_date(took_effect.timestamp())


def test_an_address_and_a_domain_may_be_listed_again_once_retired(public_acme):
    address = public_acme.sender_addresses.get(address="old@aaa-legacy.example")
    domain = public_acme.sender_domains.get(domain="aaa-legacy.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        SenderAddress.objects.create(vendor=public_acme, address="old@aaa-legacy.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        SenderDomain.objects.create(vendor=public_acme, domain="aaa-legacy.example")
    retire(address, YESTERDAY)
    retire(domain, YESTERDAY)
    again = SenderAddress.objects.create(vendor=public_acme, address="old@aaa-legacy.example")
    SenderDomain.objects.create(vendor=public_acme, domain="aaa-legacy.example")
    assert list(public_acme.sender_addresses.active().filter(address="old@aaa-legacy.example")) == [again]
    assert public_acme.sender_addresses.filter(address="old@aaa-legacy.example").count() == 2


def test_the_vendor_page_lists_an_address_again_beside_its_retired_row(admin_client, public_acme):
    retire(public_acme.sender_addresses.get(address="old@aaa-legacy.example"), YESTERDAY)
    retire(public_acme.sender_domains.get(domain="aaa-legacy.example"), YESTERDAY)
    data = add_inline_row(
        vendor_form(admin_client, public_acme), "sender_addresses", address="old@aaa-legacy.example"
    )
    data = add_inline_row(data, "sender_domains", domain="aaa-legacy.example")
    response = admin_client.post(vendor_url(public_acme), data)
    assert response.status_code == 302, errors_shown(response)
    assert public_acme.sender_addresses.active().filter(address="old@aaa-legacy.example").count() == 1
    assert public_acme.sender_addresses.filter(address="old@aaa-legacy.example").count() == 2
    assert public_acme.sender_domains.active().filter(domain="aaa-legacy.example").count() == 1


def test_the_vendor_page_refuses_a_retirement_before_the_address_was_added(admin_client, public_acme):
    address = public_acme.sender_addresses.get(address="old@aaa-legacy.example")
    data = vendor_form(admin_client, public_acme)
    data[f"{inline_row(data, 'sender_addresses', address.pk)}-retired_on"] = "2023-01-01"
    response = admin_client.post(vendor_url(public_acme), data)
    assert response.status_code == 200
    assert "A sender address cannot be retired before it was added." in errors_shown(response)
    address.refresh_from_db()
    assert address.retired_on is None


def test_the_vendor_page_retires_an_address_through_its_field(admin_client, public_acme):
    address = public_acme.sender_addresses.get(address="old@aaa-legacy.example")
    data = vendor_form(admin_client, public_acme)
    data[f"{inline_row(data, 'sender_addresses', address.pk)}-retired_on"] = TODAY.isoformat()
    assert admin_client.post(vendor_url(public_acme), data).status_code == 302
    address.refresh_from_db()
    assert address.retired_on == TODAY
    assert not address.is_active


# Deleting: a draft vendor's mistakes may go, a public vendor's facts are retired --------------


def delete_boxes(html: str) -> list[str]:
    return [
        prefix
        for prefix in ("sender_addresses", "sender_domains", "ip_ranges")
        if f'name="{prefix}-0-DELETE"' in html
    ]


def test_a_public_vendors_page_offers_no_delete_box_for_its_facts(admin_client, public_acme):
    assert delete_boxes(admin_client.get(vendor_url(public_acme)).content.decode()) == []


def test_a_draft_vendors_page_lets_staff_delete_a_fact_entered_by_mistake(admin_client, acme):
    html = admin_client.get(vendor_url(acme)).content.decode()
    assert delete_boxes(html) == ["sender_addresses", "sender_domains", "ip_ranges"]
    ip_range = acme.ip_ranges.get(network="198.51.100.7/32")
    address = acme.sender_addresses.get()
    data = vendor_form(admin_client, acme)
    data[f"{inline_row(data, 'ip_ranges', ip_range.pk)}-DELETE"] = "on"
    data[f"{inline_row(data, 'sender_addresses', address.pk)}-DELETE"] = "on"
    assert admin_client.post(vendor_url(acme), data).status_code == 302
    assert not IPRange.objects.filter(pk=ip_range.pk).exists()
    assert not SenderAddress.objects.filter(pk=address.pk).exists()


def test_a_forged_delete_of_a_public_vendors_facts_deletes_nothing(admin_client, public_acme):
    data = vendor_form(admin_client, public_acme)
    rows = {
        "sender_addresses": public_acme.sender_addresses.get(address="alerts@acme.example").pk,
        "sender_domains": public_acme.sender_domains.get(domain="acme.example").pk,
        "ip_ranges": public_acme.ip_ranges.get(network="192.0.2.0/24").pk,
    }
    for prefix, pk in rows.items():
        data[f"{inline_row(data, prefix, pk)}-DELETE"] = "on"
    before = (SenderAddress.objects.count(), SenderDomain.objects.count(), IPRange.objects.count())
    admin_client.post(vendor_url(public_acme), data)
    assert (SenderAddress.objects.count(), SenderDomain.objects.count(), IPRange.objects.count()) == before


def range_delete_url(ip_range: IPRange) -> str:
    return f"/admin/articles/iprange/{ip_range.pk}/delete/"


def test_a_public_vendors_range_cannot_be_deleted_from_its_own_page(admin_client, public_acme):
    ip_range = public_acme.ip_ranges.get(network="192.0.2.0/24")
    change_page = admin_client.get(f"/admin/articles/iprange/{ip_range.pk}/change/").content.decode()
    assert range_delete_url(ip_range) not in change_page
    refused = admin_client.get(range_delete_url(ip_range))
    assert refused.status_code == 403
    assert "retire it instead" in refused.content.decode(), "the refusal says what to do"
    assert admin_client.post(range_delete_url(ip_range), {"post": "yes"}).status_code == 403
    assert IPRange.objects.filter(pk=ip_range.pk).exists()


def test_a_draft_vendors_range_can_be_deleted_as_a_mistake(admin_client, acme):
    ip_range = acme.ip_ranges.get(network="192.0.2.0/24")
    assert admin_client.get(range_delete_url(ip_range)).status_code == 200
    assert admin_client.post(range_delete_url(ip_range), {"post": "yes"}).status_code == 302
    assert not IPRange.objects.filter(pk=ip_range.pk).exists()


# What the admin shows of a retirement still to come -------------------------------------------


def test_a_range_retiring_later_shows_its_day_on_the_vendor_page_and_in_the_list(admin_client, public_acme):
    later = make_range(public_acme, "203.0.113.0/24", added_on=LONG_AGO, retired_on=TOMORROW)
    day = f"{TOMORROW.day} {TOMORROW:%b %Y}"
    html = admin_client.get(vendor_url(public_acme)).content.decode()
    assert f"retires on {day}" in html
    listing = admin_client.get("/admin/articles/iprange/").content.decode()
    assert f"Yes, retires on {day}" in listing
    filtered = admin_client.get("/admin/articles/iprange/?retired=later").content.decode()
    assert "203.0.113.0/24" in filtered and "192.0.2.0/24" not in filtered
    assert later.is_active


def test_an_address_retiring_later_shows_its_day_in_its_history(admin_client, public_acme):
    retire(public_acme.sender_addresses.get(address="old@aaa-legacy.example"), TOMORROW)
    html = admin_client.get(vendor_url(public_acme)).content.decode()
    assert f"retires on {TOMORROW.day} {TOMORROW:%b %Y}" in html


def test_an_address_left_without_an_added_date_is_added_today(admin_client, public_acme):
    data = add_inline_row(
        vendor_form(admin_client, public_acme), "sender_addresses", address="new@acme.example"
    )
    assert admin_client.post(vendor_url(public_acme), data).status_code == 302
    assert public_acme.sender_addresses.get(address="new@acme.example").added_on == TODAY


def test_the_page_form_has_the_new_date_fields(admin_client, public_acme):
    data = form_data(admin_client.get(vendor_url(public_acme)), "vendor_form")
    assert {
        "sender_addresses-0-added_on",
        "sender_addresses-0-retired_on",
        "sender_domains-0-retired_on",
    } <= set(data)


def test_a_public_vendor_cannot_be_deleted_with_its_published_ranges(admin_client, public_acme):
    response = admin_client.get(vendor_url(public_acme, "delete/"))
    assert "have permission to delete the following types of objects" in response.content.decode()
    admin_client.post(vendor_url(public_acme, "delete/"), {"post": "yes"})  # refused: the page again, or 403
    assert public_acme.ip_ranges.count() == 2
    assert Vendor.objects.filter(pk=public_acme.pk).exists()


def test_a_draft_vendors_delete_page_checks_its_ranges_in_one_query(
    admin_client, acme, django_assert_max_num_queries
):
    for n in range(20):
        make_range(acme, f"45.3.{n}.0/24")
    admin_client.get(vendor_url(acme, "delete/"))
    with django_assert_max_num_queries(30):
        assert admin_client.get(vendor_url(acme, "delete/")).status_code == 200
    assert admin_client.post(vendor_url(acme, "delete/"), {"post": "yes"}).status_code == 302
    assert not IPRange.objects.filter(vendor_id=acme.pk).exists()
