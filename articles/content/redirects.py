"""Old addresses keep working: a 404 under a renamed slug becomes a 301.

Like ``django.contrib.redirects``' fallback middleware, this only acts on a
response that is already a 404, so it costs nothing on pages that exist. It
rewrites the first path segment if it is a vendor's old slug, and the second
if it is an article's old slug under that vendor, then redirects permanently
to the object's current address. A draft's new address is never revealed.
"""

from __future__ import annotations

from django.core.validators import slug_re
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from articles.content.models import Article, ArticleOldSlug
from articles.content.visibility import public_vendors_only
from articles.facts.models import Vendor, VendorOldSlug


def resolve_old_path(path: str) -> str | None:
    """The current path for an old one, or None if nothing was renamed."""
    segments = path.strip("/").split("/")
    if not segments or not segments[0]:
        return None
    first, rest = segments[0], segments[1:]
    if not slug_re.match(first):
        # Not a slug, so no vendor's, old or new; PostgreSQL also refuses NUL in a query.
        return None
    if first == "help" and len(rest) == 1:
        return _article_path(None, rest[0], path)
    vendor = public_vendors_only().filter(slug=first).first()
    moved = False
    if vendor is None:
        old = (
            VendorOldSlug.objects.filter(slug=first, vendor__in=public_vendors_only())
            .select_related("vendor")
            .first()
        )
        if old is None:
            return None
        vendor, moved = old.vendor, True
    if len(rest) == 1 and rest[0] and "." not in rest[0]:
        article_path = _article_path(vendor, rest[0], path)
        if article_path is not None:
            return article_path
    if not moved:
        return None
    suffix = "/".join(rest)
    target = f"/{vendor.slug}/{suffix}" if suffix else f"/{vendor.slug}"
    return target + "/" if path.endswith("/") and not target.endswith("/") else target


def _article_path(vendor: Vendor | None, slug: str, original: str) -> str | None:
    if not slug_re.match(slug):
        return None
    current = Article.objects.public().filter(vendor=vendor, slug=slug).select_related("vendor").first()
    if current is None:
        old = (
            ArticleOldSlug.objects.filter(vendor=vendor, slug=slug).select_related("article__vendor").first()
        )
        if old is None or not old.article.is_public:
            return None
        current = old.article
    target = current.get_absolute_url()
    return target if target != original else None


class OldSlugRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        target = resolve_old_path(request.path_info)
        if target is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
