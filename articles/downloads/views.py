"""Downloads for IT departments and readers, and each vendor's For IT page.

The files: range lists (``allowlist.txt``, ``.csv``, ``.json``) for each vendor
and for all vendors, the contact card (``contact.vcf``), the Gmail filter
(``gmail-filter.xml``) and each gateway snippet. Their bytes come from
``range_files``, ``contact`` and ``snippets``, the facts from ``loaders``, and
the caching headers from ``http``: a view only ties the three together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from articles.content.rendering import group_tiers
from articles.downloads import contact, range_files, snippets
from articles.downloads.http import CSV, JSON, TEXT, VCARD, XML, file_response, read_only
from articles.downloads.loaders import load_all_ranges, load_facts, load_vendor
from articles.downloads.published import ListedRange

# Range files -------------------------------------------------------------------------------

#: Per extension: the content type, and whether the browser saves the file rather than shows it.
RANGE_FILE_TYPES = {"txt": (TEXT, False), "csv": (CSV, True), "json": (JSON, False)}


def range_file(
    request: HttpRequest,
    ext: str,
    ranges: Sequence[ListedRange],
    *,
    changed: dt.datetime,
    vendor_slug: str | None = None,
) -> HttpResponse:
    """One vendor's range file, or (without ``vendor_slug``) the file for all vendors."""
    if ext == "txt":
        body = range_files.ranges_txt(ranges)
    elif ext == "csv":
        body = range_files.ranges_csv(ranges, with_vendor=vendor_slug is None)
    else:
        body = range_files.ranges_json(ranges, created=changed)
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
        contact.vcard(facts),
        content_type=VCARD,
        filename=f"{facts.slug}.vcf",
        last_modified=facts.changed_at,
    )


@read_only
def gmail_filter(request: HttpRequest, vendor: str) -> HttpResponse:
    facts = load_facts(load_vendor(vendor), addresses=True, domains=True).facts
    return file_response(
        request,
        contact.gmail_filter(facts),
        content_type=XML,
        filename=f"{facts.slug}-gmail-filter.xml",
        last_modified=facts.changed_at,
    )


# For IT ------------------------------------------------------------------------------------


#: Up to this many ranges the For IT page shows each gateway snippet's text to copy; above it, each
#: snippet is its download link: ten snippets of 2,000 ranges, each text twice (shown and to copy),
#: were 840 KB of a 1.2 MB page. The ranges' table stays whole (about 180 KB per 1,000 ranges).
SNIPPET_TEXT_UP_TO = 100


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
            "snippet_text_shown": len(loaded.ranges) <= SNIPPET_TEXT_UP_TO,
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
