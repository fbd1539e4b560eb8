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
        facts(["10.0.0.0/8"], addresses=["o'brien@acme.example"], name='$Acme\'s "$(calc)"')
    )
    commands = read.read_exchange(snippet.text)
    assert commands.senders == ["o'brien@acme.example"]
    assert commands.rules[0][0].startswith("Acme's (calc):")
    assert "$" not in snippet.text and '"' not in snippet.text


def test_a_typographic_apostrophe_in_the_name_cannot_end_the_powershell_string():
    hostile = "A\u2019;rm C:\\x -r;echo \u2019"
    snippet = exchange.exchange_online(facts(["10.0.0.0/8"], name=hostile))
    commands = read.read_exchange(snippet.text)  # the tokeniser fails on any line but ours
    name, ranges = commands.rules[0]
    assert name == "A'rm C:x -recho ': bypass spam filtering by sender IP"
    assert ranges == nets("10.0.0.0/8")
    assert snippet.text.isascii()


def test_macys_with_a_typographic_apostrophe_gives_a_working_script():
    snippet = exchange.exchange_online(facts(["10.0.0.0/8"], name="Macy\u2019s"))
    assert "'Macy''s: bypass spam filtering by sender IP'" in snippet.text
    assert "allow mail from Macy's." in snippet.text
    assert read.read_exchange(snippet.text).rules[0][0] == "Macy's: bypass spam filtering by sender IP"


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Caf\u00e9 Zo\u00eb \u2013 M\u00fcller", "Cafe Zoe - Muller"),
        ("\uff21\uff43\uff4d\uff45 \ufb01les", "Acme files"),  # full-width letters, a ligature
        ("A\u201cB\u201d\u201eC\u201f `D` $E #>F<# |G; {H} \u00a0I\u200bJ\u202eK", "ABC D E F G H IJK"),
        ("\u4e2d\u6587", ""),  # nothing ASCII is left
    ],
)
def test_ps_text_keeps_a_safe_ascii_subset_of_staff_text(name, written):
    assert exchange.ps_text(name) == written
    assert set(written) <= exchange.PS_SAFE_CHARACTERS


def test_exchange_names_a_vendor_whose_name_has_nothing_safe_by_its_slug():
    snippet = exchange.exchange_online(facts(["10.0.0.0/8"], name="\u4e2d\u6587\n"))
    assert "allow mail from acme." in snippet.text
    assert read.read_exchange(snippet.text).rules[0][0].startswith("acme:")


def test_exchange_leaves_out_addresses_that_are_not_plain_and_says_how_many():
    addresses = ["alerts@acme.example", "b\u2019@acme.example", '"x\x0c*"@acme.example', "a b@acme.example"]
    snippet = exchange.exchange_online(facts([], addresses=addresses))
    assert read.read_exchange(snippet.text).senders == ["alerts@acme.example"]
    assert "# Left out: 3 sender addresses that cannot be written safely in PowerShell" in snippet.text


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


def test_spamassassin_leaves_out_an_address_with_form_feeds_that_would_be_a_bare_wildcard():
    hostile = '"\x0c*\x0c"@acme.example'
    snippet = spamassassin.spamassassin_from(facts(addresses=[hostile, "x@other.example"], domains=()))
    patterns = read.read_spamassassin_from(snippet.text)
    assert patterns == ["x@other.example"]
    assert not any(read.spamassassin_matches_any_sender(pattern) for pattern in patterns)
    assert "# Left out: 1 sender address or domain" in snippet.text
    assert snippet.notes and "Left out" in snippet.notes[0]


@pytest.mark.parametrize(
    "pattern",
    ["*", "*@*", "*@", "?@acme.example", "a*@acme.example", "a#@acme.example", "a b@acme.example", "*@acme"],
)
def test_sa_pattern_refuses_what_spamassassin_would_read_as_more_than_one_sender(pattern):
    assert spamassassin.sa_pattern(pattern) is None


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
    assert read.covered(read.read_proofpoint("\n".join(entries) + "\n")[1]) == [parsed]


def test_barracuda_guards_a_vendor_name_that_is_a_formula():
    snippet = barracuda.barracuda(facts(["192.0.2.0/24"], name="=cmd|' /C calc'!A0"))
    assert [row["Comment"] for row in read.read_csv(snippet.text)] == ["'=cmd|' /C calc'!A0"]
    assert read.read_barracuda(snippet.text) == nets("192.0.2.0/24")


def test_barracuda_keeps_a_name_with_commas_and_line_breaks_in_one_cell():
    snippet = barracuda.barracuda(facts(["192.0.2.0/24"], name="Acme, Inc.\r\n192.0.2.0,0.0.0.0,Exempt"))
    rows = read.read_csv(snippet.text)
    assert [row["Comment"] for row in rows] == ["Acme, Inc. 192.0.2.0,0.0.0.0,Exempt"]
    assert read.read_barracuda(snippet.text) == nets("192.0.2.0/24")


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
