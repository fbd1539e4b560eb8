"""Reading the ``vendors`` part of a help center file: each vendor and its facts.

A vendor's facts are its sender addresses, sender domains and IP ranges, and
its step overrides (its own steps for a mail client). Each fact is checked by
its model's own validators, and compared in the form those store, so a fact
written twice is refused however it was typed.
"""

from __future__ import annotations

import yaml

from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.interchange.locations import Place
from articles.interchange.nodes import Mapping
from articles.interchange.parse_clients import read_steps
from articles.interchange.parse_reader import FirstSeen, Reader
from articles.interchange.schema import (
    ADDRESS_KEYS,
    DOMAIN_KEYS,
    OLD_STAFF_NOTE_KEY,
    OVERRIDE_KEYS,
    RANGE_KEYS,
    RANGE_KEYS_READ,
    VENDOR_KEYS,
    AddressEntry,
    DomainEntry,
    OverrideEntry,
    RangeEntry,
    VendorEntry,
)

_VENDOR_FIELDS = (
    "slug",
    "name",
    "website",
    "description",
    "support_email",
    "support_url",
    "support_hours",
    "unsupported",
    "unsupported_note",
)


def read_vendor(reader: Reader, node: yaml.Node, place: Place) -> VendorEntry:
    """One item of ``vendors``, with its facts."""
    mapping = Mapping(reader.problems, node, place, VENDOR_KEYS, "vendor")
    entry = VendorEntry(place=place, places=mapping.places())
    if not mapping.ok:
        return entry
    entry.slug = mapping.text("slug", required=True)
    entry.name = mapping.text("name", required=True)
    entry.website = mapping.text("website")
    entry.description = mapping.text("description")
    entry.support_email = mapping.text("support_email")
    entry.support_url = mapping.text("support_url")
    entry.support_hours = mapping.text("support_hours")
    entry.unsupported = mapping.boolean("unsupported")
    entry.unsupported_note = mapping.text("unsupported_note")
    entry.facts_changed_at = mapping.past_datetime("facts_changed_at")
    reader.clean_entry(Vendor(**entry.values(*_VENDOR_FIELDS)), entry, mapping)
    entry.addresses = _addresses(reader, mapping)
    entry.domains = _domains(reader, mapping)
    entry.ranges = _ranges(reader, mapping)
    entry.overrides = _overrides(reader, mapping)
    return entry


def _addresses(reader: Reader, vendor: Mapping) -> list[AddressEntry]:
    found: list[AddressEntry] = []
    in_force = FirstSeen(reader, "The address")
    for index, mapping in reader.mappings(vendor, "sender_addresses", ADDRESS_KEYS, "sender address"):
        entry = AddressEntry(place=mapping.place, places=mapping.places())
        entry.address = mapping.text("address", required=True)
        entry.used_for = mapping.text("used_for")
        entry.added_on = mapping.date("added_on")
        entry.retired_on = mapping.date("retired_on")
        instance = SenderAddress(**entry.values(*ADDRESS_KEYS), position=index)
        if reader.clean_entry(instance, entry, mapping, exclude=_left_to_import(entry)) and entry.address:
            # Compared in the form clean() stored, so A@ACME.example repeats a@acme.example.
            entry.address = instance.address
            # Like the database, the file may list an address again once it is retired.
            if entry.retired_on is None:
                in_force.is_new(entry.address, entry.place_of("address"), entry.place)
        found.append(entry)
    return found


def _domains(reader: Reader, vendor: Mapping) -> list[DomainEntry]:
    """Each domain: text, or a group of lines with its dates (``domain``, ``added_on``, ``retired_on``)."""
    found: list[DomainEntry] = []
    in_force = FirstSeen(reader, "The domain")
    for node, place in reader.list_items(vendor, "sender_domains", ("domain",)):
        if isinstance(node, yaml.MappingNode):
            mapping = Mapping(reader.problems, node, place, DOMAIN_KEYS, "sender domain")
            entry = DomainEntry(place=place, places=mapping.places())
            entry.domain = mapping.text("domain", required=True)
            entry.added_on = mapping.date("added_on")
            entry.retired_on = mapping.date("retired_on")
            instance = SenderDomain(**entry.values(*DOMAIN_KEYS))
            if not reader.clean_entry(instance, entry, mapping, exclude=_left_to_import(entry)):
                continue
        else:
            text = vendor.text_item(node, place, "sender domain")
            if text is None:
                continue
            # A domain written as text: every problem with it is at its one line.
            entry = DomainEntry(place=place, places=dict.fromkeys(DOMAIN_KEYS, place), domain=text)
            instance = SenderDomain(domain=text)
            if not reader.clean(instance, place.everywhere(), exclude=_left_to_import(entry)):
                continue
        entry.domain = instance.domain
        if entry.domain and (entry.retired_on is not None or in_force.is_new(entry.domain, place)):
            found.append(entry)
    return found


def _left_to_import(entry: AddressEntry | DomainEntry) -> list[str]:
    """Left out, ``added_on`` is decided on import (today, or the stored date)."""
    return ["vendor"] if entry.added_on else ["vendor", "added_on"]


def _ranges(reader: Reader, vendor: Mapping) -> list[RangeEntry]:
    found: list[RangeEntry] = []
    in_force = FirstSeen(reader, "The range")
    for _index, mapping in reader.mappings(vendor, "ip_ranges", RANGE_KEYS_READ, "IP range"):
        entry = RangeEntry(place=mapping.place, places=mapping.places())
        entry.network = mapping.text("network", required=True)
        entry.tier = mapping.choice("tier", IPRange.Tier, IPRange.Tier.PRIMARY)
        entry.public_note = mapping.text("public_note")
        entry.staff_note = _staff_note(mapping, entry)
        entry.added_on = mapping.date("added_on")
        entry.retired_on = mapping.date("retired_on")
        instance = IPRange(**entry.values(*RANGE_KEYS))
        # Left out, added_on is decided on import (today, or the stored date).
        exclude = ["vendor"] if entry.added_on else ["vendor", "added_on"]
        if reader.clean_entry(instance, entry, mapping, exclude=exclude) and entry.network:
            entry.network = instance.network
            # Like the database, the file may list a network again once it is retired.
            if entry.retired_on is None:
                in_force.is_new(entry.network, entry.place_of("network"), entry.place)
        found.append(entry)
    return found


def _staff_note(mapping: Mapping, entry: RangeEntry) -> str:
    """The staff note, from ``staff_note`` or from an older file's ``note``, which meant the same."""
    if OLD_STAFF_NOTE_KEY not in mapping.nodes:
        return mapping.text("staff_note")
    if "staff_note" in mapping.nodes:
        mapping.error(
            OLD_STAFF_NOTE_KEY,
            "“note” is the older name of “staff_note” and this range has both; keep “staff_note”, "
            "and put a note for readers under “public_note”.",
            "duplicate_key",
        )
        mapping.bad.add("staff_note")
        return ""
    value = mapping.text(OLD_STAFF_NOTE_KEY)
    # A problem with the note is named at the key as it was written.
    entry.places["staff_note"] = mapping.place_of(OLD_STAFF_NOTE_KEY)
    if OLD_STAFF_NOTE_KEY in mapping.bad:
        mapping.bad.add("staff_note")
    return value


def _overrides(reader: Reader, vendor: Mapping) -> list[OverrideEntry]:
    found: list[OverrideEntry] = []
    seen: dict[str, Place] = {}
    overrides = reader.mappings(vendor, "step_overrides", OVERRIDE_KEYS, "step override", ("client",))
    for _index, mapping in overrides:
        entry = OverrideEntry(place=mapping.place, places=mapping.places())
        entry.client = mapping.text("client", required=True)
        if entry.client:
            reader.check_client(entry.client, entry.place_of("client"))
            if entry.client in seen:
                reader.problems.add(
                    entry.place_of("client"),
                    f"The steps for {entry.client} are listed twice (first on line "
                    f"{seen[entry.client].line}); keep one.",
                    "duplicate",
                )
            seen[entry.client] = entry.place
        entry.steps = read_steps(reader, mapping, entry)
        found.append(entry)
    return found
