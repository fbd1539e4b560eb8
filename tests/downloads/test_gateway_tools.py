"""Our gateway files read by the mail systems' own tools: SpamAssassin and Postfix's postmap.

The vendor is the fixed hostile one of ``hostile.py``: a name written to break
out of every format, sender addresses with form feeds, wildcards, spaces and
line breaks, domains that are IP addresses or wildcards, beside the plain
facts that must still work. SpamAssassin must lint each ``.cf`` file without a
warning and, for test messages, welcome exactly the senders listed (and for
``welcomelist_from_rcvd`` only through the vendor's servers); postmap must
answer ``permit`` for every address inside a listed network and nothing for
the addresses just outside.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest

from articles.downloads.published import Facts, ListedRange, Sender
from articles.downloads.snippets import postfix, spamassassin
from tests.downloads import hostile
from tests.downloads import snippet_readers as read
from tests.downloads.mail_tools import (
    WELCOMELIST_RULE,
    Message,
    SpamAssassin,
    addresses_around,
    postmap_answers,
)

NETWORKS = ["192.0.2.0/24", "198.51.100.7/32", "203.0.113.128/25", "2001:db8::/32"]


@pytest.fixture(scope="module")
def hostile_facts() -> Facts:
    return Facts(
        id=1,
        slug="acme",
        name=hostile.HOSTILE_NAME,
        changed_at=dt.datetime(2026, 1, 15, tzinfo=dt.UTC),
        addresses=tuple(
            Sender(address, used_for=hostile.HOSTILE_NAME)
            for address in [*hostile.LEFT_OUT_ADDRESSES, *hostile.LISTED_ADDRESSES]
        ),
        domains=(*hostile.LEFT_OUT_DOMAINS, *hostile.LISTED_DOMAINS),
        ranges=tuple(
            ListedRange("acme", ipaddress.ip_network(n), "primary", note=hostile.HOSTILE_NAME)
            for n in NETWORKS
        ),
    )


# SpamAssassin ------------------------------------------------------------------------------

EXPECTED_PATTERNS = {"*@acme.example", "*@xn--bcher-kva.example", "billing@other.example"}


@pytest.fixture(scope="module")
def cf_files(hostile_facts) -> dict[str, str]:
    return {
        "60_welcomelist.cf": spamassassin.spamassassin_from(hostile_facts).text,
        "61_welcomelist_rcvd.cf": spamassassin.spamassassin_rcvd(hostile_facts).text,
    }


def test_the_cf_files_hold_only_the_plain_patterns(cf_files):
    patterns = read.read_spamassassin_from(cf_files["60_welcomelist.cf"])
    assert set(patterns) == EXPECTED_PATTERNS and len(patterns) == len(EXPECTED_PATTERNS)
    pairs = read.read_spamassassin_rcvd(cf_files["61_welcomelist_rcvd.cf"])
    assert pairs == {(p, ipaddress.ip_network(n)) for p in EXPECTED_PATTERNS for n in NETWORKS}
    assert not any(read.spamassassin_matches_any_sender(pattern) for pattern in patterns)


def test_spamassassin_lints_both_files_without_a_warning(tmp_path, cf_files):
    result = SpamAssassin(tmp_path, cf_files).lint()
    assert result.returncode == 0, result.stderr
    assert "warn" not in result.stderr.lower(), result.stderr


def test_welcomelist_from_welcomes_the_listed_senders_and_no_one_else(tmp_path, cf_files):
    sa = SpamAssassin(tmp_path, {"60_welcomelist.cf": cf_files["60_welcomelist.cf"]})
    listed = [
        Message("alerts@acme.example"),
        Message("anyone@xn--bcher-kva.example"),
        Message("billing@other.example"),
    ]
    unlisted = [
        Message("someone@evil.example"),
        Message("alerts@acme.example.evil.example"),
        Message("billing@sub.other.example"),
        Message("x@192.0.2.1"),
    ]
    hits = sa.rules_hit([*listed, *unlisted])
    assert [WELCOMELIST_RULE in found for found in hits] == [True] * len(listed) + [False] * len(unlisted)


def test_welcomelist_from_rcvd_welcomes_listed_senders_only_through_the_vendors_servers(tmp_path, cf_files):
    sa = SpamAssassin(tmp_path, {"61_welcomelist_rcvd.cf": cf_files["61_welcomelist_rcvd.cf"]})
    messages = [
        (Message("alerts@acme.example", relay="192.0.2.25"), True),
        (Message("billing@other.example", relay="203.0.113.200"), True),
        (Message("alerts@acme.example", relay="2001:db8::25"), True),
        (Message("alerts@acme.example", relay="198.51.100.8"), False),  # next to a listed /32
        (Message("alerts@acme.example", relay="203.0.113.127"), False),  # just below a listed /25
        (Message("someone@evil.example", relay="192.0.2.25"), False),
    ]
    hits = sa.rules_hit(message for message, _ in messages)
    assert [WELCOMELIST_RULE in found for found in hits] == [welcome for _, welcome in messages]


# Postfix -----------------------------------------------------------------------------------


def test_postmap_permits_exactly_the_listed_networks(tmp_path, hostile_facts):
    table = tmp_path / "acme-allowlist.cidr"
    table.write_text(postfix.postfix(hostile_facts).text, encoding="utf-8")
    networks = [ipaddress.ip_network(n) for n in NETWORKS]
    keys = addresses_around(networks)
    answers, warnings = postmap_answers(table, keys)
    assert warnings == ""
    assert answers == {
        key: "permit" for key in keys if any(ipaddress.ip_address(key) in network for network in networks)
    }
    assert "198.51.100.7" in answers and "198.51.100.8" not in answers
