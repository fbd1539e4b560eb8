"""A read-only JSON API: vendors, their facts, articles, and who sends from an IP.

Plain Django views returning ``JsonResponse``. No framework (Django REST
framework, django-ninja): seven GET endpoints with fixed shapes need no
serializers, authentication, throttling classes or browsable pages, and a
framework would bring a dependency and error shapes of its own. The OpenAPI
document in ``openapi.py`` is written by hand to say exactly what these views
return, and the schemathesis tests hold the views to it.

Shapes are stable: every key is always present (``null`` when empty), lists
keep the order the range files use, and every error is
``{"error": {"status", "code", "parameter", "message"}}``. URLs in answers are
paths on this site. Responses carry an ETag and answer ``If-None-Match`` with
304, like the downloads.
"""

from __future__ import annotations

import ipaddress

from django.core.validators import slug_re
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import path, re_path, register_converter, reverse
from django.views.decorators.csrf import csrf_exempt

from articles.api import openapi
from articles.content.models import Article
from articles.downloads import formats as exports
from articles.downloads import views as downloads
from articles.downloads.views import read_only
from articles.facts import networks
from articles.facts.models import IPRange, Vendor, VendorOldSlug

app_name = "api"


def _json(request: HttpRequest, data: dict, *, status: int = 200) -> HttpResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    if status != 200:
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    return downloads.conditional_response(request, response)


def _error(request: HttpRequest, *, status: int, code: str, parameter: str | None, message: str):
    error = {"status": status, "code": code, "parameter": parameter, "message": message}
    return _json(request, {"error": error}, status=status)


def _unknown_vendor(request: HttpRequest, slug: str, suffix: str = "") -> HttpResponse:
    """A renamed vendor's old API address redirects, as its pages do; anything else is a 404."""
    old = (
        VendorOldSlug.objects.filter(slug=slug).select_related("vendor").first()
        if slug_re.match(slug)
        else None
    )
    if old is not None:
        return HttpResponsePermanentRedirect(reverse("api:vendor", args=[old.vendor.slug]) + suffix)
    return _error(
        request,
        status=404,
        code="unknown_vendor",
        parameter="vendor",
        message=f"No vendor has the slug “{slug}”. GET /api/vendors lists them all.",
    )


def _vendor_or_none(vendors: QuerySet[Vendor], slug: str) -> Vendor | None:
    # Anything but a slug names no vendor: no query (PostgreSQL refuses NUL in one).
    if not slug_re.match(slug):
        return None
    return vendors.filter(slug=slug).first()


# Shapes ------------------------------------------------------------------------------------


def vendor_summary(vendor: Vendor) -> dict:
    return {
        "slug": vendor.slug,
        "name": vendor.name,
        "website": vendor.website or None,
        "description": vendor.description or None,
        "url": vendor.get_absolute_url(),
        "api_url": reverse("api:vendor", args=[vendor.slug]),
        "facts_changed_at": exports.iso_utc(downloads.facts_changed_at(vendor)),
    }


def range_shape(listed: exports.ListedRange) -> dict:
    return {
        "network": listed.network.with_prefixlen,
        "version": listed.version,
        "tier": listed.tier,
        "note": listed.note,
        "added_on": listed.added_on.isoformat() if listed.added_on else None,
    }


def downloads_shape(slug: str) -> dict:
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
        "published_at": exports.iso_utc(article.published_at),
        "updated_at": exports.iso_utc(article.updated_at),
        "reviewed_on": article.reviewed_on.isoformat() if article.reviewed_on else None,
    }


def _public_articles():
    return (
        Article.objects.public()
        .select_related("vendor")
        .order_by(F("vendor__slug").asc(nulls_first=True), "slug", "pk")
    )


# Views -------------------------------------------------------------------------------------


@read_only
def index(request: HttpRequest) -> HttpResponse:
    return _json(
        request,
        {
            "name": "Safelist Help Center API",
            "version": openapi.API_VERSION,
            "links": {
                "schema": reverse("api:schema"),
                "vendors": reverse("api:vendors"),
                "articles": reverse("api:articles"),
                "ip_lookup": reverse("api:index") + "ip/{ip}",
                "allowlist_json": reverse("articles:all_allowlist_json"),
            },
        },
    )


@read_only
def schema(request: HttpRequest) -> HttpResponse:
    return _json(request, openapi.document())


@read_only
def vendor_list(request: HttpRequest) -> HttpResponse:
    vendors = downloads.vendors_with_retirements().order_by("slug")
    return _json(request, {"vendors": [vendor_summary(vendor) for vendor in vendors]})


@read_only
def vendor_detail(request: HttpRequest, vendor: str) -> HttpResponse:
    vendor_obj = _vendor_or_none(downloads.vendors_with_retirements(), vendor)
    if vendor_obj is None:
        return _unknown_vendor(request, vendor)
    loaded = downloads.load_facts(vendor_obj, addresses=True, domains=True, ranges=True)
    data = vendor_summary(vendor_obj)
    data.update(
        {
            "sender_addresses": [
                {"address": a.address, "used_for": a.used_for or None} for a in loaded.addresses
            ],
            "sender_domains": [{"domain": d.domain, "display_name": d.display_name} for d in loaded.domains],
            "ip_ranges": [range_shape(listed) for listed in loaded.facts.ranges],
            "sync_token": exports.sync_token(loaded.facts.ranges),
            "downloads": downloads_shape(vendor_obj.slug),
        }
    )
    return _json(request, data)


@read_only
def vendor_articles(request: HttpRequest, vendor: str) -> HttpResponse:
    vendor_obj = _vendor_or_none(Vendor.objects.all(), vendor)
    if vendor_obj is None:
        return _unknown_vendor(request, vendor, "/articles")
    articles = _public_articles().filter(vendor=vendor_obj)
    return _json(request, {"vendor": vendor_obj.slug, "articles": [article_shape(a) for a in articles]})


@read_only
def article_list(request: HttpRequest) -> HttpResponse:
    return _json(request, {"articles": [article_shape(a) for a in _public_articles()]})


def parse_lookup_address(text: str) -> networks.Address:
    """One IP address exactly as written, or ``networks.RangeError`` saying why not.

    Stricter than the admin's parsing: an API client sends what it means, so
    nothing is stripped. An IPv4 address written in IPv6 form (``::ffff:…``),
    as some mail logs show it, is looked up as the IPv4 address.
    """
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        # parse_network says why the text is not an address, or what range it reads as.
        network = networks.parse_network(text)
        raise networks.RangeError(
            f"“{text}” is not a single IP address (it reads as {network}). "
            "Ask about one address, such as 192.0.2.1 or 2001:db8::1.",
            "not_an_address",
        ) from None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            raise networks.RangeError(f"“{text}” has a zone (%…); leave it out.", "zone")
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


@read_only
def ip_lookup(request: HttpRequest, ip: str) -> HttpResponse:
    """Which vendors send from this address, most specific range first."""
    try:
        address = parse_lookup_address(ip)
    except networks.RangeError as error:
        return _error(request, status=400, code=error.code, parameter="ip", message=str(error))
    found = (
        IPRange.objects.active()
        .covering(address)
        .select_related("vendor")
        .order_by("vendor__slug", "-prefixlen", "start")
    )
    matches = []
    for ip_range in found:
        match = range_shape(downloads.listed(ip_range, ip_range.vendor.slug))
        match["vendor"] = {
            "slug": ip_range.vendor.slug,
            "name": ip_range.vendor.name,
            "url": ip_range.vendor.get_absolute_url(),
            "api_url": reverse("api:vendor", args=[ip_range.vendor.slug]),
        }
        matches.append(match)
    return _json(request, {"query": ip, "address": str(address), "matches": matches})


@read_only
def ip_missing(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        status=400,
        code="empty",
        parameter="ip",
        message="Put the IP address after /api/ip/, for example /api/ip/192.0.2.1.",
    )


@csrf_exempt
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    return _error(
        request,
        status=404,
        code="not_found",
        parameter=None,
        message="The API has no such address. GET /api/schema describes every one.",
    )


class AnyText:
    """Any non-empty text, "/" and line breaks included (``path`` stops at a line break)."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# Parameters take any text, so that a bad value reaches its view and gets a JSON
# error naming it, instead of the site's HTML 404; so does any other address here.
register_converter(AnyText, "any")

urlpatterns = [
    path("", index, name="index"),
    path("schema", schema, name="schema"),
    path("vendors", vendor_list, name="vendors"),
    path("vendors/<any:vendor>/articles", vendor_articles, name="vendor_articles"),
    path("vendors/<any:vendor>", vendor_detail, name="vendor"),
    path("articles", article_list, name="articles"),
    path("ip/", ip_missing, name="ip_missing"),
    path("ip/<any:ip>", ip_lookup, name="ip"),
    re_path(r"^(?P<rest>[\s\S]*)$", not_found, name="not_found"),
]
