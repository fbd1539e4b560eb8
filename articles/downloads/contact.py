"""What a reader imports into their own mail: the contact card and the Gmail filter.

- ``contact.vcf``: a vCard 4.0 (RFC 6350) with every sender address, which
  mail clients that trust their contacts let through.
- ``gmail-filter.xml``: the Atom feed Gmail's "Import filters" reads, with one
  filter that never sends the vendor's mail to spam.

Only plain sender addresses and domains go in (``Facts.plain_senders``,
``Facts.plain_domains``), so the card's EMAIL lines are valid addresses and the
filter's ``from`` value is nothing but addresses and ``@domain`` terms joined by
``OR``, with no space, quote or bracket Gmail's search syntax would read. Free
text (the vendor's name, what an address is used for) is on one line without
control characters (``safe_text.one_line``) before it is escaped, as vCard
escapes it (``_vcard_text``) or as XML does (``xml_text``): XML 1.0 cannot
hold most control characters even as references. The website goes on the card
only as a plain http(s) address (``safe_text.plain_url``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from xml.sax.saxutils import escape, quoteattr

from articles.downloads.published import Facts, iso_utc
from articles.downloads.safe_text import one_line, plain_url

SITE_PRODID = "-//Safelist Help Center//Allowlist downloads//EN"
VCARD_UID_NAMESPACE = uuid.UUID("6a1f3c2e-5b7d-4e0a-9c8f-2d4b6e8a0c1e")
GMAIL_ATOM = "http://www.w3.org/2005/Atom"
GMAIL_APPS = "http://schemas.google.com/apps/2006"


# vCard (RFC 6350) --------------------------------------------------------------------------


def _vcard_text(*lines: str) -> str:
    """A text value of one or more lines, each on one line, escaped (RFC 6350 3.4).

    Backslash, comma and semicolon are escaped; the lines are joined with the
    escaped line break ``\\n``, the only way a line break may appear. Every
    other control character was dropped by ``one_line``.
    """
    escaped = (one_line(line).replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;") for line in lines)
    return "\\n".join(escaped)


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
    name = one_line(facts.name) or one_line(facts.slug)
    senders = facts.plain_senders
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"PRODID:{SITE_PRODID}",
        f"UID:{vcard_uid(facts)}",
        "KIND:org",
        f"FN:{_vcard_text(name)}",
        f"ORG:{_vcard_text(name)}",
    ]
    for position, sender in enumerate(senders):
        preference = ";PREF=1" if position == 0 else ""
        lines.append(f"EMAIL;TYPE=work{preference}:{_vcard_text(sender.address)}")
    website = plain_url(facts.website)
    if website:
        lines.append(f"URL:{website}")
    described = []
    for sender in senders:
        used_for = one_line(sender.used_for)
        described.append(f"{sender.address}: {used_for}" if used_for else sender.address)
    if described:
        lines.append(f"NOTE:{_vcard_text(f'{name} sends mail from these addresses.', *described)}")
    lines.append(f"REV:{facts.changed_at.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


# Gmail filter file -------------------------------------------------------------------------


def xml_text(text: str) -> str:
    """Free text as XML character data: on one line, which XML 1.0 can hold, and escaped."""
    return escape(one_line(text))


def gmail_criteria(facts: Facts) -> str:
    """The filter's "from" value: every plain sender address and every plain domain (as @domain)."""
    terms = [sender.address for sender in facts.plain_senders]
    terms += [f"@{domain}" for domain in facts.plain_domains]
    return " OR ".join(dict.fromkeys(terms))


def gmail_filter(facts: Facts) -> str:
    """An Atom feed with one filter, "never send it to Spam", as Gmail exports and imports it."""
    updated = iso_utc(facts.changed_at)
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        f"<feed xmlns={quoteattr(GMAIL_ATOM)} xmlns:apps={quoteattr(GMAIL_APPS)}>",
        f"  <title>{xml_text(f'Mail filters: {facts.name}')}</title>",
        f"  <id>tag:mail.google.com,2008:filters:{xml_text(facts.slug)}</id>",
        f"  <updated>{updated}</updated>",
    ]
    criteria = gmail_criteria(facts)
    if criteria:
        lines += [
            "  <entry>",
            "    <category term='filter'></category>",
            f"    <title>{xml_text(f'Never send mail from {facts.name} to Spam')}</title>",
            f"    <id>tag:mail.google.com,2008:filter:{xml_text(facts.slug)}</id>",
            f"    <updated>{updated}</updated>",
            "    <content></content>",
            f"    <apps:property name='from' value={quoteattr(criteria)}/>",
            "    <apps:property name='shouldNeverSpam' value='true'/>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
