"""Gateway snippets: each format's rules, read back by tests/downloads/snippet_readers.py."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest

from articles.downloads import snippets
from articles.downloads.published import Facts, ListedRange, Sender
from articles.downloads.snippets import (
    barracuda,
    exchange,
    google,
    mimecast,
    postfix,
    proofpoint,
    spamassassin,
    spf,
)
from tests.downloads import snippet_readers as read


def facts(networks=(), *, addresses=("alerts@acme.example",), domains=("acme.example",), name="Acme Mail"):
    return Facts(
        id=1,
        slug="acme",
        name=name,
        changed_at=dt.datetime(2026, 1, 15, tzinfo=dt.UTC),
        addresses=tuple(Sender(a) for a in addresses),
        domains=tuple(domains),
        ranges=tuple(ListedRange("acme", ipaddress.ip_network(n), "primary") for n in networks),
    )


def nets(*texts):
    return [ipaddress.ip_network(t) for t in texts]


def in_order(networks):
    """The order every output uses: IPv4 first, then by address."""
    return sorted(networks, key=lambda n: (n.version, int(n.network_address), n.prefixlen))


MIXED = [
    "192.0.2.0/24",
    "198.51.100.7/32",
    "198.51.100.128/25",
    "10.0.0.0/16",
    "172.16.0.0/23",
    "2001:db8::/32",
]


# Exchange Online ---------------------------------------------------------------------------


def test_exchange_puts_ipv4_from_24_to_32_in_the_allow_list_and_the_rest_in_a_mail_flow_rule():
    commands = read.read_exchange(exchange.exchange_online(facts(MIXED)).text)
    assert commands.allow_list == nets("192.0.2.0/24", "198.51.100.7/32", "198.51.100.128/25")
    assert commands.rule_ranges == nets("10.0.0.0/16", "172.16.0.0/23", "2001:db8::/32")
    assert commands.senders == ["alerts@acme.example"]


def test_exchange_writes_a_single_address_without_its_prefix_length():
    text = exchange.exchange_online(facts(["198.51.100.7/32"])).text
    assert "@{Add='198.51.100.7'}" in text


def test_exchange_says_in_one_line_why_ranges_go_into_the_mail_flow_rule():
    text = exchange.exchange_online(facts(MIXED)).text
    comment = next(line for line in text.splitlines() if "mail flow rule" in line)
    assert comment.startswith("# ") and "IPv6" in comment and "wider than /24" in comment
    assert "-SetSCL -1" in text


def test_exchange_without_wide_or_ipv6_ranges_has_no_mail_flow_rule():
    text = exchange.exchange_online(facts(["192.0.2.0/24"])).text
    assert "New-TransportRule" not in text


def test_exchange_fills_the_allow_list_to_its_limit_in_batches_and_sends_the_rest_to_the_rule():
    addresses = [ipaddress.ip_network(f"10.{n // 256}.{n % 256}.1/32") for n in range(1300)]
    snippet = exchange.exchange_online(facts([str(n) for n in addresses]))
    commands = read.read_exchange(snippet.text)
    assert len(commands.allow_list) == exchange.EXCHANGE_ALLOW_LIST_LIMIT == 1273
    assert all(len(batch) <= exchange.EXCHANGE_BATCH_SIZE for batch in commands.allow_list_batches)
    assert len(commands.allow_list_batches) == 13
    assert len(commands.rule_ranges) == 27
    assert sorted(commands.allow_list + commands.rule_ranges) == sorted(addresses)
    assert any("27 ranges" in note and "1,273" in note for note in snippet.notes)
    assert "past the list's limit of 1,273 entries" in snippet.text


def test_exchange_split_counts_only_ranges_the_list_could_have_taken_as_overflow():
    split = exchange.exchange_split(nets("10.0.0.0/8", "2001:db8::/32"))
    assert split.allow_list == [] and split.overflow == 0 and len(split.rule) == 2


def test_exchange_splits_a_long_range_list_over_several_rules_with_distinct_short_names():
    many = [f"2001:db8:{n:x}::/48" for n in range(600)]
    commands = read.read_exchange(exchange.exchange_online(facts(many, name="A" * 80)).text)
    assert len(commands.rules) > 1
    assert commands.rule_ranges == nets(*many)
    names = [name for name, _ in commands.rules]
    assert len(set(names)) == len(names)
    assert all(len(name) <= exchange.EXCHANGE_RULE_NAME_LIMIT for name in names)
    assert names[0].endswith(f"(1 of {len(names)})")
    for _, ranges in commands.rules:
        assert len(",".join(f"'{n}'" for n in ranges)) <= exchange.EXCHANGE_RULE_RANGE_CHARS


def test_exchange_quotes_names_and_addresses_so_powershell_expands_nothing():
    snippet = exchange.exchange_online(
        facts(["10.0.0.0/8"], addresses=["o'brien@acme.example"], name="$Acme's")
    )
    commands = read.read_exchange(snippet.text)
    assert commands.senders == ["o'brien@acme.example"]
    assert commands.rules[0][0].startswith("$Acme's:")
    assert '"' not in snippet.text.replace("# ", "")


def test_exchange_with_no_ranges_and_no_addresses_is_left_out():
    assert exchange.exchange_online(facts([], addresses=())) is None


# Google Workspace --------------------------------------------------------------------------


def test_google_workspace_allowlist_is_comma_separated_with_the_admin_console_path():
    snippet = google.google_workspace_allowlist(facts(MIXED))
    assert read.read_comma_list(snippet.text) == in_order(nets(*MIXED))
    assert "Spam, phishing and malware > Email allowlist" in snippet.summary


def test_google_workspace_approved_senders_lists_domains_and_uncovered_addresses():
    snippet = google.google_workspace_approved_senders(
        facts(addresses=["alerts@acme.example", "news@other.example"], domains=["acme.example"])
    )
    assert snippet.text.splitlines() == ["acme.example", "news@other.example"]


# Postfix, SpamAssassin ---------------------------------------------------------------------


def test_postfix_table_has_one_permit_line_per_range_and_says_where_it_goes():
    snippet = postfix.postfix(facts(MIXED))
    assert read.read_postfix(snippet.text) == in_order(nets(*MIXED))
    assert "postscreen_access_list = permit_mynetworks, cidr:/etc/postfix/acme-allowlist.cidr" in snippet.text
    assert "check_client_access cidr:/etc/postfix/acme-allowlist.cidr" in snippet.text
    assert snippet.filename == "postfix-allowlist.cidr"


def test_spamassassin_rcvd_pairs_every_sender_pattern_with_every_range():
    snippet = spamassassin.spamassassin_rcvd(facts(["192.0.2.0/24", "2001:db8::/32"]))
    assert read.read_spamassassin_rcvd(snippet.text) == {
        ("*@acme.example", ipaddress.ip_network("192.0.2.0/24")),
        ("*@acme.example", ipaddress.ip_network("2001:db8::/32")),
    }
    assert "whitelist_from_rcvd" in snippet.text  # named for SpamAssassin before 4.0


def test_spamassassin_welcomelist_from_covers_domains_and_other_addresses():
    snippet = spamassassin.spamassassin_from(facts(addresses=["alerts@acme.example", "x@other.example"]))
    assert read.code_lines(snippet.text) == [
        "welcomelist_from *@acme.example",
        "welcomelist_from x@other.example",
    ]


# Mimecast, Proofpoint, Barracuda -----------------------------------------------------------


def test_mimecast_writes_every_range_in_cidr_form_single_addresses_as_32():
    snippet = mimecast.mimecast(facts(["198.51.100.7/32", "2001:db8::1/128"]))
    assert snippet.text.splitlines() == ["198.51.100.7/32", "2001:db8::1/128"]


@pytest.mark.parametrize(
    ("network", "entries"),
    [
        ("192.0.2.0/24", ["192.0.2.0/24"]),
        ("198.51.100.7/32", ["198.51.100.7"]),
        ("10.20.0.0/16", ["10.20.*.*"]),
        ("10.0.0.0/8", ["10.*.*.*"]),
        ("172.16.0.0/23", ["172.16.0.*", "172.16.1.*"]),
        ("172.16.0.0/15", ["172.16.*.*", "172.17.*.*"]),
        ("0.0.0.0/0", ["*.*.*.*"]),
        ("2001:db8::/32", ["2001:db8::/32"]),
    ],
)
def test_proofpoint_takes_cidr_to_24_and_octet_wildcards_beyond(network, entries):
    parsed = ipaddress.ip_network(network)
    assert proofpoint.proofpoint_entries(parsed) == entries
    assert read.covered(read.read_proofpoint("\n".join(entries))[1]) == [parsed]


def test_barracuda_rows_give_address_and_netmask_with_the_exempt_policy():
    snippet = barracuda.barracuda(facts(["192.0.2.0/24", "198.51.100.7/32", "2001:db8::/32"]))
    assert "192.0.2.0,255.255.255.0,Exempt,Acme Mail" in snippet.text
    assert "198.51.100.7,255.255.255.255,Exempt,Acme Mail" in snippet.text
    assert read.read_barracuda(snippet.text) == nets("192.0.2.0/24", "198.51.100.7/32", "2001:db8::/32")


# SPF ---------------------------------------------------------------------------------------


def test_spf_terms_use_ip4_and_ip6_and_explain_the_lookup_limit():
    snippet = spf.spf(facts(["192.0.2.0/24", "198.51.100.7/32", "2001:db8::/32"]))
    assert snippet.text.strip() == "ip4:192.0.2.0/24 ip4:198.51.100.7 ip6:2001:db8::/32"
    assert "limit of 10 lookups" in snippet.summary and "permerror" in snippet.summary
    assert "v=spf1 include:_spf.your-mail-provider.example ip4:192.0.2.0/24" in snippet.notes[0]


def test_spf_warns_when_the_terms_outgrow_one_txt_string():
    many = [f"192.0.{n}.0/24" for n in range(30)]
    snippet = spf.spf(facts(many))
    assert any("One string in a TXT record holds at most 255" in note for note in snippet.notes)
    assert not any("255" in note for note in spf.spf(facts(["192.0.2.0/24"])).notes)


# All of them -------------------------------------------------------------------------------


def test_all_snippets_come_in_a_fixed_order_with_unique_keys_and_filenames():
    found = snippets.all_snippets(facts(MIXED))
    assert [s.key for s in found] == [
        "exchange-online",
        "google-workspace",
        "google-workspace-senders",
        "postfix",
        "spamassassin",
        "cpanel",
        "mimecast",
        "proofpoint",
        "barracuda",
        "spf",
    ]
    assert len({s.filename for s in found}) == len(found)
    assert all(s.text.endswith("\n") for s in found)


def test_a_vendor_with_no_facts_gets_no_snippets():
    assert snippets.all_snippets(facts([], addresses=(), domains=())) == []


def test_facts_on_one_line_even_if_a_name_holds_a_newline():
    text = postfix.postfix(facts(["192.0.2.0/24"], name="Acme\nMail")).text
    assert "# /etc/postfix/acme-allowlist.cidr: the sending ranges of Acme Mail." in text
    assert read.read_postfix(text) == nets("192.0.2.0/24")
