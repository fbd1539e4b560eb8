"""A read-only JSON API: vendors, their facts, articles, and who sends from an IP.

Plain Django views returning ``JsonResponse``. No framework (Django REST
framework, django-ninja): seven GET endpoints with fixed shapes need no
serializers, authentication, throttling classes or browsable pages, and a
framework would bring a dependency and error shapes of its own. The OpenAPI
document in ``openapi`` is written by hand to say exactly what these views
return, and the schemathesis tests hold the views to it.

The shapes are in ``shapes``; lists keep the order the range files use, and
every error is ``{"error": {"status", "code", "parameter", "message"}}``.
Responses carry an ETag and answer ``If-None-Match`` with 304, like the
downloads.
"""

from __future__ import annotations

from django.core.validators import slug_re
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from articles.api import openapi
from articles.api.shapes import article_shape, ip_match_shape, vendor_shape, vendor_summary
from articles.content.models import Article
from articles.content.visibility import public_vendors_only
from articles.downloads.http import conditional_response, read_only
from articles.downloads.loaders import load_facts, vendors_with_retirements
from articles.facts import networks
from articles.facts.models import IPRange, Vendor, VendorOldSlug


def _json(request: HttpRequest, data: dict, *, status: int = 200) -> HttpResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    if status != 200:
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    return conditional_response(request, response)


def _error(request: HttpRequest, *, status: int, code: str, parameter: str | None, message: str):
    error = {"status": status, "code": code, "parameter": parameter, "message": message}
    return _json(request, {"error": error}, status=status)


def _unknown_vendor(request: HttpRequest, slug: str, suffix: str = "") -> HttpResponse:
    """A renamed vendor's old API address redirects, as its pages do; anything else is a 404."""
    old = (
        VendorOldSlug.objects.filter(slug=slug, vendor__in=public_vendors_only())
        .select_related("vendor")
        .first()
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


def _public_articles():
    return (
        Article.objects.public()
        .select_related("vendor")
        .order_by(F("vendor__slug").asc(nulls_first=True), "slug", "pk")
    )


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
                "changes": reverse("api:changes"),
                "allowlist_json": reverse("articles:all_allowlist_json"),
            },
        },
    )


@read_only
def schema(request: HttpRequest) -> HttpResponse:
    return _json(request, openapi.document())


@read_only
def vendor_list(request: HttpRequest) -> HttpResponse:
    vendors = vendors_with_retirements().order_by("slug")
    return _json(request, {"vendors": [vendor_summary(vendor) for vendor in vendors]})


@read_only
def vendor_detail(request: HttpRequest, vendor: str) -> HttpResponse:
    vendor_obj = _vendor_or_none(vendors_with_retirements(), vendor)
    if vendor_obj is None:
        return _unknown_vendor(request, vendor)
    loaded = load_facts(vendor_obj, addresses=True, domains=True, ranges=True)
    return _json(request, vendor_shape(vendor_obj, loaded))


@read_only
def vendor_articles(request: HttpRequest, vendor: str) -> HttpResponse:
    vendor_obj = _vendor_or_none(public_vendors_only(), vendor)
    if vendor_obj is None:
        return _unknown_vendor(request, vendor, "/articles")
    articles = _public_articles().filter(vendor=vendor_obj)
    return _json(request, {"vendor": vendor_obj.slug, "articles": [article_shape(a) for a in articles]})


@read_only
def article_list(request: HttpRequest) -> HttpResponse:
    return _json(request, {"articles": [article_shape(a) for a in _public_articles()]})


@read_only
def ip_lookup(request: HttpRequest, ip: str) -> HttpResponse:
    """Which vendors send from this address, most specific range first."""
    try:
        address = networks.parse_address(ip)
    except networks.RangeError as error:
        return _error(request, status=400, code=error.code, parameter="ip", message=str(error))
    found = (
        IPRange.objects.active()
        .covering(address)
        .filter(vendor__in=public_vendors_only())
        .select_related("vendor")
        .order_by("vendor__slug", "-prefixlen", "start")
    )
    matches = [ip_match_shape(ip_range) for ip_range in found]
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
