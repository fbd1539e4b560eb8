"""The file writers, read back by real parsers: csv, json, ipaddress, vobject, ElementTree."""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import json
import xml.etree.ElementTree as ET

import vobject

from articles.downloads import formats as exports
from articles.downloads.formats import Facts, ListedRange, Sender

CHANGED = dt.datetime(2026, 1, 15, 9, 30, 5, tzinfo=dt.UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
APPS = "{http://schemas.google.com/apps/2006}"


def parse_xml(text: str | bytes) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - the site's own output, not untrusted input


def listed(
    network: str, tier: str = "primary", vendor: str = "acme", note: str = "", added=dt.date(2024, 5, 1)
):
    return ListedRange(vendor, ipaddress.ip_network(network), tier, note, added)


RANGES = [
    listed("2001:db8::/32", "additional", note="IPv6 pool"),
    listed("198.51.100.7/32", "additional"),
    listed("192.0.2.0/24", note="Main pool, US"),
    listed("10.0.0.0/8"),
]


def facts(**overrides) -> Facts:
    values = {
        "id": 7,
        "slug": "acme",
        "name": "Acme Mail",
        "changed_at": CHANGED,
        "website": "https://acme.example",
        "addresses": (Sender("alerts@acme.example", "password resets"), Sender("billing@acme.example")),
        "domains": ("acme.example",),
        "ranges": tuple(RANGES),
    }
    values.update(overrides)
    return Facts(**values)


# Range files -------------------------------------------------------------------------------


def test_txt_is_one_cidr_range_per_line_ipv4_first_in_address_order():
    lines = exports.ranges_txt(RANGES).splitlines()
    assert lines == ["10.0.0.0/8", "192.0.2.0/24", "198.51.100.7/32", "2001:db8::/32"]
    assert [ipaddress.ip_network(line) for line in lines] == [r.network for r in exports.sort_ranges(RANGES)]


def test_txt_lists_a_range_shared_by_two_vendors_once():
    text = exports.ranges_txt([listed("192.0.2.0/24", vendor="a"), listed("192.0.2.0/24", vendor="b")])
    assert text == "192.0.2.0/24\n"


def test_txt_of_no_ranges_is_empty():
    assert exports.ranges_txt([]) == ""


def test_csv_has_a_header_then_every_range_with_its_columns():
    rows = list(csv.DictReader(io.StringIO(exports.ranges_csv(RANGES), newline="")))
    assert list(rows[0]) == ["network", "ip_version", "tier", "note", "added_on"]
    assert [(r["network"], r["ip_version"], r["tier"], r["note"], r["added_on"]) for r in rows] == [
        ("10.0.0.0/8", "4", "primary", "", "2024-05-01"),
        ("192.0.2.0/24", "4", "primary", "Main pool, US", "2024-05-01"),
        ("198.51.100.7/32", "4", "additional", "", "2024-05-01"),
        ("2001:db8::/32", "6", "additional", "IPv6 pool", "2024-05-01"),
    ]


def test_csv_uses_crlf_line_ends_and_quotes_a_note_with_a_comma():
    text = exports.ranges_csv(RANGES)
    assert text.count("\r\n") == len(RANGES) + 1
    assert '"Main pool, US"' in text


def test_csv_for_all_vendors_names_the_vendor_first():
    text = exports.ranges_csv(
        [listed("192.0.2.0/24", vendor="b"), listed("10.0.0.0/8", vendor="a")], with_vendor=True
    )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][0] == "vendor"
    assert [(row[0], row[1]) for row in rows[1:]] == [("a", "10.0.0.0/8"), ("b", "192.0.2.0/24")]


def test_csv_keeps_a_note_that_looks_like_a_formula_as_text():
    text = exports.ranges_csv([listed("192.0.2.0/24", note='=HYPERLINK("http://evil.example")')])
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["note"] == '\'=HYPERLINK("http://evil.example")'


def test_json_follows_the_cloud_providers_shape():
    document = json.loads(exports.ranges_json(RANGES, created=CHANGED))
    assert list(document) == ["syncToken", "createDate", "prefixes", "ipv6_prefixes"]
    assert document["createDate"] == "2026-01-15T09:30:05Z"
    assert document["prefixes"][1] == {
        "ip_prefix": "192.0.2.0/24",
        "vendor": "acme",
        "tier": "primary",
        "added_on": "2024-05-01",
        "note": "Main pool, US",
    }
    assert [p["ip_prefix"] for p in document["prefixes"]] == ["10.0.0.0/8", "192.0.2.0/24", "198.51.100.7/32"]
    assert [p["ipv6_prefix"] for p in document["ipv6_prefixes"]] == ["2001:db8::/32"]
    for entry in document["prefixes"]:
        assert ipaddress.ip_network(entry["ip_prefix"]).version == 4
    assert ipaddress.ip_network(document["ipv6_prefixes"][0]["ipv6_prefix"]).version == 6


def test_json_and_csv_are_the_same_whatever_order_the_ranges_come_in():
    assert exports.ranges_json(RANGES, created=CHANGED) == exports.ranges_json(RANGES[::-1], created=CHANGED)
    assert exports.ranges_csv(RANGES) == exports.ranges_csv(RANGES[::-1])


def test_sync_token_ignores_order_and_creation_time_but_not_content():
    token = exports.sync_token(RANGES)
    assert exports.sync_token(RANGES[::-1]) == token
    other_time = json.loads(exports.ranges_json(RANGES, created=CHANGED + dt.timedelta(days=1)))
    assert other_time["syncToken"] == token
    changed_versions = [
        RANGES[:-1],
        [*RANGES, listed("203.0.113.0/24")],
        [listed("10.0.0.0/8", tier="additional"), *RANGES[:-1]],
        [listed("10.0.0.0/8", note="new note"), *RANGES[:-1]],
        [listed("10.0.0.0/8", added=dt.date(2025, 1, 1)), *RANGES[:-1]],
        [listed("10.0.0.0/8", vendor="renamed"), *RANGES[:-1]],
    ]
    tokens = {exports.sync_token(version) for version in changed_versions}
    assert token not in tokens and len(tokens) == len(changed_versions)


def test_content_etag_is_strong_quoted_and_follows_the_bytes():
    assert exports.content_etag(b"a") == exports.content_etag(b"a")
    assert exports.content_etag(b"a") != exports.content_etag(b"b")
    assert exports.content_etag(b"a").startswith('"') and not exports.content_etag(b"a").startswith("W/")


# vCard -------------------------------------------------------------------------------------


def test_vcard_parses_with_every_sender_address_and_the_primary_one_preferred():
    text = exports.vcard(facts())
    card = vobject.readOne(text)
    assert card.version.value == "4.0"
    assert card.fn.value == "Acme Mail"
    emails = card.contents["email"]
    assert [e.value for e in emails] == ["alerts@acme.example", "billing@acme.example"]
    assert emails[0].params.get("PREF") == ["1"] and "PREF" not in emails[1].params
    assert card.url.value == "https://acme.example"
    assert "alerts@acme.example: password resets" in card.note.value
    assert card.rev.value == "20260115T093005Z"


def test_vcard_lines_end_in_crlf_and_fold_at_75_octets_without_splitting_characters():
    long_name = "Ünïcödé Vendor " * 12
    text = exports.vcard(facts(name=long_name))
    assert text.endswith("END:VCARD\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert vobject.readOne(text).fn.value == long_name


def test_vcard_escapes_commas_semicolons_backslashes_and_newlines_in_text():
    tricky = "Acme, Inc.; Mail \\ Billing"
    card = vobject.readOne(
        exports.vcard(facts(name=tricky, addresses=(Sender("a@acme.example", "line\nbreak"),)))
    )
    assert card.fn.value == tricky
    assert "a@acme.example: line\nbreak" in card.note.value


def test_vcard_uid_is_stable_for_the_vendor_and_differs_between_vendors():
    assert exports.vcard_uid(facts()) == exports.vcard_uid(facts(slug="renamed", name="Renamed"))
    assert exports.vcard_uid(facts()) != exports.vcard_uid(facts(id=8))


def test_vcard_of_a_vendor_without_addresses_is_still_a_valid_card():
    card = vobject.readOne(exports.vcard(facts(addresses=(), website="")))
    assert card.fn.value == "Acme Mail" and "email" not in card.contents


# Gmail filter ------------------------------------------------------------------------------


def test_gmail_filter_is_an_atom_feed_with_one_never_spam_filter():
    root = parse_xml(exports.gmail_filter(facts()))
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}category").get("term") == "filter"
    properties = {p.get("name"): p.get("value") for p in entries[0].findall(f"{APPS}property")}
    assert properties == {
        "from": "alerts@acme.example OR billing@acme.example OR @acme.example",
        "shouldNeverSpam": "true",
    }


def test_gmail_filter_escapes_names_that_look_like_markup():
    root = parse_xml(exports.gmail_filter(facts(name='Acme <"&"> Mail')))
    assert root.find(f"{ATOM}title").text == 'Mail filters: Acme <"&"> Mail'


def test_gmail_filter_without_senders_has_no_entry():
    root = parse_xml(exports.gmail_filter(facts(addresses=(), domains=())))
    assert root.findall(f"{ATOM}entry") == []
