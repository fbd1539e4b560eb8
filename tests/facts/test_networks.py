"""Parsing and judging IP ranges: pure functions, no database."""

import ipaddress

import pytest

from articles.facts import networks
from articles.facts.networks import RangeError, parse_network
from articles.facts.ranges import judge_lines


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("10.0.0.0/33", "invalid_prefix", "/33 is too long"),
        ("300.1.1.1", "invalid_address", "300 is more than 255"),
        ("3.93.157.24/24", "host_bits", "host bits set"),
        ("1.2.3", "invalid_address", "it has 3 parts"),
        ("", "empty", "empty"),
        ("   ", "empty", "empty"),
        ("garbage", "invalid_address", "not an IP address"),
        ("::ffff:1.2.3.4", "ipv4_mapped", "enter it as 1.2.3.4"),
        ("2001:db8::/129", "invalid_prefix", "at most /128"),
        ("1.2.3.4/x", "invalid_prefix", "whole number"),
        ("1.2.3.4/-1", "invalid_prefix", "whole number"),
        ("1.2.3.4 5.6.7.8", "space", "one range on each line"),
        ("fe80::1%eth0", "zone", "leave it out"),
    ],
)
def test_bad_ranges_are_refused_with_a_reason(text, code, words):
    with pytest.raises(RangeError) as caught:
        parse_network(text)
    assert caught.value.code == code
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.93.157.24", "3.93.157.24/32"),
        ("[3.93.157.24]", "3.93.157.24/32"),
        (" 141.193.184.64/26 ", "141.193.184.64/26"),
        ("2001:DB8::/32", "2001:db8::/32"),
        ("2001:0db8:0000::1", "2001:db8::1/128"),
        ("(198.51.100.0/24),", "198.51.100.0/24"),
        ("0.0.0.0/0", "0.0.0.0/0"),
    ],
)
def test_good_ranges_are_normalised(text, expected):
    assert parse_network(text).with_prefixlen == expected


def test_keys_sort_like_addresses():
    low = networks.key(ipaddress.ip_address("9.255.255.255"), 4)
    high = networks.key(ipaddress.ip_address("10.0.0.0"), 4)
    assert low < high
    assert len(low) == len(high) == networks.KEY_WIDTH


def test_candidate_starts_include_every_covering_network_start():
    address = ipaddress.ip_address("3.93.157.200")
    starts = set(networks.candidate_starts(address))
    for prefix in (0, 8, 19, 24, 32):
        network = ipaddress.ip_network(f"3.93.157.200/{prefix}", strict=False)
        assert networks.key(network.network_address, 4) in starts
    assert len(starts) <= 33


def test_candidate_starts_are_bounded_for_ipv6():
    assert len(networks.candidate_starts(ipaddress.ip_address("2001:db8::1"))) <= 129


def test_judge_lines_gives_each_line_a_verdict():
    verdicts = judge_lines(
        "192.0.2.0/24\n[198.51.100.7]\n\n192.0.2.0/24\n10.0.0.0/33\n203.0.113.0/24",
        existing={"203.0.113.0/24"},
    )
    assert [(v.line_number, v.status) for v in verdicts] == [
        (1, "accepted"),
        (2, "normalised"),
        (4, "duplicate"),
        (5, "invalid"),
        (6, "duplicate"),
    ]
    assert "written from “[198.51.100.7]”" in verdicts[1].message
    assert "/33 is too long" in verdicts[3].message


def test_judge_lines_refuses_an_empty_paste():
    (verdict,) = judge_lines("\n  \n", existing=set())
    assert verdict.status == "invalid"
    assert "at least one" in verdict.message


def test_overlaps_finds_contained_ranges():
    nets = [
        ipaddress.ip_network(n) for n in ("3.93.157.24/32", "3.93.157.0/24", "10.0.0.0/8", "2001:db8::/32")
    ]
    pairs = [(str(a), str(b)) for a, b in networks.overlaps(nets)]
    assert pairs == [("3.93.157.0/24", "3.93.157.24/32")]


@pytest.mark.parametrize("text", ["1.2.3.²", "1.2.²"])
def test_unicode_digits_in_an_address_are_a_clear_refusal_not_a_crash(text):
    with pytest.raises(RangeError) as caught:
        parse_network(text)
    assert caught.value.code == "invalid_address"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
    ],
)
def test_parse_address_reads_an_ipv4_address_in_ipv6_form_as_ipv4(text, expected):
    assert str(networks.parse_address(text)) == expected


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("192.0.2.0/24", "not_an_address", "it reads as 192.0.2.0/24"),
        (" 192.0.2.1", "not_an_address", "it reads as 192.0.2.1/32"),
        ("fe80::1%eth0", "zone", "leave it out"),
        ("::ffff:192.0.2.1%eth0", "zone", "leave it out"),
        ("300.1.1.1", "invalid_address", "300 is more than 255"),
    ],
)
def test_parse_address_takes_one_address_exactly_as_written(text, code, words):
    with pytest.raises(RangeError) as caught:
        networks.parse_address(text)
    assert caught.value.code == code
    assert words in str(caught.value)


def test_a_zone_is_refused_before_the_ipv6_form_of_an_ipv4_address():
    # One rule for both (plain_address): a zone names an interface, never a sender.
    with pytest.raises(RangeError) as caught:
        parse_network("::ffff:192.0.2.1%eth0")
    assert caught.value.code == "zone"


def test_network_order_puts_ipv4_first_then_address_then_prefix_length():
    nets = [ipaddress.ip_network(n) for n in ("2001:db8::/32", "10.0.0.0/16", "10.0.0.0/8", "9.0.0.0/8")]
    assert [str(n) for n in sorted(nets, key=networks.network_order)] == [
        "9.0.0.0/8",
        "10.0.0.0/8",
        "10.0.0.0/16",
        "2001:db8::/32",
    ]
