"""Downloads for IT departments and readers, and each vendor's For IT page.

The files: range lists (``allowlist.txt``, ``.csv``, ``.json``) for each vendor
and for all vendors, the contact card (``contact.vcf``), the Gmail filter
(``gmail-filter.xml``) and each gateway snippet. Their bytes come from
``exports`` and ``snippets``; this module only loads the facts, in a fixed
number of queries, and answers HTTP.

Conditional GET: every file carries a strong ETag (a hash of its bytes) and a
Last-Modified time, and a request whose ``If-None-Match`` or
``If-Modified-Since`` still matches gets a 304 without a body. The ETag needs
the bytes, so the view writes the file once and hands the response to
``django.utils.cache.get_conditional_response``, the function
``ConditionalGetMiddleware`` uses; the ``condition`` decorator would load the
facts again in each of its callbacks.

Last-Modified is ``Vendor.facts_changed_at`` (the newest over all vendors for
the files about all of them), or the start of the day on which a range's
retirement took effect if that is later: a range leaves the lists at midnight
without any write to the database, and the time must still move. Deleting a
whole vendor can move the newest time backwards; the ETag still changes, and
clients should prefer it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from articles.content.rendering import group_tiers
from articles.downloads import formats as exports
from articles.downloads import snippets
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor

#: How long a browser or proxy may reuse a download before asking again.
CACHE_SECONDS = 300
#: Last-Modified of a help center with no vendors at all.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

TEXT = "text/plain; charset=utf-8"
CSV = "text/csv; charset=utf-8; header=present"
JSON = "application/json"


def read_only(view):
    """GET and HEAD only; any other method gets a 405 with an Allow header.

    CSRF protection would answer a POST (or any method Django does not know to
    be safe) with a 403 before the view could say 405; a view that never
    changes anything has nothing for it to protect.
    """
    return csrf_exempt(require_safe(view))


# Loading the facts -------------------------------------------------------------------------


def vendors_with_retirements():
    """Vendors, each annotated with the latest retirement date already in effect."""
    today = timezone.localdate()
    return Vendor.objects.annotate(
        last_retirement=Max("ip_ranges__retired_on", filter=Q(ip_ranges__retired_on__lte=today))
    )


def load_vendor(slug: str) -> Vendor:
    """The vendor with that slug (one query), or Http404."""
    return get_object_or_404(vendors_with_retirements(), slug=slug)


def facts_changed_at(vendor: Vendor) -> dt.datetime:
    """When the vendor's published facts last changed: an edit, or a retirement taking effect."""
    changed = vendor.facts_changed_at
    retired_on = getattr(vendor, "last_retirement", None)
    if retired_on is not None:
        midnight = dt.datetime.combine(retired_on, dt.time.min, tzinfo=timezone.get_current_timezone())
        changed = max(changed, midnight)
    return changed


def listed(ip_range: IPRange, vendor_slug: str) -> exports.ListedRange:
    return exports.ListedRange(
        vendor=vendor_slug,
        network=ip_range.ip_network,
        tier=ip_range.tier,
        note=ip_range.note,
        added_on=ip_range.added_on,
    )


def build_facts(
    vendor: Vendor,
    *,
    addresses: Sequence[SenderAddress] = (),
    domains: Sequence[SenderDomain] = (),
    ranges: Sequence[IPRange] = (),
) -> exports.Facts:
    """The plain facts every writer takes, from objects already loaded."""
    return exports.Facts(
        id=vendor.pk,
        slug=vendor.slug,
        name=vendor.name,
        website=vendor.website,
        changed_at=facts_changed_at(vendor),
        addresses=tuple(exports.Sender(a.address, a.used_for) for a in addresses),
        domains=tuple(d.domain for d in domains),
        ranges=tuple(listed(r, vendor.slug) for r in ranges),
    )


@dataclass(frozen=True)
class Loaded:
    """A vendor's facts as plain data, and the model objects they came from (for pages)."""

    facts: exports.Facts
    addresses: list[SenderAddress]
    domains: list[SenderDomain]
    ranges: list[IPRange]


def load_facts(
    vendor: Vendor, *, addresses: bool = False, domains: bool = False, ranges: bool = False
) -> Loaded:
    """One query for each kind of fact asked for."""
    address_list = list(vendor.sender_addresses.all()) if addresses else []
    domain_list = list(vendor.sender_domains.all()) if domains else []
    range_list = list(vendor.ip_ranges.active()) if ranges else []
    facts = build_facts(vendor, addresses=address_list, domains=domain_list, ranges=range_list)
    return Loaded(facts, address_list, domain_list, range_list)


def load_all_ranges() -> tuple[list[exports.ListedRange], dt.datetime]:
    """Every vendor's ranges in force, and when any of them last changed: two queries."""
    vendors = {vendor.pk: vendor for vendor in vendors_with_retirements()}
    ranges = [
        listed(ip_range, vendors[ip_range.vendor_id].slug)
        for ip_range in IPRange.objects.active().filter(vendor__in=list(vendors))
    ]
    changed = max((facts_changed_at(vendor) for vendor in vendors.values()), default=EPOCH)
    return ranges, changed


# Answering ---------------------------------------------------------------------------------


def conditional_response(
    request: HttpRequest,
    response: HttpResponse,
    *,
    last_modified: dt.datetime | None = None,
    shared: bool = True,
) -> HttpResponse:
    """Add ETag, Last-Modified and Cache-Control, and answer 304 if the client is current."""
    response.headers["ETag"] = exports.content_etag(response.content)
    timestamp = None
    if last_modified is not None:
        timestamp = int(last_modified.timestamp())
        response.headers["Last-Modified"] = http_date(timestamp)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    if shared:
        # Public facts, read by scripts and by tools in other sites' pages; no cookies involved.
        response.headers["Access-Control-Allow-Origin"] = "*"
    return get_conditional_response(
        request, etag=response.headers["ETag"], last_modified=timestamp, response=response
    )


def file_response(
    request: HttpRequest,
    body: str,
    *,
    content_type: str,
    filename: str,
    last_modified: dt.datetime,
    attachment: bool = True,
) -> HttpResponse:
    response = HttpResponse(body.encode("utf-8"), content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return conditional_response(request, response, last_modified=last_modified)


# Range files -------------------------------------------------------------------------------

#: Per extension: the content type, and whether the browser saves the file rather than shows it.
RANGE_FILE_TYPES = {"txt": (TEXT, False), "csv": (CSV, True), "json": (JSON, False)}


def range_file(
    request: HttpRequest,
    ext: str,
    ranges: Sequence[exports.ListedRange],
    *,
    changed: dt.datetime,
    vendor_slug: str | None = None,
) -> HttpResponse:
    """One vendor's range file, or (without ``vendor_slug``) the file for all vendors."""
    if ext == "txt":
        body = exports.ranges_txt(ranges)
    elif ext == "csv":
        body = exports.ranges_csv(ranges, with_vendor=vendor_slug is None)
    else:
        body = exports.ranges_json(ranges, created=changed)
    content_type, attachment = RANGE_FILE_TYPES[ext]
    return file_response(
        request,
        body,
        content_type=content_type,
        filename=f"{vendor_slug}-allowlist.{ext}" if vendor_slug else f"allowlist.{ext}",
        last_modified=changed,
        attachment=attachment,
    )


def _vendor_range_file(request: HttpRequest, slug: str, ext: str) -> HttpResponse:
    facts = load_facts(load_vendor(slug), ranges=True).facts
    return range_file(request, ext, facts.ranges, changed=facts.changed_at, vendor_slug=facts.slug)


def _all_range_file(request: HttpRequest, ext: str) -> HttpResponse:
    ranges, changed = load_all_ranges()
    return range_file(request, ext, ranges, changed=changed)


@read_only
def vendor_ranges_txt(request: HttpRequest, vendor: str) -> HttpResponse:
    return _vendor_range_file(request, vendor, "txt")


@read_only
def vendor_ranges_csv(request: HttpRequest, vendor: str) -> HttpResponse:
    return _vendor_range_file(request, vendor, "csv")


@read_only
def vendor_ranges_json(request: HttpRequest, vendor: str) -> HttpResponse:
    return _vendor_range_file(request, vendor, "json")


@read_only
def all_ranges_txt(request: HttpRequest) -> HttpResponse:
    return _all_range_file(request, "txt")


@read_only
def all_ranges_csv(request: HttpRequest) -> HttpResponse:
    return _all_range_file(request, "csv")


@read_only
def all_ranges_json(request: HttpRequest) -> HttpResponse:
    return _all_range_file(request, "json")


# For people --------------------------------------------------------------------------------


@read_only
def contact_card(request: HttpRequest, vendor: str) -> HttpResponse:
    facts = load_facts(load_vendor(vendor), addresses=True).facts
    return file_response(
        request,
        exports.vcard(facts),
        content_type="text/vcard; charset=utf-8",
        filename=f"{facts.slug}.vcf",
        last_modified=facts.changed_at,
    )


@read_only
def gmail_filter(request: HttpRequest, vendor: str) -> HttpResponse:
    facts = load_facts(load_vendor(vendor), addresses=True, domains=True).facts
    return file_response(
        request,
        exports.gmail_filter(facts),
        content_type="application/xml; charset=utf-8",
        filename=f"{facts.slug}-gmail-filter.xml",
        last_modified=facts.changed_at,
    )


# For IT ------------------------------------------------------------------------------------


@read_only
def for_it(request: HttpRequest, vendor: str) -> HttpResponse:
    """Every fact and every gateway snippet for one vendor: four queries."""
    vendor_obj = load_vendor(vendor)
    loaded = load_facts(vendor_obj, addresses=True, domains=True, ranges=True)
    return render(
        request,
        "articles/it/for_it.html",
        {
            "vendor": vendor_obj,
            "facts": loaded.facts,
            "addresses": loaded.addresses,
            "domains": loaded.domains,
            "tiers": group_tiers(loaded.ranges),
            "range_count": len(loaded.ranges),
            "snippets": snippets.all_snippets(loaded.facts),
        },
    )


@read_only
def snippet_download(request: HttpRequest, vendor: str, filename: str) -> HttpResponse:
    facts = load_facts(load_vendor(vendor), addresses=True, domains=True, ranges=True).facts
    snippet = snippets.snippet_by_filename(facts, filename)
    if snippet is None:
        raise Http404("No such download for this vendor.")
    return file_response(
        request,
        snippet.text,
        content_type=CSV if filename.endswith(".csv") else TEXT,
        filename=f"{facts.slug}-{snippet.filename}",
        last_modified=facts.changed_at,
    )
