"""Facts that could harm a customer's mail gateway are refused at the door, through every channel.

Ranges no real sender publishes (the whole internet, private, loopback,
multicast, reserved, documentation...), addresses with whitespace, control
characters, quotes or wildcards, and domains that are not host names are
refused with a message that says why and what to enter instead, and a code.
The same functions serve every way a fact is written, and each channel is
shown here: the model's ``full_clean()``, the vendor page's inlines, the IP
range admin form, the paste tool (a verdict per line) and the import (a
problem per line); each refused write leaves every stored row as it was. A
look-alike domain is saved with a warning. Looking an address up (the API,
the search) still answers for any address.
"""

from __future__ import annotations

import html
import ipaddress

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.facts import networks, sender_ranges
from articles.facts.models import IPRange, SenderAddress, SenderDomain
from articles.facts.networks import RangeError, parse_network
from articles.facts.ranges import judge_lines
from articles.facts.sender_ranges import parse_sender_range
from articles.facts.senders import lookalike_warnings, normalise_address, normalise_domain, skeleton
from articles.services import ranges as services
from tests.admin.forms import add_inline_row, errors_shown, form_data, paste, vendor_form, vendor_url
from tests.conftest import make_vendor
from tests.facts.test_refusals import acme_file, assert_unchanged, post_vendor_change, stored
from tests.interchange.test_interchange import import_error, run_import

# Pure functions: ranges ---------------------------------------------------------------------

HAZARDOUS_RANGES = [
    ("0.0.0.0/0", "whole_internet", "the whole internet"),
    ("::/0", "whole_internet", "the whole internet"),
    ("44.0.0.0/7", "too_wide", "wider than /8 for IPv4"),
    ("2600::/23", "too_wide", "wider than /24 for IPv6"),
    ("10.0.0.0/8", "private", "a private range (RFC 1918)"),
    ("172.16.5.0/24", "private", "a private range (RFC 1918)"),
    ("192.168.1.1", "private", "a private range (RFC 1918)"),
    ("fd12:3456::/32", "private", "a unique local range (RFC 4193)"),
    ("127.0.0.1", "loopback", "loopback"),
    ("::1", "loopback", "loopback"),
    ("169.254.10.0/24", "link_local", "link-local"),
    ("fe80::/64", "link_local", "link-local"),
    ("224.0.0.1", "multicast", "multicast"),
    ("239.0.0.0/8", "multicast", "multicast"),
    ("ff02::1", "multicast", "multicast"),
    ("240.0.0.0/8", "reserved", "set aside for future use"),
    ("255.255.255.255", "broadcast", "the broadcast address"),
    ("0.0.0.0", "unspecified", "the unspecified address"),  # noqa: S104 - a fact, not a bind
    ("::", "unspecified", "the unspecified address"),
    ("0.1.2.0/24", "reserved", "“this network”"),
    ("100.64.0.0/10", "cgnat", "carrier-grade NAT"),
    ("100.64.1.0/24", "cgnat", "carrier-grade NAT"),
    ("198.18.0.0/15", "benchmarking", "benchmarking"),
    ("2001:2::/48", "benchmarking", "benchmarking"),
    ("192.0.0.0/24", "reserved", "IETF protocol assignments"),
    ("2002:c000:204::/48", "ipv4_in_ipv6", "6to4"),
    ("2001:0:4136:e378::/64", "ipv4_in_ipv6", "Teredo"),
    ("64:ff9b::/96", "ipv4_in_ipv6", "NAT64"),
    ("4000::/24", "reserved", "outside 2000::/3"),
    # Within the width limit, but including a special block.
    ("100.0.0.0/8", "cgnat", "includes 100.64.0.0/10"),
    ("192.0.0.0/8", "private", "includes 192.168.0.0/16"),
    ("172.0.0.0/8", "private", "includes 172.16.0.0/12"),
]

DOCUMENTATION_RANGES = ["192.0.2.0/24", "198.51.100.7", "203.0.113.0/25", "2001:db8::/32", "3fff::/24"]

PUBLIC_RANGES = [
    "3.93.157.0/24",
    "3.93.157.24",
    "141.193.184.64/26",
    "45.0.0.0/8",
    "2600::/24",
    "2001:4860:4860::8888",
    "2a00:1450:4000::/37",
]


@pytest.mark.parametrize(("text", "code", "words"), HAZARDOUS_RANGES)
def test_a_range_no_sender_publishes_is_refused_saying_why(text, code, words):
    with pytest.raises(RangeError) as caught:
        parse_sender_range(text, allow_documentation=True)
    assert caught.value.code == code
    assert words in str(caught.value)
    assert "enter" in str(caught.value).lower()  # and what to enter instead


@pytest.mark.parametrize("text", PUBLIC_RANGES)
def test_public_ranges_are_accepted_even_without_documentation_ranges(text):
    assert parse_sender_range(text, allow_documentation=False) == parse_network(text)


@pytest.mark.parametrize("text", DOCUMENTATION_RANGES)
def test_documentation_ranges_are_refused_unless_allowed(text):
    with pytest.raises(RangeError) as caught:
        parse_sender_range(text, allow_documentation=False)
    assert caught.value.code == "documentation"
    assert "documentation" in str(caught.value)
    assert parse_sender_range(text, allow_documentation=True) == parse_network(text)


def test_a_range_including_a_documentation_range_follows_the_same_setting():
    with pytest.raises(RangeError) as caught:
        parse_sender_range("203.0.0.0/8", allow_documentation=False)
    assert "includes 203.0.113.0/24" in str(caught.value)
    assert parse_sender_range("203.0.0.0/8", allow_documentation=True)
    assert parse_sender_range("192.0.2.0/23", allow_documentation=True)


def test_the_setting_decides_by_default(settings):
    settings.HELPCENTER_ALLOW_DOCUMENTATION_RANGES = False
    with pytest.raises(RangeError):
        parse_sender_range("192.0.2.0/24")
    settings.HELPCENTER_ALLOW_DOCUMENTATION_RANGES = True
    assert parse_sender_range("192.0.2.0/24")


def test_the_width_limits_are_module_constants():
    assert sender_ranges.WIDEST_PREFIX == {
        4: sender_ranges.WIDEST_IPV4_PREFIX,
        6: sender_ranges.WIDEST_IPV6_PREFIX,
    }
    assert (sender_ranges.WIDEST_IPV4_PREFIX, sender_ranges.WIDEST_IPV6_PREFIX) == (8, 24)


@pytest.mark.parametrize(
    ("text", "named", "not_named"),
    [
        ("127.0.0.1", "loopback", "private"),
        ("192.0.2.1", "documentation", "private"),
        ("255.255.255.255", "broadcast", "future use"),
        ("0.0.0.0", "unspecified", "this network"),  # noqa: S104 - a fact, not a bind
        ("2001::1", "Teredo", "IETF protocol"),
    ],
)
def test_the_message_names_the_most_specific_reason(text, named, not_named):
    with pytest.raises(RangeError) as caught:
        parse_sender_range(text, allow_documentation=False)
    assert named in str(caught.value)
    assert not_named not in str(caught.value)


@pytest.mark.parametrize("block", sender_ranges.SPECIAL_RANGES, ids=lambda block: str(block.network))
def test_every_special_block_and_every_address_in_it_is_refused(block):
    for network in (block.network, ipaddress.ip_network(block.network.network_address)):
        with pytest.raises(RangeError):
            sender_ranges.check_sender_range(network, allow_documentation=False)


#: Blocks that Python's ipaddress (3.11) still calls global: multicast is not
#: "private" to it, and the others were named special after its list was made.
GLOBAL_TO_IPADDRESS = {
    "224.0.0.0/4",
    "192.88.99.0/24",
    "64:ff9b::/96",
    "3fff::/20",
    "2002::/16",
    "fec0::/10",
    "ff00::/8",
}


def test_ipaddress_calls_no_other_special_block_global():
    # The table is ours; check it against the standard library where the
    # library has an opinion, so a block is never named without reason.
    for block in sender_ranges.SPECIAL_RANGES:
        if block.network.network_address.is_global:
            assert str(block.network) in GLOBAL_TO_IPADDRESS


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("010.1.1.1", "leading_zeros", "leading zeros, which are ambiguous"),
        ("010.1.1.1", "leading_zeros", "write 10.1.1.1"),
        ("192.0.2.1-192.0.2.9", "start_end", "192.0.2.1, 192.0.2.2/31, 192.0.2.4/30, 192.0.2.8/31"),
        ("192.0.2.0 - 192.0.2.255", "start_end", "write it in CIDR form"),
        ("192.0.2.0–192.0.2.255", "start_end", "(it is 192.0.2.0/24)"),
        ("192.0.2.1-9", "start_end", "192.0.2.8/31"),
        ("192.0.2.9-192.0.2.1", "start_end", "write the lower address first"),
        ("1.0.0.0-1.255.255.254", "start_end", "and 16 more"),
        ("192.0.2.1,192.0.2.2", "several", "one range on each line"),
        ("192.0.2.1, 198.51.100.7", "several", "one range on each line"),
        ("192.0.2.1;192.0.2.2", "several", "one range on each line"),
        ("192.0.2.0 255.255.255.0", "netmask", "write the prefix length instead: 192.0.2.0/24"),
        ("192.0.2.0/255.255.255.0", "netmask", "write the prefix length instead: 192.0.2.0/24"),
        ("198.51.100.0 255.255.254.0", "netmask", "198.51.100.0/23"),
        ("*.acme.example", "domain", "is a domain name, not an IP address or range"),
        ("mail.acme.example", "domain", "Enter domains under sender domains"),
        ("192.0.2.*", "wildcard", "192.0.2.0/24"),
        ("198.51.*.*", "wildcard", "198.51.0.0/16"),
    ],
)
def test_common_mistakes_get_a_message_saying_what_to_write(text, code, words):
    with pytest.raises(RangeError) as caught:
        parse_network(text)
    assert caught.value.code == code
    assert words in str(caught.value)


def test_a_lookup_still_reads_any_address():
    # The API and the search ask "who sends from this?" about any address.
    assert str(networks.parse_address("10.0.0.1")) == "10.0.0.1"
    assert str(networks.parse_address("127.0.0.1")) == "127.0.0.1"
    assert parse_network("0.0.0.0/0").prefixlen == 0


def test_judge_lines_gives_a_hazardous_line_its_reason_and_code():
    verdicts = judge_lines(
        "3.93.157.0/24\n10.0.0.0/8\n0.0.0.0/0\n192.0.2.0/24", existing=set(), allow_documentation=False
    )
    assert [(v.line_number, v.status, v.code) for v in verdicts] == [
        (1, "accepted", ""),
        (2, "invalid", "private"),
        (3, "invalid", "whole_internet"),
        (4, "invalid", "documentation"),
    ]
    assert "private range" in verdicts[1].message


# Pure functions: addresses and domains ----------------------------------------------------------

HAZARDOUS_ADDRESSES = [
    ('"a\x0cb"@acme.example', "control", "[U+000C]"),
    ("a\x0cb@acme.example", "control", "invisible character (U+000C)"),
    ("news\x00@acme.example", "control", "invisible character (U+0000)"),
    ("ne\u200bws@acme.example", "control", "invisible character (U+200B)"),
    ("news@acme\u202e.example", "control", "invisible character (U+202E)"),
    ('"news"@acme.example', "quoted", "without quotes"),
    ('"john doe"@acme.example', "quoted", "without quotes"),
    ('"a@b"@acme.example', "quoted", "without quotes"),
    ("a b@acme.example", "space", "contains a space"),
    ("a\tb@acme.example", "space", "contains a space"),
    ("a\u00a0b@acme.example", "space", "contains a space"),
    ("*@acme.example", "wildcard", "“any sender”"),
    ("news?@acme.example", "wildcard", "“any sender”"),
    ("news@[192.0.2.1]", "ip_address", "is an IP address, not a domain"),
    ("news@192.0.2.1", "ip_address", "is an IP address, not a domain"),
    ("news@*.acme.example", "wildcard", "without *."),
]


@pytest.mark.parametrize(("text", "code", "words"), HAZARDOUS_ADDRESSES)
def test_a_hazardous_sender_address_is_refused_saying_why(text, code, words):
    with pytest.raises(ValidationError) as caught:
        normalise_address(text)
    assert caught.value.code == code
    message = caught.value.messages[0]
    assert words in message
    # The message itself carries no control character into the page or the terminal.
    assert not any(ch in message for ch in "\x00\x0c\u200b\u202e\t")


HAZARDOUS_DOMAINS = [
    ("192.0.2.1", "ip_address", "is an IP address, not a domain; enter it under IP ranges"),
    ("[192.0.2.1]", "ip_address", "is an IP address, not a domain"),
    ("[IPv6:2001:db8::1]", "ip_address", "is an IP address, not a domain"),
    ("2001:db8::1", "ip_address", "is an IP address, not a domain"),
    ("*.acme.example", "wildcard", "write the domain without *. (enter acme.example)"),
    ("*acme.example", "wildcard", "write the domain without *."),
    ("1.2.3.4.5", "numeric", "ends in a number"),
    ("acme\x0c.example", "control", "invisible character (U+000C)"),
    ("ac\u200bme.example", "control", "invisible character (U+200B)"),
]


@pytest.mark.parametrize(("text", "code", "words"), HAZARDOUS_DOMAINS)
def test_a_domain_must_be_a_host_name(text, code, words):
    with pytest.raises(ValidationError) as caught:
        normalise_domain(text)
    assert caught.value.code == code
    assert words in caught.value.messages[0]


def test_a_final_dot_is_normalised_away():
    assert normalise_domain("acme.example.") == "acme.example"
    assert normalise_address("news@acme.example.") == "news@acme.example"


OTHERS = {"acme.example": "Acme Mail", "paypal.com": "PayPal", "microsoft.com": "Microsoft"}


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("\u0430cme.example", "mixes Cyrillic and Latin letters in “\u0430cme”"),  # Cyrillic а
        ("ex\u0430mple.org", "mixes Latin and Cyrillic letters"),
        ("g\u03bfogle.example", "mixes Latin and Greek letters"),  # Greek ο
        ("\u0430\u0441m\u0435.example", "looks like “acme.example”, a domain of Acme Mail"),
        ("acrne.example", "looks like “acme.example”, a domain of Acme Mail"),
        ("paypa1.com", "looks like “paypal.com”, a domain of PayPal"),
        ("rnicrosoft.com", "looks like “microsoft.com”, a domain of Microsoft"),
    ],
)
def test_a_lookalike_domain_gets_a_warning(typed, words):
    warnings = lookalike_warnings(normalise_domain(typed), OTHERS)
    assert any(words in warning for warning in warnings), warnings


@pytest.mark.parametrize(
    "typed", ["acme.example", "news.acme.example", "bücher.example", "例え.jp", "smarttrak.com"]
)
def test_an_ordinary_domain_gets_no_warning(typed):
    assert lookalike_warnings(normalise_domain(typed), OTHERS) == []


def test_a_mixed_script_warning_shows_the_stored_form():
    (warning,) = lookalike_warnings(normalise_domain("\u0430cme.example"), {})
    assert "(stored as xn--" in warning


def test_skeleton_maps_lookalike_letters_to_latin():
    assert skeleton(normalise_domain("\u0430\u0441m\u0435.example")) == "acme.example"
    assert skeleton("rnicrosoft.com") == skeleton("microsoft.com")


# Through every channel ----------------------------------------------------------------------


CHANNEL_RANGES = [
    ("0.0.0.0/0", "the whole internet"),
    ("::/0", "the whole internet"),
    ("10.0.0.0/8", "a private range (RFC 1918)"),
    ("127.0.0.1", "the loopback range"),
    ("224.0.0.1", "the multicast range"),
    ("100.64.0.0/10", "carrier-grade NAT"),
    ("255.255.255.255", "the broadcast address"),
    ("44.0.0.0/7", "is too wide"),
    ("fd00::/48", "a unique local range"),
    ("010.1.1.1", "leading zeros"),
    ("192.0.2.1-192.0.2.9", "start–end range"),
    ("192.0.2.0 255.255.255.0", "netmask"),
    ("*.acme.example", "is a domain name"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("network", "words"), CHANNEL_RANGES)
def test_full_clean_refuses_a_hazardous_range_with_its_code(acme, network, words):
    before = stored()
    ip_range = IPRange(vendor=acme, network=network)
    with pytest.raises(ValidationError) as caught:
        ip_range.full_clean()
    (error,) = caught.value.error_dict["network"]
    assert words in error.messages[0]
    assert error.code not in {None, "invalid"}
    assert_unchanged(before)


@pytest.mark.django_db
@pytest.mark.parametrize(("network", "words"), CHANNEL_RANGES)
def test_the_vendor_page_refuses_a_hazardous_range_and_stores_nothing(admin_client, acme, network, words):
    before = stored()
    response = post_vendor_change(admin_client, acme, "ip_ranges", network=network)
    assert response.status_code == 200
    assert words in html.unescape(errors_shown(response))
    assert_unchanged(before)


@pytest.mark.django_db
@pytest.mark.parametrize(("network", "words"), CHANNEL_RANGES[:5])
def test_the_ip_range_form_refuses_a_hazardous_range_and_stores_nothing(admin_client, acme, network, words):
    data = form_data(admin_client.get("/admin/articles/iprange/add/"), "iprange_form")
    data.update({"vendor": str(acme.pk), "network": network})
    before = stored()
    response = admin_client.post("/admin/articles/iprange/add/", data)
    assert response.status_code == 200
    assert words in html.unescape(errors_shown(response))
    assert_unchanged(before)


@pytest.mark.django_db
@pytest.mark.parametrize(("network", "words"), CHANNEL_RANGES)
def test_the_paste_tool_gives_a_hazardous_line_its_reason_and_saves_nothing(
    admin_client, acme, network, words
):
    before = stored()
    response = paste(admin_client, acme, f"3.93.157.0/24\n{network}\n45.1.2.0/24")
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Nothing was saved" in page
    assert words in page
    assert_unchanged(before)


@pytest.mark.django_db
def test_the_paste_service_refuses_a_hazardous_line_by_number_and_code(acme):
    before = stored()
    verdicts = services.vendor_ranges_add(vendor=acme, text="3.93.157.0/24\n\n10.1.0.0/16", tier="primary")
    assert [(v.line_number, v.status, v.code) for v in verdicts] == [
        (1, "accepted", ""),
        (3, "invalid", "private"),
    ]
    assert_unchanged(before)


@pytest.mark.django_db
@pytest.mark.parametrize(("network", "words"), CHANNEL_RANGES)
def test_an_import_refuses_a_hazardous_range_at_its_line_and_stores_nothing(tmp_path, acme, network, words):
    text = acme_file(f'    ip_ranges:\n      - network: 3.93.157.0/24\n      - network: "{network}"\n')
    before = stored()
    message = import_error(text, tmp_path)
    assert "line 7, vendors[0] (acme) > ip_ranges[1] > network: " in message
    assert words in message
    assert_unchanged(before)


@pytest.mark.django_db
def test_documentation_ranges_are_refused_through_every_channel_when_the_setting_is_off(
    admin_client, acme, tmp_path, settings
):
    settings.HELPCENTER_ALLOW_DOCUMENTATION_RANGES = False
    before = stored()
    with pytest.raises(ValidationError):
        IPRange(vendor=acme, network="203.0.113.0/24").full_clean()
    response = post_vendor_change(admin_client, acme, "ip_ranges", network="2001:db8::/32")
    assert "documentation range" in errors_shown(response)
    response = paste(admin_client, acme, "198.51.100.0/24")
    assert "a documentation range (RFC 5737)" in response.content.decode()
    message = import_error(acme_file("    ip_ranges:\n      - network: 192.0.2.128/25\n"), tmp_path)
    assert "a documentation range (RFC 5737)" in message
    assert_unchanged(before)


@pytest.mark.django_db
def test_a_retired_range_is_history_and_is_not_checked(acme):
    today = timezone.localdate()
    retired = IPRange(vendor=acme, network="10.0.0.0/8", added_on=today, retired_on=today)
    retired.full_clean()
    in_force_until_tomorrow = IPRange(
        vendor=acme, network="10.0.0.0/8", added_on=today, retired_on=today + timezone.timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        in_force_until_tomorrow.full_clean()


@pytest.mark.django_db
def test_a_hazardous_range_stored_before_these_rules_can_be_retired_but_not_kept(acme):
    legacy = IPRange(vendor=acme, network="0.0.0.0/0")
    legacy.save()  # as an older version stored it, without these checks
    legacy.staff_note = "kept"
    with pytest.raises(ValidationError) as caught:
        legacy.full_clean()
    assert "the whole internet" in caught.value.messages[0]
    (retired,) = services.ip_ranges_retire(ranges=[IPRange.objects.get(pk=legacy.pk)])
    assert retired.retired_on == timezone.localdate()
    assert not IPRange.objects.active().filter(pk=legacy.pk).exists()


CHANNEL_SENDERS = [
    ("sender_addresses", "address", '"a\x0cb"@acme.example', "invisible character (U+000C)"),
    ("sender_addresses", "address", '"news"@acme.example', "without quotes"),
    ("sender_addresses", "address", "*@acme.example", "any sender"),
    ("sender_addresses", "address", "a b@acme.example", "contains a space"),
    ("sender_domains", "domain", "192.0.2.1", "is an IP address, not a domain"),
    ("sender_domains", "domain", "[192.0.2.1]", "is an IP address, not a domain"),
    ("sender_domains", "domain", "*.acme.example", "write the domain without *."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "field", "value", "words"), CHANNEL_SENDERS)
def test_the_vendor_page_refuses_a_hazardous_sender_and_stores_nothing(
    admin_client, acme, prefix, field, value, words
):
    before = stored()
    response = post_vendor_change(admin_client, acme, prefix, **{field: value})
    assert response.status_code == 200
    assert words in html.unescape(errors_shown(response))
    assert_unchanged(before)


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "field", "value", "words"), CHANNEL_SENDERS)
def test_full_clean_refuses_a_hazardous_sender(acme, prefix, field, value, words):
    model = SenderAddress if field == "address" else SenderDomain
    with pytest.raises(ValidationError) as caught:
        model(vendor=acme, **{field: value}).full_clean()
    assert words in caught.value.message_dict[field][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lines", "place", "words"),
    [
        (
            '    sender_addresses:\n      - address: news@acme.example\n      - address: "\\"a\\fb\\"@acme.example"\n',
            "line 7, vendors[0] (acme) > sender_addresses[1] > address",
            "invisible character (U+000C)",
        ),
        (
            "    sender_addresses:\n      - address: '*@acme.example'\n",
            "line 6, vendors[0] (acme) > sender_addresses[0] > address",
            "any sender",
        ),
        (
            '    sender_domains: [news.acme.example, "*.acme.example"]\n',
            "line 5, vendors[0] (acme) > sender_domains[1]",
            "write the domain without *.",
        ),
        (
            "    sender_domains: [news.acme.example, 192.0.2.1]\n",
            "line 5, vendors[0] (acme) > sender_domains[1]",
            "is an IP address, not a domain",
        ),
    ],
    ids=["control", "wildcard-address", "wildcard-domain", "ip-domain"],
)
def test_an_import_refuses_a_hazardous_sender_at_its_line_and_stores_nothing(
    tmp_path, acme, lines, place, words
):
    before = stored()
    message = import_error(acme_file(lines), tmp_path)
    assert place in message
    assert words in message
    assert_unchanged(before)


# Look-alike warnings, through the admin and the import ----------------------------------------


@pytest.mark.django_db
def test_the_vendor_page_saves_a_lookalike_domain_with_a_warning(admin_client, acme):
    other = make_vendor("globex", "Globex")
    data = vendor_form(admin_client, other)
    add_inline_row(data, "sender_domains", domain="acrne.example")
    response = admin_client.post(vendor_url(other), data, follow=True)
    assert response.status_code == 200
    shown = [(message.level_tag, message.message) for message in response.context["messages"]]
    assert (
        "warning",
        "Saved, but please check: “acrne.example” looks like “acme.example”, a domain of Acme Mail. "
        "Check that it is not a look-alike.",
    ) in shown
    assert other.sender_domains.filter(domain="acrne.example").exists()


@pytest.mark.django_db
def test_the_vendor_page_warns_of_a_mixed_script_address(admin_client, acme):
    data = vendor_form(admin_client, acme)
    add_inline_row(data, "sender_addresses", address="news@\u0430cme-mail.example")
    response = admin_client.post(vendor_url(acme), data, follow=True)
    warnings = [m.message for m in response.context["messages"] if m.level_tag == "warning"]
    assert any("mixes Cyrillic and Latin letters" in warning for warning in warnings), warnings


@pytest.mark.django_db
def test_the_vendor_page_gives_no_warning_for_ordinary_facts(admin_client, acme):
    data = vendor_form(admin_client, acme)
    add_inline_row(data, "sender_domains", domain="news.acme.example")
    response = admin_client.post(vendor_url(acme), data, follow=True)
    assert [m for m in response.context["messages"] if m.level_tag == "warning"] == []


@pytest.mark.django_db
def test_an_import_saves_a_lookalike_domain_and_prints_a_warning_with_its_line(tmp_path, acme):
    text = acme_file("    sender_domains: [acme.example]\n") + (
        "  - slug: globex\n    name: Globex\n    sender_domains: [globex.example, \u0430cme.example]\n"
    )
    out = run_import(text, tmp_path=tmp_path)
    assert "Warning: line 8, vendors[1] (globex) > sender_domains[1]: “\u0430cme.example”" in out
    assert "looks like “acme.example”, a domain of Acme Renamed" in out
    assert "mixes Cyrillic and Latin letters" in out
    assert SenderDomain.objects.filter(vendor__slug="globex").count() == 2


@pytest.mark.django_db
def test_an_import_gives_no_warning_for_ordinary_domains(tmp_path, acme):
    out = run_import(acme_file("    sender_domains: [acme.example, news.acme.example]\n"), tmp_path=tmp_path)
    assert "Warning" not in out


# Looking up any address still works ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("ip", ["10.0.0.1", "127.0.0.1", "255.255.255.255", "::1", "192.0.2.77"])
def test_the_api_lookup_answers_for_any_address(client, acme, ip):
    response = client.get(f"/api/ip/{ip}")
    assert response.status_code == 200
    assert response.json()["address"] == ip
