"""A vendor's change log as a page (``/<vendor>/changes/``) and as Atom feeds (``/<vendor>/changes.atom``,
``/changes.atom`` for every public vendor).

The changes come from ``facts.changelog``: derived from the facts' dates, so
an announced change moves from "upcoming" to "past", and into the feeds as
an update, at midnight with no write. The feeds are Django's syndication
framework; one entry per change set (a vendor's changes of one day), whose
id is a ``tag:`` URI (RFC 4151) made of ``ChangeSet.key``, so that it stays
the same whatever is edited or added to that day. Page and feeds answer
conditional requests (ETag, 304) like the downloads. Four queries each,
whatever the number of facts.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from articles.content.visibility import public_vendors_only
from articles.downloads.http import conditional_response, read_only
from articles.facts.changelog import ChangeSet, change_sets, changes
from articles.facts.models import Vendor

#: The date in the feeds' tag: URIs (RFC 4151 wants one on which the site held its domain name).
TAG_DATE = "2026"


def _vendor(slug: str) -> Vendor:
    return get_object_or_404(public_vendors_only(), slug=slug)


@read_only
def vendor_changes(request: HttpRequest, vendor: str) -> HttpResponse:
    """Upcoming changes first, soonest first; then past changes, newest first."""
    vendor_obj = _vendor(vendor)
    today = timezone.localdate()
    sets = change_sets(changes([vendor_obj.pk]), {vendor_obj.pk: vendor_obj})
    response = render(
        request,
        "articles/changes.html",
        {
            "vendor": vendor_obj,
            "upcoming": [change_set for change_set in reversed(sets) if change_set.is_upcoming(today)],
            "past": [change_set for change_set in sets if not change_set.is_upcoming(today)],
            "canonical_url": request.build_absolute_uri(reverse("articles:changes", args=[vendor_obj.slug])),
        },
    )
    return conditional_response(request, response)


class ChangesFeed(Feed):
    """Every public vendor's change sets, newest day (announced ones first) first.

    One instance per request (see ``all_changes_feed``): it keeps the day and
    the request's host name that its entries are written with.
    """

    feed_type = Atom1Feed
    # RFC 4287 wants an author on the feed when an entry may lack one (an empty feed).
    author_name = "Safelist Help Center"
    description_template = "articles/feeds/change_set.html"
    item_guid_is_permalink = False

    def __init__(self, request: HttpRequest) -> None:
        super().__init__()
        self.today = timezone.localdate()
        # A tag: URI names a domain, without a port.
        self.authority = split_domain_port(request.get_host())[0]

    def get_object(self, request: HttpRequest, *args, **kwargs) -> Vendor | None:
        return None

    def vendors(self, obj: Vendor | None) -> dict[int, Vendor]:
        return {vendor.pk: vendor for vendor in public_vendors_only()}

    def items(self, obj: Vendor | None) -> list[ChangeSet]:
        vendors = self.vendors(obj)
        return change_sets(changes(vendors), vendors)

    def title(self, obj: Vendor | None) -> str:
        return "Changes to the senders' addresses and IP ranges · Safelist Help Center"

    def subtitle(self, obj: Vendor | None) -> str:
        return "IP ranges, sender addresses and sender domains added or retired, and those announced ahead."

    def link(self, obj: Vendor | None) -> str:
        return reverse("articles:home")

    def feed_url(self, obj: Vendor | None) -> str:
        return reverse("articles:all_changes_feed")

    def item_title(self, item: ChangeSet) -> str:
        day = item.effective_on.isoformat()
        added, removed = len(item.added), len(item.removed)
        counts = " and ".join(
            part
            for part in (
                f"{added} added" if added else "",
                f"{removed} removed" if removed else "",
            )
            if part
        )
        if item.is_upcoming(self.today):
            return f"{item.vendor.name}, from {day} (announced): {counts}"
        return f"{item.vendor.name}, {day}: {counts}"

    def item_link(self, item: ChangeSet) -> str:
        page = reverse("articles:changes", args=[item.vendor.slug])
        return f"{page}#on-{item.effective_on.isoformat()}"

    def item_guid(self, item: ChangeSet) -> str:
        return f"tag:{self.authority},{TAG_DATE}:changes/{item.key}"

    def item_updateddate(self, item: ChangeSet) -> dt.datetime:
        """The start of its day once that has come; until then the vendor's latest edit of its facts."""
        if item.is_upcoming(self.today):
            return min(item.vendor.facts_changed_at, timezone.now())
        return dt.datetime.combine(item.effective_on, dt.time.min, tzinfo=timezone.get_current_timezone())

    def item_author_name(self, item: ChangeSet) -> str:
        return item.vendor.name

    def get_context_data(self, **kwargs) -> dict:
        item = kwargs["item"]
        return {"obj": item, "upcoming": item.is_upcoming(self.today)}


class VendorChangesFeed(ChangesFeed):
    """One vendor's change sets."""

    def get_object(self, request: HttpRequest, *args, **kwargs) -> Vendor:
        return _vendor(kwargs["vendor"])

    def vendors(self, obj: Vendor | None) -> dict[int, Vendor]:
        return {obj.pk: obj}

    def title(self, obj: Vendor | None) -> str:
        return f"Changes to {obj.name}'s sending addresses and IP ranges · Safelist Help Center"

    def link(self, obj: Vendor | None) -> str:
        return reverse("articles:changes", args=[obj.slug])

    def feed_url(self, obj: Vendor | None) -> str:
        return reverse("articles:changes_feed", args=[obj.slug])


@read_only
def all_changes_feed(request: HttpRequest) -> HttpResponse:
    return conditional_response(request, ChangesFeed(request)(request))


@read_only
def vendor_changes_feed(request: HttpRequest, vendor: str) -> HttpResponse:
    return conditional_response(request, VendorChangesFeed(request)(request, vendor=vendor))
