"""What a reader imports into their own mail: the contact card and the Gmail filter.

- ``contact.vcf``: a vCard 4.0 (RFC 6350) with every sender address, which
  mail clients that trust their contacts let through.
- ``gmail-filter.xml``: the Atom feed Gmail's "Import filters" reads, with one
  filter that never sends the vendor's mail to spam.
"""

from __future__ import annotations

import datetime as dt
import uuid
from xml.sax.saxutils import escape, quoteattr

from articles.downloads.published import Facts, iso_utc

SITE_PRODID = "-//Safelist Help Center//Allowlist downloads//EN"
VCARD_UID_NAMESPACE = uuid.UUID("6a1f3c2e-5b7d-4e0a-9c8f-2d4b6e8a0c1e")
GMAIL_ATOM = "http://www.w3.org/2005/Atom"
GMAIL_APPS = "http://schemas.google.com/apps/2006"


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
