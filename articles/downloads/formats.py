"""Range files and contact files, written from one set of facts.

Every file an IT department or a reader downloads is written here, by pure
functions over plain data (``Facts`` and ``ListedRange``), so the formats are
tested without a database and can never disagree: each writer takes the same
sorted ranges.

The formats:

- ``allowlist.txt``: one range per line in CIDR form, nothing else, as
  firewalls and gateways read it.
- ``allowlist.csv``: a header row, then network, IP version, tier, note and
  date added (and the vendor first, in the file for all vendors).
- ``allowlist.json``: shaped like the large cloud providers' published range
  files (AWS ``ip-ranges.json``): ``syncToken``, ``createDate``, ``prefixes``
  with ``ip_prefix`` and ``ipv6_prefixes`` with ``ipv6_prefix``.
- ``contact.vcf``: a vCard 4.0 (RFC 6350) with every sender address.
- ``gmail-filter.xml``: the Atom feed Gmail's "Import filters" reads, with one
  filter that never sends the vendor's mail to spam.

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
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from articles.facts.networks import Network

CSV_HEADER = ["network", "ip_version", "tier", "note", "added_on"]
SITE_PRODID = "-//Safelist Help Center//Allowlist downloads//EN"
VCARD_UID_NAMESPACE = uuid.UUID("6a1f3c2e-5b7d-4e0a-9c8f-2d4b6e8a0c1e")
GMAIL_ATOM = "http://www.w3.org/2005/Atom"
GMAIL_APPS = "http://schemas.google.com/apps/2006"
# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ListedRange:
    """One published IP range, as every download lists it."""

    vendor: str  # the vendor's slug
    network: Network
    tier: str
    note: str = ""
    added_on: dt.date | None = None

    @property
    def version(self) -> int:
        return self.network.version

    @property
    def sort_key(self) -> tuple:
        return (
            self.vendor,
            self.network.version,
            int(self.network.network_address),
            self.network.prefixlen,
            self.tier,
            self.added_on or dt.date.min,
            self.note,
        )


@dataclass(frozen=True)
class Sender:
    address: str
    used_for: str = ""


@dataclass(frozen=True)
class Facts:
    """One vendor's published facts, in the order every output lists them."""

    id: int
    slug: str
    name: str
    changed_at: dt.datetime
    website: str = ""
    addresses: tuple[Sender, ...] = ()
    domains: tuple[str, ...] = ()  # canonical (A-label) form
    ranges: tuple[ListedRange, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "ranges", sort_ranges(self.ranges))


def sort_ranges(ranges: Iterable[ListedRange]) -> tuple[ListedRange, ...]:
    """The one order every output uses: vendor, IP version, address, prefix length."""
    return tuple(sorted(ranges, key=lambda listed: listed.sort_key))


def unique_networks(ranges: Iterable[ListedRange]) -> list[Network]:
    """Each network once, IPv4 before IPv6, in address order."""
    seen = {listed.network for listed in ranges}
    return sorted(seen, key=lambda n: (n.version, int(n.network_address), n.prefixlen))


# Range files -------------------------------------------------------------------------------


def ranges_txt(ranges: Iterable[ListedRange]) -> str:
    """One range per line in CIDR form; a range two vendors share appears once."""
    return "".join(f"{network.with_prefixlen}\n" for network in unique_networks(ranges))


def _csv_cell(text: str) -> str:
    # A note such as "=HYPERLINK(...)" would run as a formula when IT opens the
    # file in a spreadsheet; a leading apostrophe keeps it as text.
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def ranges_csv(ranges: Iterable[ListedRange], *, with_vendor: bool = False) -> str:
    """A header row, then one row per range (RFC 4180: CRLF line ends, quoted as needed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow((["vendor"] if with_vendor else []) + CSV_HEADER)
    for listed in sort_ranges(ranges):
        row = [
            listed.network.with_prefixlen,
            listed.version,
            listed.tier,
            _csv_cell(listed.note),
            listed.added_on.isoformat() if listed.added_on else "",
        ]
        writer.writerow(([listed.vendor] if with_vendor else []) + row)
    return out.getvalue()


def _json_entries(ranges: Sequence[ListedRange]) -> tuple[list[dict], list[dict]]:
    ipv4, ipv6 = [], []
    for listed in ranges:
        key, bucket = ("ip_prefix", ipv4) if listed.version == 4 else ("ipv6_prefix", ipv6)
        bucket.append(
            {
                key: listed.network.with_prefixlen,
                "vendor": listed.vendor,
                "tier": listed.tier,
                "added_on": listed.added_on.isoformat() if listed.added_on else None,
                "note": listed.note,
            }
        )
    return ipv4, ipv6


def sync_token(ranges: Iterable[ListedRange]) -> str:
    """A SHA-256 over the listed ranges: it changes exactly when the list does."""
    ipv4, ipv6 = _json_entries(sort_ranges(ranges))
    canonical = json.dumps(
        {"prefixes": ipv4, "ipv6_prefixes": ipv6},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def content_etag(body: bytes) -> str:
    """A strong ETag (quoted) for a response body: the same bytes, the same tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# vCard (RFC 6350) --------------------------------------------------------------------------


def _vcard_text(value: str) -> str:
    """Escape a text value: backslash, comma, semicolon and line breaks (RFC 6350 3.4)."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 6350 3.2)."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            # Continuation lines start with a space, which counts towards their 75.
            current, size, limit = "", 0, 74
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def vcard_uid(facts: Facts) -> str:
    """A stable UID, so importing the card again updates the contact instead of adding one."""
    return f"urn:uuid:{uuid.uuid5(VCARD_UID_NAMESPACE, f'vendor:{facts.id}')}"


def vcard(facts: Facts) -> str:
    """A vCard 4.0 naming the vendor as an organisation, with every sender address."""
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"PRODID:{SITE_PRODID}",
        f"UID:{vcard_uid(facts)}",
        "KIND:org",
        f"FN:{_vcard_text(facts.name)}",
        f"ORG:{_vcard_text(facts.name)}",
    ]
    for position, sender in enumerate(facts.addresses):
        preference = ";PREF=1" if position == 0 else ""
        lines.append(f"EMAIL;TYPE=work{preference}:{_vcard_text(sender.address)}")
    if facts.website:
        lines.append(f"URL:{facts.website}")
    described = [f"{s.address}: {s.used_for}" if s.used_for else s.address for s in facts.addresses]
    if described:
        note = f"{facts.name} sends mail from these addresses.\n" + "\n".join(described)
        lines.append(f"NOTE:{_vcard_text(note)}")
    lines.append(f"REV:{facts.changed_at.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


# Gmail filter file -------------------------------------------------------------------------


def gmail_criteria(facts: Facts) -> str:
    """The filter's "from" value: every sender address and every domain (as @domain)."""
    terms = [sender.address for sender in facts.addresses]
    terms += [f"@{domain}" for domain in facts.domains]
    return " OR ".join(dict.fromkeys(terms))


def gmail_filter(facts: Facts) -> str:
    """An Atom feed with one filter, "never send it to Spam", as Gmail exports and imports it."""
    updated = iso_utc(facts.changed_at)
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        f"<feed xmlns={quoteattr(GMAIL_ATOM)} xmlns:apps={quoteattr(GMAIL_APPS)}>",
        f"  <title>{escape(f'Mail filters: {facts.name}')}</title>",
        f"  <id>tag:mail.google.com,2008:filters:{escape(facts.slug)}</id>",
        f"  <updated>{updated}</updated>",
    ]
    criteria = gmail_criteria(facts)
    if criteria:
        lines += [
            "  <entry>",
            "    <category term='filter'></category>",
            f"    <title>{escape(f'Never send mail from {facts.name} to Spam')}</title>",
            f"    <id>tag:mail.google.com,2008:filter:{escape(facts.slug)}</id>",
            f"    <updated>{updated}</updated>",
            "    <content></content>",
            f"    <apps:property name='from' value={quoteattr(criteria)}/>",
            "    <apps:property name='shouldNeverSpam' value='true'/>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
