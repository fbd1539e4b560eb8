"""What a help center file holds: its keys, and the plain entries it is read into.

The entries are plain values, already checked and normalised (a range as
``198.51.100.7/32``, a domain in its A-label form), each remembering where in
the file it was written so that a problem the database finds later can still
name its line. Reading (``parse``) fills them in; writing (``write``) stores them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS

from articles.content.models import Article, MailClient
from articles.facts.models import IPRange
from articles.interchange.locations import Place

FORMAT = "safelist-helpcenter/1"

# The keys each part of the file may hold, in the order the export writes them.
FILE_KEYS = ("format", "mail_clients", "vendors", "articles")
CLIENT_KEYS = ("slug", "name", "short_name", "audience", "description", "intro", "steps")
VENDOR_KEYS = (
    "slug",
    "name",
    "website",
    "description",
    "support_email",
    "support_url",
    "support_hours",
    "unsupported",
    "unsupported_note",
    "facts_changed_at",
    "sender_addresses",
    "sender_domains",
    "ip_ranges",
    "step_overrides",
)
ADDRESS_KEYS = ("address", "used_for", "added_on", "retired_on")
#: A sender domain is text (``acme.example``) or, with its dates, a group of these keys.
DOMAIN_KEYS = ("domain", "added_on", "retired_on")
RANGE_KEYS = ("network", "tier", "public_note", "staff_note", "added_on", "retired_on")
#: A file written before ranges had two notes has one ``note``: it was documented as
#: a note for staff, so it is read as the staff note.
OLD_STAFF_NOTE_KEY = "note"
RANGE_KEYS_READ = (*RANGE_KEYS, OLD_STAFF_NOTE_KEY)
OVERRIDE_KEYS = ("client", "intro", "steps")
ARTICLE_KEYS = (
    "vendor",
    "slug",
    "kind",
    "title",
    "summary",
    "status",
    "published_at",
    "reviewed_on",
    "updated_at",
    "show_it_section",
    "unsupported",
    "unsupported_note",
    "clients",
    "body",
)


@dataclass
class Entry:
    """One part of the file (a vendor, an IP range...): where it starts, and where each key was written."""

    place: Place
    places: dict[str, Place] = field(default_factory=dict, repr=False)

    def place_of(self, key: str) -> Place:
        """Where ``key`` was written, or where it belongs if it was left out."""
        if key == NON_FIELD_ERRORS:
            return self.place
        return self.places.get(key) or self.place.child(key)

    def values(self, *names: str) -> dict[str, object]:
        """These fields' values by name: the keyword arguments of the model row the entry describes."""
        return {name: getattr(self, name) for name in names}


@dataclass
class StepsEntry(Entry):
    intro: str = ""
    steps: list[str] = field(default_factory=list)
    step_places: list[Place] = field(default_factory=list, repr=False)


@dataclass
class ClientEntry(Entry):
    slug: str = ""
    name: str = ""
    short_name: str = ""
    audience: str = MailClient.Audience.PERSON
    description: str = ""
    position: int = 0
    steps: StepsEntry | None = None


@dataclass
class AddressEntry(Entry):
    address: str = ""
    used_for: str = ""
    added_on: dt.date | None = None  # left out: today for a new address, the stored date for another
    retired_on: dt.date | None = None


@dataclass
class DomainEntry(Entry):
    domain: str = ""
    added_on: dt.date | None = None  # left out: as for an address
    retired_on: dt.date | None = None


@dataclass
class RangeEntry(Entry):
    network: str = ""
    tier: str = IPRange.Tier.PRIMARY
    public_note: str = ""
    staff_note: str = ""
    added_on: dt.date | None = None
    retired_on: dt.date | None = None


@dataclass
class OverrideEntry(Entry):
    client: str = ""
    steps: StepsEntry | None = None


@dataclass
class VendorEntry(Entry):
    slug: str = ""
    name: str = ""
    website: str = ""
    description: str = ""
    support_email: str = ""
    support_url: str = ""
    support_hours: str = ""
    unsupported: bool = False
    unsupported_note: str = ""
    # When the vendor's facts last changed, carried over from another help center:
    # used for a vendor this import creates (see write.py).
    facts_changed_at: dt.datetime | None = None
    addresses: list[AddressEntry] = field(default_factory=list)
    domains: list[DomainEntry] = field(default_factory=list)
    ranges: list[RangeEntry] = field(default_factory=list)
    overrides: list[OverrideEntry] = field(default_factory=list)


@dataclass
class ArticleEntry(Entry):
    vendor: str | None = None
    slug: str = ""
    kind: str = Article.Kind.GUIDE
    title: str = ""
    summary: str = ""
    status: str = Article.Status.DRAFT
    published_at: dt.datetime | None = None
    reviewed_on: dt.date | None = None
    # When readers last saw the article change, carried over: used for an article this import creates.
    updated_at: dt.datetime | None = None
    show_it_section: bool = False
    unsupported: bool = False
    unsupported_note: str = ""
    clients: list[str] = field(default_factory=list)
    body: str = ""


@dataclass
class HelpCenterFile:
    """Everything a file says, checked and normalised, ready to import."""

    clients: list[ClientEntry] = field(default_factory=list)
    vendors: list[VendorEntry] = field(default_factory=list)
    articles: list[ArticleEntry] = field(default_factory=list)
