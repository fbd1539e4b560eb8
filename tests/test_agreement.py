"""One list of ranges, everywhere: a property-based test over random IPv4 and IPv6 data.

Hypothesis draws a vendor's ranges (any prefix length, both tiers, notes,
some retired long ago, some retiring today, some retiring later). Each
example stores them, then reads every output back with a real parser: the
text, CSV and JSON files (for the vendor and for all vendors), every gateway
snippet, the API (facts and IP lookup), the For IT page and the article page.
All must list exactly the ranges in force, and nothing retired.

The ranges are stored without ``full_clean()``: which ranges the facts refuse
is their layer's rule, and this test is about the outputs agreeing on whatever
is stored. (Notes hold any text but surrogates; the CSV writes each on one
line, test_hostile_facts.py tries the rest.)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import json
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.facts.models import IPRange, SenderAddress, SenderDomain
from articles.services import changes
from tests.conftest import make_article, make_client, make_vendor
from tests.downloads import snippet_readers as read

pytestmark = pytest.mark.django_db


def ipv4_networks():
    return st.builds(
        lambda address, prefix: ipaddress.ip_network(f"{address}/{prefix}", strict=False),
        st.ip_addresses(v=4),
        st.integers(0, 32),
    )


def ipv6_networks():
    return st.builds(
        lambda address, prefix: ipaddress.ip_network(f"{address}/{prefix}", strict=False),
        st.ip_addresses(v=6),
        st.integers(0, 128),
    ).filter(lambda network: network.network_address.ipv4_mapped is None)


range_records = st.fixed_dictionaries(
    {
        "network": st.one_of(ipv4_networks(), ipv6_networks()),
        "tier": st.sampled_from(["primary", "additional"]),
        "note": st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30),
        "added_on": st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31)),
        "retired": st.sampled_from([None, None, None, "long ago", "today", "later"]),
    }
)


def retired_on(kind: str | None) -> dt.date | None:
    today = timezone.localdate()
    return {
        None: None,
        "long ago": today - dt.timedelta(days=400),
        "today": today,
        "later": today + dt.timedelta(days=30),
    }[kind]


class RangeTables(HTMLParser):
    """The data-copy values inside <table class="ranges">: the ranges a page shows."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and "ranges" in (attributes.get("class") or "").split():
            self.depth += 1
        elif self.depth and "data-copy" in attributes:
            self.values.append(attributes["data-copy"])

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1


def page_ranges(html: str) -> set:
    parser = RangeTables()
    parser.feed(html)
    return {ipaddress.ip_network(value) for value in parser.values}


def store_range(vendor, network: str, tier: str = "primary", **fields) -> IPRange:
    """A range saved as it is, past the facts' validation, and the write said as every path says it."""
    ip_range = IPRange(vendor=vendor, network=network, tier=tier, **fields)
    ip_range.save()
    changes.written(ip_range)
    return ip_range


def check_every_output(client, expected: dict, other_network) -> None:
    """``expected`` maps each network in force to its record."""
    networks = set(expected)

    # Range files for the vendor.
    txt = client.get("/acme/allowlist.txt").content.decode().splitlines()
    assert {ipaddress.ip_network(line) for line in txt} == networks
    assert len(txt) == len(networks)

    rows = read.read_csv(client.get("/acme/allowlist.csv").content.decode())
    assert {
        (ipaddress.ip_network(r["network"]), int(r["ip_version"]), r["tier"], r["added_on"]) for r in rows
    } == {(n, n.version, r["tier"], r["added_on"].isoformat()) for n, r in expected.items()}
    for row in rows:
        note = expected[ipaddress.ip_network(row["network"])]["note"]
        read.assert_one_line_of(read.unguarded(row["note"], note), note)

    document = json.loads(client.get("/acme/allowlist.json").content)
    entries = [(e["ip_prefix"], e) for e in document["prefixes"]] + [
        (e["ipv6_prefix"], e) for e in document["ipv6_prefixes"]
    ]
    assert {ipaddress.ip_network(prefix) for prefix, _ in entries} == networks
    for prefix, entry in entries:
        record = expected[ipaddress.ip_network(prefix)]
        assert (entry["vendor"], entry["tier"], entry["note"], entry["added_on"]) == (
            "acme",
            record["tier"],
            record["note"],
            record["added_on"].isoformat(),
        )

    # Files for all vendors: this vendor's ranges plus the other vendor's one.
    everything = json.loads(client.get("/allowlist.json").content)
    by_vendor = {
        (e["vendor"], ipaddress.ip_network(e.get("ip_prefix") or e.get("ipv6_prefix")))
        for e in everything["prefixes"] + everything["ipv6_prefixes"]
    }
    assert by_vendor == {("acme", n) for n in networks} | {("other", other_network)}
    all_txt = {
        ipaddress.ip_network(line) for line in client.get("/allowlist.txt").content.decode().splitlines()
    }
    assert all_txt == networks | {other_network}
    all_rows = csv.DictReader(io.StringIO(client.get("/allowlist.csv").content.decode(), newline=""))
    assert {(r["vendor"], ipaddress.ip_network(r["network"])) for r in all_rows} == by_vendor

    # The API: the vendor's facts, and the IP lookup for the first address of each range.
    api = json.loads(client.get("/api/vendors/acme").content)
    assert {ipaddress.ip_network(r["network"]) for r in api["ip_ranges"]} == networks
    assert api["sync_token"] == document["syncToken"]
    for network in list(networks)[:3]:
        lookup = json.loads(client.get(f"/api/ip/{network.network_address}").content)
        assert ("acme", network.with_prefixlen) in {
            (m["vendor"]["slug"], m["network"]) for m in lookup["matches"]
        }

    # The pages.
    assert page_ranges(client.get("/acme/for-it/").content.decode()) == networks
    assert page_ranges(client.get("/acme/guide/").content.decode()) == networks

    # Every snippet, downloaded and read back.
    def snippet(name):
        response = client.get(f"/acme/for-it/{name}")
        if not networks and name != "exchange-online.ps1":
            assert response.status_code == 404, name
            return None
        assert response.status_code == 200, name
        return response.content.decode()

    exchange = read.read_exchange(snippet("exchange-online.ps1"))
    assert set(exchange.allow_list) | set(exchange.rule_ranges) == networks
    assert len(exchange.allow_list) + len(exchange.rule_ranges) == len(networks)
    assert all(n.version == 4 and n.prefixlen >= 24 for n in exchange.allow_list)
    if not networks:
        return
    assert set(read.read_postfix(snippet("postfix-allowlist.cidr"))) == networks
    assert set(read.read_comma_list(snippet("google-workspace-allowlist.txt"))) == networks
    assert set(read.read_lines(snippet("mimecast-source-ip-ranges.txt"))) == networks
    assert set(read.read_barracuda(snippet("barracuda-ip-policies.csv"))) == networks
    assert set(read.read_spf(snippet("spf-terms.txt"))) == networks
    assert read.read_spamassassin_rcvd(snippet("spamassassin-welcomelist-rcvd.cf")) == {
        ("*@acme.example", n) for n in networks
    }
    senders, proofpoint = read.read_proofpoint(snippet("proofpoint-safe-senders.txt"))
    assert senders == ["*@acme.example"]
    assert read.covered(proofpoint) == read.covered(list(networks))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(records=st.lists(range_records, max_size=10, unique_by=lambda record: record["network"]))
def test_every_format_snippet_api_and_page_lists_the_same_ranges(client, db, records):
    other_network = ipaddress.ip_network("203.0.113.0/24")
    with transaction.atomic():
        vendor = make_vendor("acme", "Acme Mail")
        SenderAddress.objects.create(vendor=vendor, address="alerts@acme.example")
        SenderDomain.objects.create(vendor=vendor, domain="acme.example")
        make_article(vendor, "guide", clients=[make_client("postfix", audience="it")])
        store_range(make_vendor("other", public=True), str(other_network))
        for record in records:
            store_range(
                vendor,
                record["network"].with_prefixlen,
                record["tier"],
                public_note=record["note"],
                added_on=record["added_on"],
                retired_on=retired_on(record["retired"]),
            )
        expected = {r["network"]: r for r in records if r["retired"] in (None, "later")}
        check_every_output(client, expected, other_network)
        transaction.set_rollback(True)
