"""The range files: ``allowlist.txt``, ``allowlist.csv`` and ``allowlist.json``.

- ``allowlist.txt``: one range per line in CIDR form, nothing else, as
  firewalls and gateways read it.
- ``allowlist.csv``: a header row, then network, IP version, tier, note (the
  range's public note; the staff note is in no file) and date added (and the vendor first, in the file for all vendors); every text
  cell on one line and guarded against spreadsheet formulas
  (``safe_text.spreadsheet_cell``).
- ``allowlist.json``: shaped like the large cloud providers' published range
  files (AWS ``ip-ranges.json``): ``syncToken``, ``createDate``, ``prefixes``
  with ``ip_prefix`` and ``ipv6_prefixes`` with ``ipv6_prefix``. Written by
  ``json.dumps`` alone, which escapes any text; the note is the public note as
  staff wrote it.

Why the sync token is a content hash: subscribers compare it with the token
they saw last to decide whether to re-import. A SHA-256 of the listed ranges
(vendor, network, tier, note, date added) changes exactly when one of those
changes, including when a range leaves the list because its retirement date
has passed, which no database write marks. Unlike AWS's timestamp token it is
not ordered: compare tokens for equality only, and use ``createDate`` to order.

``createDate`` is when the facts behind the file last changed: the newest
edit to an address, domain or range, or the start of the day on which a range
retired, whichever is later (``Facts.changed_at``). An edit to a sender
address moves it without changing the ranges, so ``createDate`` may move while
``syncToken`` stays the same; the sync token is the one to compare.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Sequence

from articles.downloads.published import ListedRange, iso_utc, sort_ranges, unique_networks
from articles.downloads.safe_text import spreadsheet_cell

CSV_HEADER = ["network", "ip_version", "tier", "note", "added_on"]


def ranges_txt(ranges: Iterable[ListedRange]) -> str:
    """One range per line in CIDR form; a range two vendors share appears once."""
    return "".join(f"{network.with_prefixlen}\n" for network in unique_networks(ranges))


def ranges_csv(ranges: Iterable[ListedRange], *, with_vendor: bool = False) -> str:
    """A header row, then one row per range (RFC 4180: CRLF line ends, quoted as needed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow((["vendor"] if with_vendor else []) + CSV_HEADER)
    for listed in sort_ranges(ranges):
        row = [
            listed.network.with_prefixlen,
            str(listed.version),
            listed.tier,
            listed.note,
            listed.added_on.isoformat() if listed.added_on else "",
        ]
        # A note such as "=HYPERLINK(...)" would run as a formula when IT opens the file.
        writer.writerow([spreadsheet_cell(cell) for cell in ([listed.vendor] if with_vendor else []) + row])
    return out.getvalue()


def _json_entry(listed: ListedRange) -> dict:
    key = "ip_prefix" if listed.version == 4 else "ipv6_prefix"
    return {
        key: listed.network.with_prefixlen,
        "vendor": listed.vendor,
        "tier": listed.tier,
        "added_on": listed.added_on.isoformat() if listed.added_on else None,
        "note": listed.note,
    }


def _json_entries(ranges: Sequence[ListedRange]) -> tuple[list[dict], list[dict]]:
    ipv4 = [_json_entry(listed) for listed in ranges if listed.version == 4]
    ipv6 = [_json_entry(listed) for listed in ranges if listed.version == 6]
    return ipv4, ipv6


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def token_entry(listed: ListedRange) -> str:
    """One range as the sync token hashes it: its entry of the JSON file, as canonical JSON."""
    return _canonical(_json_entry(listed))


def token_of_entries(ipv4: Iterable[str], ipv6: Iterable[str]) -> str:
    """The sync token of a list given as its ranges' ``token_entry`` texts, each version in the files' order.

    The SHA-256 of ``{"ipv6_prefixes":[…],"prefixes":[…]}`` in canonical JSON,
    which ``json.dumps`` writes as each entry's own text joined by commas; so
    a caller that hashes many lists made of the same ranges (the changes API,
    one list per day of the log) writes each entry once and only joins them
    here, instead of dumping every list whole (tests/changelog/test_tokens.py
    holds the two to the same bytes).
    """
    digest = hashlib.sha256(b'{"ipv6_prefixes":[')
    digest.update(",".join(ipv6).encode("utf-8"))
    digest.update(b'],"prefixes":[')
    digest.update(",".join(ipv4).encode("utf-8"))
    digest.update(b"]}")
    return digest.hexdigest()


def sync_token(ranges: Iterable[ListedRange]) -> str:
    """A SHA-256 over the listed ranges: it changes exactly when the list does."""
    ordered = sort_ranges(ranges)
    return token_of_entries(
        (token_entry(listed) for listed in ordered if listed.version == 4),
        (token_entry(listed) for listed in ordered if listed.version == 6),
    )


def ranges_json(ranges: Iterable[ListedRange], *, created: dt.datetime) -> str:
    """The range file in the manner of the large cloud providers' published files."""
    ordered = sort_ranges(ranges)
    ipv4, ipv6 = _json_entries(ordered)
    document = {
        "syncToken": sync_token(ordered),
        "createDate": iso_utc(created),
        "prefixes": ipv4,
        "ipv6_prefixes": ipv6,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
