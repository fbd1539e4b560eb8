"""Importing vendors and their facts: sender addresses, domains, IP ranges, own step lists."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import models
from django.utils import timezone

from articles.content.models import MailClient
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.facts.senders import lookalike_warnings
from articles.interchange.locations import Place, Problem
from articles.interchange.rows import assign
from articles.interchange.schema import AddressEntry, DomainEntry, Entry, RangeEntry, VendorEntry
from articles.interchange.steps import StepListWriter


class VendorWriter(StepListWriter):
    """The vendor part of an import: its row, its facts and its own step lists."""

    vendors: dict[str, Vendor]
    clients: dict[str, MailClient]
    #: Every sender domain, stored or written so far, and its vendor: to notice look-alikes.
    domain_owners: dict[str, Vendor]
    #: (model, pk, field, moment): the "last changed" times the file gives rows it creates (write.py).
    carried_moments: list[tuple[type, int, str, dt.datetime]]

    def _vendor(self, entry: VendorEntry) -> None:
        vendor = self.vendors.get(entry.slug) or Vendor(slug=entry.slug)
        created = vendor.pk is None
        changed = assign(
            vendor,
            name=entry.name,
            website=entry.website,
            description=entry.description,
            support_email=entry.support_email,
            support_url=entry.support_url,
            support_hours=entry.support_hours,
            unsupported=entry.unsupported,
            unsupported_note=entry.unsupported_note,
        )
        if not self.save(vendor, kind="vendor", label=entry.slug, place_of=entry.place_of, changed=changed):
            return
        self.vendors[entry.slug] = vendor
        if created and entry.facts_changed_at is not None:
            self.carried_moments.append((Vendor, vendor.pk, "facts_changed_at", entry.facts_changed_at))
        self._addresses(vendor, entry, created)
        self._domains(vendor, entry, created)
        self._ranges(vendor, entry, created)
        self._overrides(vendor, entry, created)

    def _addresses(self, vendor: Vendor, entry: VendorEntry, created: bool) -> None:
        stored = [] if created else list(vendor.sender_addresses.all())
        pairs = _pair(
            entry.addresses,
            stored,
            key="address",
            same=lambda item, row: row.used_for == item.used_for and _same_dates(item, row),
        )
        self._delete_unpaired(
            stored, pairs, kind="sender address", label=lambda row: row.address, vendor=vendor
        )
        for position, (item, row) in enumerate(pairs):
            if row is None:
                row = SenderAddress(
                    vendor=vendor, address=item.address, added_on=item.added_on or timezone.localdate()
                )
            new = row.pk is None
            changed = assign(
                row,
                used_for=item.used_for,
                position=position,
                added_on=item.added_on or row.added_on,
                retired_on=item.retired_on,
            )
            saved = self.save(
                row, kind="sender address", label=item.address, place_of=item.place_of, changed=changed
            )
            if saved and new and not row.is_retired:
                self._warn_of_lookalikes(vendor, row.domain, item.place_of("address"))

    def _domains(self, vendor: Vendor, entry: VendorEntry, created: bool) -> None:
        stored = [] if created else list(vendor.sender_domains.all())
        pairs = _pair(entry.domains, stored, key="domain", same=_same_dates)
        self._delete_unpaired(
            stored, pairs, kind="sender domain", label=lambda row: row.domain, vendor=vendor
        )
        for row in stored:
            if self.domain_owners.get(row.domain) is vendor:
                del self.domain_owners[row.domain]
        for item, row in pairs:
            if row is None:
                row = SenderDomain(
                    vendor=vendor, domain=item.domain, added_on=item.added_on or timezone.localdate()
                )
            new = row.pk is None
            changed = assign(row, added_on=item.added_on or row.added_on, retired_on=item.retired_on)
            if not self.save(
                row, kind="sender domain", label=item.domain, place_of=item.place_of, changed=changed
            ):
                continue
            if not row.is_retired:
                if new:
                    self._warn_of_lookalikes(vendor, item.domain, item.place_of("domain"))
                self.domain_owners[item.domain] = vendor

    def _delete_unpaired(self, stored: list, pairs: list, *, kind: str, label, vendor: Vendor) -> None:
        """Delete the stored rows the file no longer lists: first, so that what they held is free for another row."""
        matched = {row.pk for _item, row in pairs if row is not None}
        for row in stored:
            if row.pk not in matched:
                self.delete(row, kind=kind, label=f"{label(row)} of {vendor.slug}")

    def _warn_of_lookalikes(self, vendor: Vendor, domain: str, place: Place) -> None:
        """A new domain that may be a look-alike is imported, with a warning at its line."""
        others = {d: owner.name for d, owner in self.domain_owners.items() if owner.slug != vendor.slug}
        for warning in lookalike_warnings(domain, others):
            self.report.warnings.append(str(Problem(place.line, place.path, warning, "lookalike")))

    def _ranges(self, vendor: Vendor, entry: VendorEntry, created: bool) -> None:
        stored = [] if created else list(vendor.ip_ranges.all())
        pairs = _pair(entry.ranges, stored, key="network", same=_same_range)
        self._delete_unpaired(stored, pairs, kind="IP range", label=lambda row: row.network, vendor=vendor)
        for item, row in pairs:
            if row is None:
                row = IPRange(
                    vendor=vendor, network=item.network, added_on=item.added_on or timezone.localdate()
                )
            changed = assign(
                row,
                tier=item.tier,
                public_note=item.public_note,
                staff_note=item.staff_note,
                added_on=item.added_on or row.added_on,
                retired_on=item.retired_on,
            )
            self.save(row, kind="IP range", label=item.network, place_of=item.place_of, changed=changed)

    def _overrides(self, vendor: Vendor, entry: VendorEntry, created: bool) -> None:
        if not created:
            self.delete_unlisted(
                {
                    step_list.mail_client.slug: step_list
                    for (_client, vendor_id), step_list in self.step_lists.items()
                    if vendor_id == vendor.pk
                },
                {item.client for item in entry.overrides},
                kind="step list",
                label=lambda slug: f"{slug} of {vendor.slug}",
            )
        for item in entry.overrides:
            client = self.clients.get(item.client)
            if client is None:  # refused earlier in this import; its problem is already listed
                continue
            self._step_list(
                client=client, vendor=vendor, entry=item.steps, label=f"{item.client} of {vendor.slug}"
            )


def _same_dates(
    item: AddressEntry | DomainEntry | RangeEntry, row: SenderAddress | SenderDomain | IPRange
) -> bool:
    return row.retired_on == item.retired_on and (item.added_on is None or row.added_on == item.added_on)


def _same_range(item: RangeEntry, row: IPRange) -> bool:
    return (
        row.tier == item.tier
        and row.public_note == item.public_note
        and row.staff_note == item.staff_note
        and _same_dates(item, row)
    )


def _pair(
    items: list[Entry], stored: list[models.Model], *, key: str, same
) -> list[tuple[Entry, models.Model | None]]:
    """Pair each fact in the file with the stored row it describes, so unchanged rows keep their pk.

    Within one value of ``key`` (a network, an address, a domain), rows that
    are ``same`` are paired first, then rows that are equally in force (both
    retired or both not), then any; a fact may be listed again after it was
    retired, so one value can have several rows.
    """
    free: dict[str, list[models.Model]] = defaultdict(list)
    for row in stored:
        free[getattr(row, key)].append(row)
    paired: dict[int, models.Model] = {}
    tests = (
        same,
        lambda item, row: (row.retired_on is None) == (item.retired_on is None),
        lambda item, row: True,
    )
    for test in tests:
        for index, item in enumerate(items):
            if index in paired:
                continue
            for row in free[getattr(item, key)]:
                if test(item, row):
                    paired[index] = row
                    free[getattr(item, key)].remove(row)
                    break
    return [(item, paired.get(index)) for index, item in enumerate(items)]
