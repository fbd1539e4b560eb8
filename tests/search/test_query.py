"""Query understanding, spelling and synonym matching: pure functions, no database."""

import ipaddress

import pytest

from articles.search import spelling
from articles.search.query import Term, clean, mask_address, parse
from articles.search.synonyms import SynonymGroup, base, expand


@pytest.mark.parametrize(
    ("typed", "network"),
    [
        ("3.93.157.24", "3.93.157.24/32"),
        ("  [3.93.157.24]  ", "3.93.157.24/32"),
        ("(3.93.157.24)", "3.93.157.24/32"),
        ("3.93.157.0 / 24", "3.93.157.0/24"),
        ("3.93.157.24/24", "3.93.157.24/32"),  # a reader asking about one address, host bits forgiven
        ("[IPv6:2001:DB8:100::1]", "2001:db8:100::1/128"),
        ("2001:db8:100::/48", "2001:db8:100::/48"),
    ],
)
def test_a_pasted_address_or_range_is_one_network(typed, network):
    parsed = parse(typed)
    assert parsed.networks == (ipaddress.ip_network(network),)
    assert parsed.kind == "ip" and parsed.terms == () and not parsed.network_error


def test_addresses_inside_a_received_header_are_found_and_the_rest_is_words():
    parsed = parse("Received: from mta1.acme.example (mta1.acme.example [192.0.2.10]) by mx.example.org")
    assert parsed.networks == (ipaddress.ip_network("192.0.2.10/32"),)
    assert "192.0.2.10" not in " ".join(term.text for term in parsed.terms)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1.2.3.4/99", "The prefix length /99 is too long: IPv4 allows at most /32."),
        ("300.1.1.1", "“300.1.1.1” is not an IPv4 address: 300 is more than 255."),
        ("1.2.3.4/x", "The prefix length “/x” must be a whole number from 0 to 32."),
    ],
)
def test_a_query_that_cannot_be_an_address_keeps_the_reason_in_words(typed, reason):
    parsed = parse(typed)
    assert parsed.networks == () and parsed.network_error == reason and parsed.kind == "ip"


def test_an_email_address_gives_its_vendor_lookup_and_search_terms():
    parsed = parse("Mail from Alerts@ACME.example is missing")
    assert parsed.address == "alerts@acme.example"
    assert parsed.domains == ("acme.example",)
    assert Term("alerts@acme.example", exact=True) in parsed.terms
    assert Term("acme") in parsed.terms and Term("missing") in parsed.terms
    assert parsed.kind == "sender"


def test_a_domain_and_its_parents_are_looked_up():
    parsed = parse("@mail.Globex.example")
    assert parsed.domains == ("mail.globex.example", "globex.example")
    assert parsed.address == ""


def test_smtp_codes_are_exact_terms_and_stop_words_are_dropped():
    parsed = parse("550-5.7.1 Relay access denied by the server")
    texts = [term.text for term in parsed.terms]
    assert Term("550", exact=True) in parsed.terms and Term("5.7.1", exact=True) in parsed.terms
    assert "by" not in texts and "the" not in texts
    assert parsed.phrase == "550 5.7.1 relay access denied by the server"


def test_version_like_text_is_not_taken_for_an_address():
    assert parse("5.7.1").networks == () and parse("5.7.1").network_error == ""


def test_cleaning_removes_control_characters_and_cuts_long_queries():
    assert clean("a\x00b\u200bc\ue000d\n\te") == "a b c d e"
    assert len(clean("x " * 10_000)) <= 200
    assert parse("").is_empty and parse("   \x00 ").is_empty


def test_unicode_words_survive():
    parsed = parse("Bücher Straße 東京")
    assert [term.text for term in parsed.terms] == ["bücher", "straße", "東京"]


def test_a_reader_address_is_masked_to_its_network():
    assert mask_address(ipaddress.ip_network("203.0.113.77/32")) == "203.0.113.0/24"
    assert mask_address(ipaddress.ip_network("2001:db8:1:2::5/128")) == "2001:db8:1::/48"
    assert mask_address(ipaddress.ip_network("10.0.0.0/8")) == "10.0.0.0/8"


@pytest.mark.parametrize(
    ("typed", "known", "meant"),
    [
        ("gmial", ["gmail", "trial", "email"], "gmail"),  # a swap is one edit
        ("outlok", ["outlook", "outline"], "outlook"),
        ("smartrak", ["smarttrak", "smart"], "smarttrak"),
        ("vmail", ["mail", "gmail"], "gmail"),  # same length beats a missing letter
        ("plumbus", ["gmail"], None),
    ],
)
def test_spelling_picks_the_closest_known_word(typed, known, meant):
    assert spelling.correct(typed, known) == meant


def test_spelling_allows_more_edits_only_in_long_words_and_with_slack():
    assert spelling.correct("outlk", ["outlook"]) is None
    assert spelling.correct("outlk", ["outlook"], slack=1) == "outlook"
    assert spelling.edit_distance("whitelsit", "whitelist") == 1


def test_synonyms_match_base_forms_and_phrases_longest_first():
    groups = [
        SynonymGroup(("whitelist", "allowlist", "safe senders")),
        SynonymGroup(("safe", "secure")),
    ]
    assert (
        base("whitelisting") == "whitelist" and base("senders") == "sender" and base("address") == "address"
    )
    matches = expand(["add", "safe", "senders", "whitelisted"], groups)
    assert [(start, end) for start, end, _ in matches] == [(1, 3), (3, 4)]
    assert "allowlist" in matches[0][2]
