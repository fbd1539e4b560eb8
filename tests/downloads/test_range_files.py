"""The range files, read back by real parsers: csv, json, ipaddress."""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import json

from articles.downloads import range_files
from articles.downloads.published import ListedRange, sort_ranges

CHANGED = dt.datetime(2026, 1, 15, 9, 30, 5, tzinfo=dt.UTC)


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


def test_txt_is_one_cidr_range_per_line_ipv4_first_in_address_order():
    lines = range_files.ranges_txt(RANGES).splitlines()
    assert lines == ["10.0.0.0/8", "192.0.2.0/24", "198.51.100.7/32", "2001:db8::/32"]
    assert [ipaddress.ip_network(line) for line in lines] == [r.network for r in sort_ranges(RANGES)]


def test_txt_lists_a_range_shared_by_two_vendors_once():
    text = range_files.ranges_txt([listed("192.0.2.0/24", vendor="a"), listed("192.0.2.0/24", vendor="b")])
    assert text == "192.0.2.0/24\n"


def test_txt_of_no_ranges_is_empty():
    assert range_files.ranges_txt([]) == ""


def test_csv_has_a_header_then_every_range_with_its_columns():
    rows = list(csv.DictReader(io.StringIO(range_files.ranges_csv(RANGES), newline="")))
    assert list(rows[0]) == ["network", "ip_version", "tier", "note", "added_on"]
    assert [(r["network"], r["ip_version"], r["tier"], r["note"], r["added_on"]) for r in rows] == [
        ("10.0.0.0/8", "4", "primary", "", "2024-05-01"),
        ("192.0.2.0/24", "4", "primary", "Main pool, US", "2024-05-01"),
        ("198.51.100.7/32", "4", "additional", "", "2024-05-01"),
        ("2001:db8::/32", "6", "additional", "IPv6 pool", "2024-05-01"),
    ]


def test_csv_uses_crlf_line_ends_and_quotes_a_note_with_a_comma():
    text = range_files.ranges_csv(RANGES)
    assert text.count("\r\n") == len(RANGES) + 1
    assert '"Main pool, US"' in text


def test_csv_for_all_vendors_names_the_vendor_first():
    text = range_files.ranges_csv(
        [listed("192.0.2.0/24", vendor="b"), listed("10.0.0.0/8", vendor="a")], with_vendor=True
    )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][0] == "vendor"
    assert [(row[0], row[1]) for row in rows[1:]] == [("a", "10.0.0.0/8"), ("b", "192.0.2.0/24")]


def test_csv_keeps_a_note_that_looks_like_a_formula_as_text():
    text = range_files.ranges_csv([listed("192.0.2.0/24", note='=HYPERLINK("http://evil.example")')])
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["note"] == '\'=HYPERLINK("http://evil.example")'


def test_json_follows_the_cloud_providers_shape():
    document = json.loads(range_files.ranges_json(RANGES, created=CHANGED))
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
    assert range_files.ranges_json(RANGES, created=CHANGED) == range_files.ranges_json(
        RANGES[::-1], created=CHANGED
    )
    assert range_files.ranges_csv(RANGES) == range_files.ranges_csv(RANGES[::-1])


def test_sync_token_ignores_order_and_creation_time_but_not_content():
    token = range_files.sync_token(RANGES)
    assert range_files.sync_token(RANGES[::-1]) == token
    other_time = json.loads(range_files.ranges_json(RANGES, created=CHANGED + dt.timedelta(days=1)))
    assert other_time["syncToken"] == token
    changed_versions = [
        RANGES[:-1],
        [*RANGES, listed("203.0.113.0/24")],
        [listed("10.0.0.0/8", tier="additional"), *RANGES[:-1]],
        [listed("10.0.0.0/8", note="new note"), *RANGES[:-1]],
        [listed("10.0.0.0/8", added=dt.date(2025, 1, 1)), *RANGES[:-1]],
        [listed("10.0.0.0/8", vendor="renamed"), *RANGES[:-1]],
    ]
    tokens = {range_files.sync_token(version) for version in changed_versions}
    assert token not in tokens and len(tokens) == len(changed_versions)


def test_csv_writes_every_note_on_one_line_without_control_characters_and_guards_formulas():
    notes = ["\r\n=cmd|' /C calc'!A0", "Main\x00 pool\u2028US\x1b[31m", "\uff1dSUM(A1)", "-1+1"]
    text = range_files.ranges_csv([listed(f"192.0.2.{n}/32", note=note) for n, note in enumerate(notes)])
    assert text.count("\r\n") == len(notes) + 1 and "\x00" not in text and "\x1b" not in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["note"] for r in rows] == ["'=cmd|' /C calc'!A0", "Main pool US[31m", "'\uff1dSUM(A1)", "'-1+1"]


def test_json_keeps_the_note_exactly_as_written():
    note = 'Main\x00 pool\u2028"US"\n</script>'
    document = json.loads(range_files.ranges_json([listed("192.0.2.0/24", note=note)], created=CHANGED))
    assert document["prefixes"][0]["note"] == note
