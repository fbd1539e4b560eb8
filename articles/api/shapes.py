"""The JSON shapes of the API's answers, one function per object.

Every key is always present (``null`` when empty), times are ISO 8601 in UTC
and URLs are paths on this site. ``openapi`` describes each shape; a key added
here and not there fails the schemathesis tests.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from articles.content.models import Article
from articles.downloads.loaders import Loaded, facts_changed_at, listed
from articles.downloads.published import ListedRange, iso_utc
from articles.downloads.range_files import sync_token
from articles.facts.changelog import Change
from articles.facts.models import IPRange, Vendor


def vendor_summary(vendor: Vendor) -> dict:
    """A vendor as the vendor list shows it (its detail adds the facts)."""
    return {
        "slug": vendor.slug,
        "name": vendor.name,
        "website": vendor.website or None,
        "description": vendor.description or None,
        "url": vendor.get_absolute_url(),
        "api_url": reverse("api:vendor", args=[vendor.slug]),
        "facts_changed_at": iso_utc(facts_changed_at(vendor)),
    }


def vendor_shape(vendor: Vendor, loaded: Loaded) -> dict:
    """A vendor with every published fact, and where its downloads are."""
    return {
        **vendor_summary(vendor),
        "sender_addresses": [
            {"address": a.address, "used_for": a.used_for or None} for a in loaded.addresses
        ],
        "sender_domains": [{"domain": d.domain, "display_name": d.display_name} for d in loaded.domains],
        "ip_ranges": [range_shape(listed_range) for listed_range in loaded.facts.ranges],
        "sync_token": sync_token(loaded.facts.ranges),
        "downloads": downloads_shape(vendor.slug),
    }


def range_shape(listed_range: ListedRange) -> dict:
    return {
        "network": listed_range.network.with_prefixlen,
        "version": listed_range.version,
        "tier": listed_range.tier,
        "note": listed_range.note,
        "added_on": listed_range.added_on.isoformat() if listed_range.added_on else None,
    }


def ip_match_shape(ip_range: IPRange) -> dict:
    """A range that contains the address asked about, and the vendor it belongs to."""
    vendor = ip_range.vendor
    return {
        **range_shape(listed(ip_range, vendor.slug)),
        "vendor": {
            "slug": vendor.slug,
            "name": vendor.name,
            "url": vendor.get_absolute_url(),
            "api_url": reverse("api:vendor", args=[vendor.slug]),
        },
    }


def downloads_shape(slug: str) -> dict:
    """Where a vendor's downloads are."""
    return {
        "allowlist_txt": reverse("articles:allowlist_txt", args=[slug]),
        "allowlist_csv": reverse("articles:allowlist_csv", args=[slug]),
        "allowlist_json": reverse("articles:allowlist_json", args=[slug]),
        "contact_card": reverse("articles:contact_card", args=[slug]),
        "gmail_filter": reverse("articles:gmail_filter", args=[slug]),
        "for_it": reverse("articles:for_it", args=[slug]),
    }


def article_shape(article: Article) -> dict:
    return {
        "title": article.title,
        "slug": article.slug,
        "kind": article.kind,
        "summary": article.summary or None,
        "vendor": article.vendor.slug if article.vendor_id else None,
        "url": article.get_absolute_url(),
        "published_at": iso_utc(article.published_at),
        "updated_at": iso_utc(article.updated_at),
        "reviewed_on": article.reviewed_on.isoformat() if article.reviewed_on else None,
    }


def change_shape(change: Change, vendor_slug: str, *, today: dt.date) -> dict:
    """One addition or removal of the change log, as the changes API lists it."""
    is_range = change.kind == "range"
    return {
        "id": change.key,
        "vendor": vendor_slug,
        "kind": change.kind,
        "action": change.action,
        "value": change.value,
        "effective_on": change.effective_on.isoformat(),
        "upcoming": change.is_upcoming(today),
        "tier": change.tier if is_range else None,
        "note": change.note if is_range else None,
        "changes_url": reverse("articles:changes", args=[vendor_slug]),
    }
