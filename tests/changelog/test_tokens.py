"""The sync token of a day's list, computed from entries written once, is the range file's token."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json

import pytest

from articles.downloads.changes_since import TokenHistory, list_states
from articles.downloads.loaders import listed
from articles.downloads.published import ListedRange, sort_ranges
from articles.downloads.range_files import sync_token
from articles.facts.changelog import changes
from articles.facts.models import IPRange, Vendor
from tests.conftest import make_range

D = dt.date


def dumped_token(ranges) -> str:
    """The token as the range files first wrote it: the whole list dumped as canonical JSON."""
    ipv4, ipv6 = [], []
    for entry in sort_ranges(ranges):
        key, bucket = ("ip_prefix", ipv4) if entry.version == 4 else ("ipv6_prefix", ipv6)
        bucket.append(
            {
                key: entry.network.with_prefixlen,
                "vendor": entry.vendor,
                "tier": entry.tier,
                "added_on": entry.added_on.isoformat() if entry.added_on else None,
                "note": entry.note,
            }
        )
    canonical = json.dumps(
        {"prefixes": ipv4, "ipv6_prefixes": ipv6}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


JANUARY = D(2026, 1, 1)


def entry(network: str, note: str = "", vendor: str = "acme", added_on=JANUARY) -> ListedRange:
    return ListedRange(vendor, ipaddress.ip_network(network), "primary", note, added_on)


@pytest.mark.parametrize(
    "ranges",
    [
        [],
        [entry("192.0.2.0/24")],
        [entry("2001:db8::/32")],
        [entry("2001:db8::/32", 'quote " and \\ backslash'), entry("192.0.2.0/24", "Zürich relay ✉")],
        [
            entry("198.51.100.0/24", vendor="zeta"),
            entry("192.0.2.0/25", added_on=None),
            entry("2001:db8::1/128"),
        ],
    ],
)
def test_the_token_is_the_same_bytes_as_the_whole_list_dumped(ranges):
    assert sync_token(ranges) == dumped_token(ranges)


@pytest.mark.django_db
def test_each_days_token_is_the_token_of_the_ranges_in_force_that_day(history):
    # Oddities the admin refuses but SQL could write: gone the day it came, and retired before added.
    for network, added_on, retired_on in (
        ("192.0.2.128/32", D(2026, 7, 1), D(2026, 7, 1)),
        ("2001:db8:9::/48", D(2026, 8, 1), D(2026, 5, 1)),
    ):
        make_range(history, network)
        IPRange.objects.filter(network=network).update(added_on=added_on, retired_on=retired_on)
    vendors = {history.pk: Vendor.objects.get(pk=history.pk)}
    ranges = list(IPRange.objects.filter(vendor=history))
    token_history = TokenHistory(ranges, vendors)
    days = [D(2026, 2, 28) + dt.timedelta(days=n) for n in range(0, 400, 3)]
    for day, token in zip(days, token_history.tokens_on(days), strict=True):
        in_force = [listed(r, "acme") for r in IPRange.objects.filter(vendor=history).active(on=day)]
        assert token == sync_token(in_force), day
    states = list_states(token_history, changes([history.pk]), D(2027, 3, 1))
    assert [state.first_day for state in states][:3] == [D(2026, 2, 28), D(2026, 3, 1), D(2026, 5, 1)]
    assert all(
        a.last_day + dt.timedelta(days=1) == b.first_day for a, b in zip(states, states[1:], strict=False)
    )
