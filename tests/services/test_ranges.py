"""Services that add and retire a vendor's IP ranges: all or nothing, never a silent delete."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from articles.facts.models import IPRange, Vendor
from articles.services import ranges as services
from tests.conftest import make_range, make_vendor

net = ipaddress.ip_network


def stored(vendor: Vendor) -> list[tuple]:
    """Everything stored about a vendor's ranges, to show that nothing changed."""
    return list(
        IPRange.objects.filter(vendor=vendor)
        .order_by("pk")
        .values_list("network", "tier", "public_note", "staff_note", "added_on", "retired_on")
    )


def facts_changed_at(vendor: Vendor):
    return Vendor.objects.values_list("facts_changed_at", flat=True).get(pk=vendor.pk)


@pytest.mark.django_db
def test_check_saves_nothing_and_runs_one_query(django_assert_num_queries):
    vendor = make_vendor("acme")
    with django_assert_num_queries(1):
        check = services.vendor_ranges_check(vendor=vendor, text="192.0.2.0/24\n198.51.100.7")
    assert check.ok
    assert check.to_add == [net("192.0.2.0/24"), net("198.51.100.7/32")]
    assert not IPRange.objects.exists()


@pytest.mark.django_db
def test_check_tells_a_listed_range_from_a_line_repeated_in_the_paste():
    vendor = make_vendor("acme", "Acme Mail")
    make_range(vendor, "192.0.2.0/24")
    check = services.vendor_ranges_check(vendor=vendor, text="192.0.2.0/24\n198.51.100.7\n\n198.51.100.7/32")
    assert [line.status for line in check.lines] == ["duplicate", "normalised", "duplicate"]
    assert check.lines[0].message == "192.0.2.0/24 is already listed for Acme Mail; this line is skipped."
    assert check.lines[2].message == "198.51.100.7/32 repeats line 2; this line is skipped."
    assert check.lines[2].verdict.line_number == 4


@pytest.mark.django_db
def test_check_flags_overlaps_with_listed_ranges_and_other_lines_without_refusing_them():
    vendor = make_vendor("smarttrak")
    make_range(vendor, "3.93.157.0/24", "additional")
    check = services.vendor_ranges_check(
        vendor=vendor, text="3.93.157.24\n141.193.184.0/24\n141.193.184.64/26"
    )
    assert check.ok
    assert [line.overlaps for line in check.lines] == [
        "inside 3.93.157.0/24 (already listed)",
        "contains 141.193.184.64/26 (line 3)",
        "inside 141.193.184.0/24 (line 2)",
    ]


@pytest.mark.django_db
def test_check_shows_the_shortest_equivalent_list_of_everything_published_after_saving():
    vendor = make_vendor("acme")
    make_range(vendor, "192.0.2.0/25")
    make_range(vendor, "203.0.113.0/24", retired_on=timezone.localdate())
    check = services.vendor_ranges_check(vendor=vendor, text="192.0.2.128/25")
    assert check.after == [net("192.0.2.0/25"), net("192.0.2.128/25")]
    assert check.shortest == [net("192.0.2.0/24")]
    assert check.can_be_shorter


@pytest.mark.django_db
def test_check_accepts_again_a_range_that_was_retired():
    vendor = make_vendor("acme")
    make_range(vendor, "192.0.2.0/24", retired_on=timezone.localdate())
    check = services.vendor_ranges_check(vendor=vendor, text="192.0.2.0/24")
    assert [line.status for line in check.lines] == ["accepted"]


# vendor_ranges_add --------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_saves_accepted_and_normalised_lines_with_tier_and_both_notes():
    vendor = make_vendor("acme")
    verdicts = services.vendor_ranges_add(
        vendor=vendor,
        text="[3.93.157.24]\n2001:DB8::/32\n",
        tier="additional",
        public_note="US pool",
        staff_note="from the 2025 list",
    )
    assert [v.status for v in verdicts] == ["normalised", "normalised"]
    ranges = IPRange.objects.filter(vendor=vendor).order_by("version")
    assert [(r.network, r.tier, r.public_note, r.staff_note, r.added_on) for r in ranges] == [
        ("3.93.157.24/32", "additional", "US pool", "from the 2025 list", timezone.localdate()),
        ("2001:db8::/32", "additional", "US pool", "from the 2025 list", timezone.localdate()),
    ]


@pytest.mark.django_db
def test_add_skips_duplicates_and_keeps_the_listed_range_as_it_was():
    vendor = make_vendor("acme")
    make_range(vendor, "192.0.2.0/24", "primary", staff_note="original")
    services.vendor_ranges_add(
        vendor=vendor, text="192.0.2.0/24\n198.51.100.7\n198.51.100.7", tier="additional"
    )
    assert stored(vendor) == [
        ("192.0.2.0/24", "primary", "", "original", timezone.localdate(), None),
        ("198.51.100.7/32", "additional", "", "", timezone.localdate(), None),
    ]


@pytest.mark.django_db
def test_add_saves_overlapping_ranges():
    vendor = make_vendor("acme")
    make_range(vendor, "3.93.157.0/24", "additional")
    services.vendor_ranges_add(vendor=vendor, text="3.93.157.24", tier="primary")
    assert IPRange.objects.filter(vendor=vendor).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "192.0.2.1\n10.0.0.0/33",
        "300.1.1.1",
        "3.93.157.24/24\n192.0.2.1",
        "1.2.3",
        "",
        "garbage",
        "::ffff:1.2.3.4",
    ],
)
def test_add_saves_nothing_when_any_line_is_invalid(text):
    vendor = make_vendor("acme")
    make_range(vendor, "198.51.100.0/24")
    before, changed_at = stored(vendor), facts_changed_at(vendor)
    verdicts = services.vendor_ranges_add(vendor=vendor, text=text, tier="primary")
    assert any(v.status == "invalid" for v in verdicts)
    assert stored(vendor) == before
    assert facts_changed_at(vendor) == changed_at


@pytest.mark.django_db(transaction=True)
def test_add_is_atomic_when_a_save_fails_part_way(monkeypatch):
    vendor = make_vendor("acme")
    before, changed_at = stored(vendor), facts_changed_at(vendor)
    # One row to an INSERT, and the third row one the database refuses (its IP version check,
    # which guards the database alone): the third statement fails after two have run.
    monkeypatch.setattr(services, "BULK_BATCH", 1)
    real_derive = IPRange.derive_lookup_fields

    def corrupt_the_third(self, network=None):
        real_derive(self, network)
        if self.network == "192.0.2.3/32":
            self.version = 5

    monkeypatch.setattr(IPRange, "derive_lookup_fields", corrupt_the_third)
    with pytest.raises(IntegrityError):
        services.vendor_ranges_add(vendor=vendor, text="192.0.2.1\n192.0.2.2\n192.0.2.3", tier="primary")
    assert stored(vendor) == before
    assert facts_changed_at(vendor) == changed_at


@pytest.mark.django_db
def test_add_refuses_an_unknown_tier_and_saves_nothing():
    vendor = make_vendor("acme")
    with pytest.raises(ValidationError) as raised:
        services.vendor_ranges_add(vendor=vendor, text="192.0.2.1", tier="platinum")
    assert "tier" in raised.value.message_dict
    assert stored(vendor) == []


@pytest.mark.django_db
def test_add_moves_the_vendors_facts_changed_time():
    vendor = make_vendor("acme")
    Vendor.objects.filter(pk=vendor.pk).update(facts_changed_at=timezone.now() - dt.timedelta(days=3))
    before = facts_changed_at(vendor)
    services.vendor_ranges_add(vendor=vendor, text="192.0.2.1", tier="primary")
    assert facts_changed_at(vendor) > before


# ip_ranges_retire ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_retire_keeps_the_row_and_takes_it_out_of_the_published_list():
    vendor = make_vendor("acme")
    kept = make_range(vendor, "192.0.2.0/24")
    gone = make_range(vendor, "198.51.100.0/24")
    retired = services.ip_ranges_retire(ranges=IPRange.objects.filter(pk=gone.pk))
    assert retired == [gone]
    gone.refresh_from_db()
    assert gone.retired_on == timezone.localdate()
    assert IPRange.objects.filter(vendor=vendor).count() == 2
    assert list(IPRange.objects.active().filter(vendor=vendor)) == [kept]


@pytest.mark.django_db
def test_retire_leaves_an_earlier_retirement_date_alone_and_brings_a_later_one_forward():
    vendor = make_vendor("acme")
    today = timezone.localdate()
    earlier = make_range(
        vendor, "192.0.2.0/24", added_on=today - dt.timedelta(days=9), retired_on=today - dt.timedelta(days=3)
    )
    later = make_range(vendor, "198.51.100.0/24", retired_on=today + dt.timedelta(days=30))
    retired = services.ip_ranges_retire(ranges=IPRange.objects.filter(vendor=vendor))
    assert retired == [later]
    earlier.refresh_from_db()
    later.refresh_from_db()
    assert earlier.retired_on == today - dt.timedelta(days=3)
    assert later.retired_on == today


@pytest.mark.django_db
def test_retire_refuses_a_date_before_the_range_was_added_and_changes_nothing():
    vendor = make_vendor("acme")
    today = timezone.localdate()
    make_range(vendor, "192.0.2.0/24")
    make_range(vendor, "198.51.100.0/24", added_on=today + dt.timedelta(days=5))
    before = stored(vendor)
    with pytest.raises(ValidationError, match="cannot be retired before it was added"):
        services.ip_ranges_retire(ranges=IPRange.objects.filter(vendor=vendor).order_by("pk"))
    assert stored(vendor) == before


@pytest.mark.django_db
def test_a_range_announced_for_a_later_day_is_a_duplicate_not_a_database_error():
    vendor = make_vendor("acme")
    later = timezone.localdate() + dt.timedelta(days=10)
    make_range(vendor, "198.51.100.0/24", added_on=later)
    verdicts = services.vendor_ranges_add(
        vendor=vendor, text="198.51.100.0/24\n203.0.113.0/24", tier="primary"
    )
    assert [v.status for v in verdicts] == ["duplicate", "accepted"]
    check = services.vendor_ranges_check(vendor=vendor, text="198.51.100.0/24")
    assert check.lines[0].message == (
        f"198.51.100.0/24 is already announced for Acme from {later.day} {later:%b %Y}; this line is skipped."
    )
    assert IPRange.objects.filter(vendor=vendor, network="198.51.100.0/24").count() == 1
