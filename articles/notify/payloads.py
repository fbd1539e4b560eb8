"""The JSON a webhook receives for one change set, its items shaped as the changes API lists them.

One event per vendor and day (``ChangeSet.key``); its ``id`` also names the
changes in it, so a change set that grows later (another range for the same
day) is a new event a receiver can tell apart, and a retry of one delivery
carries the same ``id`` (receivers deduplicate on it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone

from articles.api.shapes import change_shape
from articles.downloads.loaders import listed, well_formed
from articles.downloads.range_files import sync_token
from articles.facts.changelog import ChangeSet
from articles.facts.models import IPRange, Vendor
from articles.notify.mails import absolute


def change_set_event(change_set: ChangeSet, *, sync_token: str) -> dict:
    """One change set as POSTed: the vendor, the day, what is added and removed, the list's token now."""
    vendor = change_set.vendor
    today = timezone.localdate()
    digest = hashlib.sha256(",".join(sorted(c.key for c in change_set.changes)).encode()).hexdigest()[:16]
    return {
        "id": f"{change_set.key}/{digest}",
        "type": "vendor.changes",
        "vendor": {"slug": vendor.slug, "name": vendor.name, "url": absolute(vendor.get_absolute_url())},
        "effective_on": change_set.effective_on.isoformat(),
        "upcoming": change_set.is_upcoming(today),
        # Each item exactly as /api/vendors/<vendor>/changes lists it.
        "added": [absolute_links(change_shape(c, vendor.slug, today=today)) for c in change_set.added],
        "removed": [absolute_links(change_shape(c, vendor.slug, today=today)) for c in change_set.removed],
        "sync_token": sync_token,
        "changes_url": absolute(reverse("articles:changes", args=[vendor.slug])),
    }


def absolute_links(item: dict) -> dict:
    """An API item with its page link made absolute: a receiver has no base address to resolve it by."""
    return {**item, "changes_url": absolute(item["changes_url"])}


def current_sync_tokens(ranges: Iterable[IPRange], vendors: dict[int, Vendor]) -> dict[int, str]:
    """Each vendor's ``syncToken`` as its range file names it now, from its ranges in force."""
    by_vendor: dict[int, list] = {pk: [] for pk in vendors}
    for ip_range in well_formed(ranges):
        by_vendor[ip_range.vendor_id].append(listed(ip_range, vendors[ip_range.vendor_id].slug))
    return {pk: sync_token(listed_ranges) for pk, listed_ranges in by_vendor.items()}
