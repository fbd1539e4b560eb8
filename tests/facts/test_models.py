"""The facts models (vendors, sender addresses and domains, IP ranges): normalised values,
clear refusals, indexed lookups.

That a refused fact is not stored, on each way one is written, is in ``test_refusals.py``.
"""

import datetime as dt
import ipaddress

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import get_resolver
from django.utils import timezone

from articles.facts.models import RESERVED_SLUGS, IPRange, SenderAddress, SenderDomain, Vendor
from tests.conftest import make_range, make_vendor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("network", "words"),
    [
        ("10.0.0.0/33", "/33 is too long"),
        ("300.1.1.1", "300 is more than 255"),
        ("3.93.157.24/24", "host bits set"),
        ("1.2.3", "it has 3 parts"),
        ("garbage", "not an IP address"),
        ("::ffff:1.2.3.4", "IPv4 address written in IPv6 form"),
        ("2001:db8::/129", "at most /128"),
    ],
)
def test_bad_range_is_refused_with_its_reason(acme, network, words):
    with pytest.raises(ValidationError) as caught:
        IPRange(vendor=acme, network=network, tier="primary").full_clean()
    assert words in " ".join(caught.value.message_dict["network"])


def test_empty_network_is_required(acme):
    with pytest.raises(ValidationError) as caught:
        IPRange(vendor=acme, network="", tier="primary").full_clean()
    assert "network" in caught.value.message_dict


def test_single_address_is_stored_as_a_slash_32(acme):
    ip_range = make_range(acme, "203.0.113.9")
    assert ip_range.network == "203.0.113.9/32"
    assert ip_range.display == "203.0.113.9"
    assert make_range(acme, "2001:DB8::1").network == "2001:db8::1/128"


def test_duplicate_range_for_a_vendor_is_refused(acme):
    with pytest.raises(ValidationError) as caught:
        make_range(acme, "192.0.2.0/24")
    assert "already lists that range" in str(caught.value)


def test_overlapping_ranges_are_accepted(acme):
    make_range(acme, "192.0.2.24", "additional")
    assert IPRange.objects.filter(vendor=acme).count() == 3


def test_retired_before_added_is_refused(acme):
    ip_range = IPRange(
        vendor=acme, network="203.0.113.0/24", added_on=dt.date(2026, 1, 2), retired_on=dt.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as caught:
        ip_range.full_clean()
    assert "retired before it was added" in str(caught.value)


def test_covering_finds_every_range_that_contains_an_address(acme):
    inner = make_range(acme, "192.0.2.24", "additional")
    other = make_vendor("other")
    make_range(other, "192.0.2.0/23")
    make_range(other, "192.0.3.0/24")
    found = IPRange.objects.covering(ipaddress.ip_address("192.0.2.24"))
    assert sorted(r.network for r in found) == ["192.0.2.0/23", "192.0.2.0/24", inner.network]
    assert not IPRange.objects.covering(ipaddress.ip_address("192.1.0.1")).exists()
    assert not IPRange.objects.covering(ipaddress.ip_address("2001:db8::1")).exists()


def test_covering_works_for_ipv6(acme):
    make_range(acme, "2001:db8::/32")
    found = IPRange.objects.covering(ipaddress.ip_address("2001:db8:ffff::1"))
    assert [r.network for r in found] == ["2001:db8::/32"]


def test_retired_ranges_leave_the_active_list(acme):
    IPRange.objects.filter(network="192.0.2.0/24").update(retired_on=dt.date(2020, 1, 1))
    assert list(IPRange.objects.active().values_list("network", flat=True)) == ["198.51.100.7/32"]
    assert IPRange.objects.count() == 2


def test_ip_lookup_uses_the_index_not_a_scan(acme):
    queryset = IPRange.objects.covering(ipaddress.ip_address("192.0.2.24"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A tiny table is cheaper to scan; forbid that to see the plan an
            # index-worthy table gets.
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()
    # PostgreSQL also has iprange_covering_idx on the same key (migration 0004) and may take either.
    assert "iprange_lookup_idx" in plan or "iprange_covering_idx" in plan


@pytest.mark.parametrize("slug", ["admin", "search", "api", "static", "sitemap.xml", "robots.txt", "help"])
def test_vendor_slug_that_shadows_a_site_url_is_refused(slug):
    vendor = Vendor(name="Shadow", slug=slug)
    with pytest.raises(ValidationError) as caught:
        vendor.full_clean()
    messages = " ".join(caught.value.message_dict["slug"])
    assert "the site itself uses" in messages or "valid" in messages


def test_reserved_slugs_cover_every_top_level_url():
    prefixes = set()
    for pattern in get_resolver().url_patterns:
        text = str(pattern.pattern).lstrip("^")
        first = text.split("/")[0]
        if first and "<" not in first:
            prefixes.add(first.rstrip("$"))
    assert prefixes <= RESERVED_SLUGS, prefixes - RESERVED_SLUGS


def test_idn_domain_is_stored_canonically(acme):
    domain = SenderDomain(vendor=acme, domain="bücher.example")
    domain.full_clean()
    domain.save()
    assert SenderDomain.objects.get(pk=domain.pk).domain == "xn--bcher-kva.example"
    assert str(domain) == "bücher.example"


@pytest.mark.parametrize(
    ("model", "field", "value", "words"),
    [
        (SenderDomain, "domain", "bad domain.com", "contains a space"),
        (SenderAddress, "address", "not-an-address", "not an email address"),
    ],
)
def test_bad_sender_domain_or_address_is_refused_with_its_reason(acme, model, field, value, words):
    with pytest.raises(ValidationError) as caught:
        model(vendor=acme, **{field: value}).full_clean()
    assert words in " ".join(caught.value.message_dict[field])


def test_changing_a_fact_moves_the_vendors_facts_date(acme):
    before = Vendor.objects.get(pk=acme.pk).facts_changed_at
    make_range(acme, "203.0.113.0/24")
    assert Vendor.objects.get(pk=acme.pk).facts_changed_at > before


def test_saving_a_vendor_unchanged_keeps_its_facts_date(acme):
    before = Vendor.objects.get(pk=acme.pk).facts_changed_at
    Vendor.objects.get(pk=acme.pk).save()
    assert Vendor.objects.get(pk=acme.pk).facts_changed_at == before


def test_is_active_agrees_with_the_active_queryset(acme):
    today = timezone.localdate()
    for network, retired in (("203.0.113.1", today), ("203.0.113.2", today + dt.timedelta(days=1))):
        make_range(acme, network, added_on=today - dt.timedelta(days=5), retired_on=retired)
    active = set(IPRange.objects.active().values_list("pk", flat=True))
    assert {r.pk for r in IPRange.objects.all() if r.is_active} == active
    assert IPRange.objects.get(network="203.0.113.1/32").is_active is False
