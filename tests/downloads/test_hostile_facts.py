"""Every download stays safe and means the same whatever text staff write: a property-based test.

Hypothesis fills every fact staff can write (the vendor's name, description
and website; each sender address and what it is used for; each sender domain;
each range's public and staff notes) with arbitrary Unicode, control characters included, beside
sender addresses and domains that are plain. The rows are written straight
through the ORM, past the facts' validation: that is another layer, and the
files must not rely on it. Each example then downloads every file through the
site's views and reads it back the way its mail system would
(``snippet_readers``, the PowerShell tokeniser, ``postmap``, csv, json,
ElementTree, vobject), and checks that it lists exactly the vendor's ranges and
its plain addresses and domains, and nothing else: no line PowerShell would run
but ours, no SpamAssassin pattern but those, no Postfix rule but the networks,
no spreadsheet formula, no control character, and no range's staff note. SpamAssassin itself is too slow
for every example; test_gateway_tools.py runs it on a fixed hostile vendor.

PostgreSQL refuses the NUL character in text, so no example stored in the
database holds one; the last test gives the writers alone any text, NUL
included, with no database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import vobject
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.downloads import contact, range_files, snippets
from articles.downloads.published import Facts, ListedRange, Sender
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from tests.conftest import publish
from tests.downloads import hostile
from tests.downloads import snippet_readers as read
from tests.downloads.mail_tools import addresses_around, postmap_answers
from tests.test_range_notes import every_download

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
APPS = "{http://schemas.google.com/apps/2006}"
PS_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-_&()':/+!@")
GOOD_WEBSITE = "https://acme.example/mail?lang=en"
OTHER_NETWORK = ipaddress.ip_network("203.0.113.0/24")
# Starts every drawn staff note, so that a staff note leaking into a file is found whatever follows it.
STAFF_MARK = "StaffOnlyQx7"


def parse_xml(text: str | bytes) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - the site's own output, not untrusted input


def networks():
    def network(address, prefix):
        return ipaddress.ip_network(f"{address}/{prefix % (address.max_prefixlen + 1)}", strict=False)

    addresses = st.ip_addresses(v=4) | st.ip_addresses(v=6).filter(lambda a: a.ipv4_mapped is None)
    return st.builds(network, addresses, st.integers(0, 128))


def text(max_size: int):
    return hostile.hostile_text(max_size=max_size, nul=False)


senders = st.lists(
    st.tuples(
        st.one_of(
            hostile.plain_addresses().map(lambda a: (a, True)),
            hostile.not_plain_addresses(nul=False).map(lambda a: (a, False)),
        ),
        text(20),
    ),
    max_size=5,
    unique_by=lambda sender: sender[0][0],
)
domains = st.lists(
    st.one_of(
        hostile.plain_domains().map(lambda d: (d, True)),
        hostile.not_plain_domains(nul=False).map(lambda d: (d, False)),
    ),
    max_size=4,
    unique_by=lambda domain: domain[0],
)
facts = st.fixed_dictionaries(
    {
        "name": text(40),
        "description": text(60),
        "website": st.one_of(
            st.just(GOOD_WEBSITE), text(30), text(20).map(lambda t: f"https://acme.example/{t}")
        ),
        "senders": senders,
        "domains": domains,
        "ranges": st.lists(
            st.tuples(networks(), text(30), text(30).map(lambda t: STAFF_MARK + t)),
            max_size=4,
            unique_by=lambda r: r[0],
        ).filter(lambda ranges: OTHER_NETWORK not in {network for network, _, _ in ranges}),
    }
)


def store(drawn: dict) -> Vendor:
    """The drawn facts as rows, written past validation (``full_clean`` is never called)."""
    vendor = Vendor.objects.create(
        slug="acme", name=drawn["name"], description=drawn["description"], website=drawn["website"]
    )
    for position, ((address, _), used_for) in enumerate(drawn["senders"]):
        SenderAddress.objects.create(vendor=vendor, address=address, used_for=used_for, position=position)
    for domain, _ in drawn["domains"]:
        SenderDomain.objects.create(vendor=vendor, domain=domain)
    for network, public_note, staff_note in drawn["ranges"]:
        IPRange(
            vendor=vendor, network=network.with_prefixlen, public_note=public_note, staff_note=staff_note
        ).save()
    other = Vendor.objects.create(slug="other", name="\x01Other vendor\x02")
    IPRange(vendor=other, network=OTHER_NETWORK.with_prefixlen).save()
    publish(vendor)
    publish(other)
    return vendor


class CopyTargets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "data-copy" in attributes:
            self.values.append(attributes["data-copy"])


class Expected:
    """What every file must hold for the drawn facts."""

    def __init__(self, drawn: dict):
        self.name = drawn["name"]
        self.description = drawn["description"]
        self.networks = {network for network, _, _ in drawn["ranges"]}
        self.notes = {network: public_note for network, public_note, _ in drawn["ranges"]}
        self.addresses = [address for (address, plain), _ in drawn["senders"] if plain]
        self.used_for = {address: used_for for (address, plain), used_for in drawn["senders"] if plain}
        self.domains = {domain for domain, plain in drawn["domains"] if plain}
        self.left_out = (
            len(drawn["senders"]) + len(drawn["domains"]) - len(self.addresses) - len(self.domains)
        )
        # Each domain as a pattern, and each address no listed domain covers.
        self.patterns = {f"*@{d}" for d in self.domains} | {
            a for a in self.addresses if a.rpartition("@")[2] not in self.domains
        }

    def bare_patterns(self) -> set[str]:
        return {pattern.removeprefix("*@") for pattern in self.patterns}


def check_range_files(client, expected: Expected) -> None:
    lines = read.tool_lines(client.get("/acme/allowlist.txt").content.decode())
    assert [ipaddress.ip_network(line) for line in lines if line] == sorted(
        expected.networks, key=lambda n: (n.version, int(n.network_address), n.prefixlen)
    )

    for url in ["/acme/allowlist.csv", "/allowlist.csv"]:
        rows = read.read_csv(client.get(url).content.decode())
        mine = [row for row in rows if row.get("vendor", "acme") == "acme"]
        assert {ipaddress.ip_network(row["network"]) for row in mine} == expected.networks
        for row in mine:
            source = expected.notes[ipaddress.ip_network(row["network"])]
            read.assert_one_line_of(read.unguarded(row["note"], source), source)

    document = json.loads(client.get("/acme/allowlist.json").content)
    entries = {e["ip_prefix"]: e for e in document["prefixes"]} | {
        e["ipv6_prefix"]: e for e in document["ipv6_prefixes"]
    }
    assert {ipaddress.ip_network(prefix): e["note"] for prefix, e in entries.items()} == expected.notes
    everything = json.loads(client.get("/allowlist.json").content)
    assert len(everything["prefixes"]) + len(everything["ipv6_prefixes"]) == len(expected.networks) + 1

    api = json.loads(client.get("/api/vendors/acme").content)
    assert api["name"] == expected.name
    assert api["description"] == (expected.description or None)
    assert {ipaddress.ip_network(r["network"]) for r in api["ip_ranges"]} == expected.networks


def check_contact_files(client, expected: Expected, website: str) -> None:
    card_text = client.get("/acme/contact.vcf").content.decode()
    assert card_text.endswith("\r\n") and "\n" not in card_text.replace("\r\n", "")
    read.tool_lines(card_text.replace("\r\n", "\n"))
    cards = list(vobject.readComponents(card_text))
    assert len(cards) == 1
    card = cards[0]
    assert [e.value for e in card.contents.get("email", [])] == expected.addresses
    read.assert_one_line_of(card.fn.value, expected.name, fallback="acme")
    if "url" in card.contents:
        assert (
            card.url.value == website and website.isascii() and website.isprintable() and " " not in website
        )
    else:
        assert website != GOOD_WEBSITE
    if expected.addresses:
        described = card.note.value.split("\n")[1:]
        assert [line.partition(": ")[0] for line in described] == expected.addresses
        for line, address in zip(described, expected.addresses, strict=True):
            used_for = line.partition(": ")[2]
            read.assert_one_line_of(used_for, expected.used_for[address])

    root = parse_xml(client.get("/acme/gmail-filter.xml").content)
    read.assert_one_line_of(root.find(f"{ATOM}title").text, f"Mail filters: {expected.name}")
    entries = root.findall(f"{ATOM}entry")
    if expected.addresses or expected.domains:
        (entry,) = entries
        properties = {p.get("name"): p.get("value") for p in entry.findall(f"{APPS}property")}
        terms = properties["from"].split(" OR ")
        assert len(terms) == len(set(terms))
        assert set(terms) == set(expected.addresses) | {f"@{d}" for d in expected.domains}
        assert properties["shouldNeverSpam"] == "true"
    else:
        assert entries == []


def snippet(client, name: str, offered: bool) -> str | None:
    response = client.get(f"/acme/for-it/{name}")
    assert response.status_code == (200 if offered else 404), name
    if not offered:
        return None
    text = response.content.decode()
    read.tool_lines(text)
    return text


def check_snippets(client, expected: Expected, tmp_path) -> None:
    networks = expected.networks
    script = snippet(client, "exchange-online.ps1", bool(networks or expected.addresses))
    if script is not None:
        assert script.isascii()
        commands = read.read_exchange(script)  # fails on any line that is not ours
        assert set(commands.allow_list) | set(commands.rule_ranges) == networks
        assert len(commands.allow_list) + len(commands.rule_ranges) == len(networks)
        assert commands.senders == expected.addresses
        assert all(set(name) <= PS_SAFE for name, _ in commands.rules)
        page = CopyTargets()
        page.feed(client.get("/acme/for-it/").content.decode())
        assert script in page.values

    cidr = snippet(client, "postfix-allowlist.cidr", bool(networks))
    if cidr is not None:
        assert set(read.read_postfix(cidr)) == networks
        table = tmp_path / "acme.cidr"
        table.write_text(cidr, encoding="utf-8")
        keys = addresses_around(networks)
        answers, warnings = postmap_answers(table, keys)
        assert warnings == ""
        assert answers == {k: "permit" for k in keys if any(ipaddress.ip_address(k) in n for n in networks)}

    patterns = expected.patterns
    cf = snippet(client, "spamassassin-welcomelist.cf", bool(patterns))
    if cf is not None:
        found = read.read_spamassassin_from(cf)
        assert set(found) == patterns and len(found) == len(patterns)
        assert not any(read.spamassassin_matches_any_sender(p) for p in found)
        assert ("Left out" in cf) == bool(expected.left_out)
    rcvd = snippet(client, "spamassassin-welcomelist-rcvd.cf", bool(patterns and networks))
    if rcvd is not None:
        assert read.read_spamassassin_rcvd(rcvd) == {(p, n) for p in patterns for n in networks}

    approved = snippet(client, "google-workspace-approved-senders.txt", bool(patterns))
    if approved is not None:
        assert set(read.tool_lines(approved)) == expected.bare_patterns()

    proofpoint = snippet(client, "proofpoint-safe-senders.txt", bool(patterns or networks))
    if proofpoint is not None:
        senders_found, covered = read.read_proofpoint(proofpoint)
        assert set(senders_found) == patterns
        assert read.covered(covered) == read.covered(list(networks))

    if not networks:
        for name in ["google-workspace-allowlist.txt", "mimecast-source-ip-ranges.txt", "spf-terms.txt"]:
            snippet(client, name, False)
        return
    assert set(read.read_comma_list(snippet(client, "google-workspace-allowlist.txt", True))) == networks
    assert set(read.read_lines(snippet(client, "mimecast-source-ip-ranges.txt", True))) == networks
    assert set(read.read_spf(snippet(client, "spf-terms.txt", True))) == networks
    barracuda = snippet(client, "barracuda-ip-policies.csv", True)
    assert set(read.read_barracuda(barracuda)) == networks
    for row in read.read_csv(barracuda):
        read.assert_one_line_of(read.unguarded(row["Comment"], expected.name), expected.name, fallback="acme")


def check_no_staff_note(client) -> None:
    for url in [*every_download("acme"), "/acme/for-it/", "/api/vendors/acme"]:
        assert STAFF_MARK.encode() not in client.get(url).content, url


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=facts)
def test_every_download_lists_exactly_the_plain_facts_whatever_staff_write(client, db, tmp_path, drawn):
    with transaction.atomic():
        store(drawn)
        expected = Expected(drawn)
        check_range_files(client, expected)
        check_contact_files(client, expected, drawn["website"])
        check_snippets(client, expected, tmp_path)
        check_no_staff_note(client)
        assert client.get("/acme/for-it/").status_code == 200
        transaction.set_rollback(True)


def test_the_csv_reader_catches_an_unguarded_formula():
    rows = "network,note\r\n192.0.2.0/24,=cmd|' /C calc'!A0\r\n"
    with pytest.raises(AssertionError, match="a cell a spreadsheet runs"):
        read.read_csv(rows)
    assert list(csv.reader(io.StringIO(rows)))[1][1].startswith("=")


@settings(max_examples=150, deadline=None)
@given(
    name=hostile.hostile_text(max_size=40),
    used_for=hostile.hostile_text(max_size=20),
    note=hostile.hostile_text(max_size=20),
    bad_address=hostile.not_plain_addresses(),
    bad_domain=hostile.not_plain_domains(),
)
def test_the_writers_alone_take_any_text_nul_included(name, used_for, note, bad_address, bad_domain):
    network = ipaddress.ip_network("192.0.2.0/24")
    facts = Facts(
        id=1,
        slug="acme",
        name=name,
        changed_at=dt.datetime(2026, 1, 15, tzinfo=dt.UTC),
        website=name,
        addresses=(Sender(bad_address, used_for), Sender("alerts@acme.example", used_for)),
        domains=(bad_domain, "acme.example"),
        ranges=(ListedRange("acme", network, "primary", note=note),),
    )
    found = {s.filename: s.text for s in snippets.all_snippets(facts)}
    assert read.read_exchange(found["exchange-online.ps1"]).senders == ["alerts@acme.example"]
    assert read.read_spamassassin_from(found["spamassassin-welcomelist.cf"]) == ["*@acme.example"]
    assert read.read_postfix(found["postfix-allowlist.cidr"]) == [network]
    assert read.read_barracuda(found["barracuda-ip-policies.csv"]) == [network]
    for text in found.values():
        read.tool_lines(text)
    root = parse_xml(contact.gmail_filter(facts).encode("utf-8"))
    assert [p.get("value") for p in root.iter(f"{APPS}property")][0] == "alerts@acme.example OR @acme.example"
    card = vobject.readOne(contact.vcard(facts))
    assert [e.value for e in card.contents["email"]] == ["alerts@acme.example"]
    (row,) = read.read_csv(range_files.ranges_csv(facts.ranges))
    read.assert_one_line_of(read.unguarded(row["note"], note), note)
    assert (
        json.loads(range_files.ranges_json(facts.ranges, created=facts.changed_at))["prefixes"][0]["note"]
        == note
    )
