"""Public pages: home, vendor hub, article, robots.txt, the favicon, the 404 page and the admin's Markdown preview."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.html import escape
from django.views.decorators.http import require_POST, require_safe

from articles.content import selectors
from articles.content.end_matter import end_matter, vendor_unsupported
from articles.content.models import Article, MailClient
from articles.content.placeholders import EXAMPLE_FACTS, PLACEHOLDERS
from articles.content.rendering import render_preview, vendor_facts
from articles.content.sections import render_sections
from articles.content.visibility import public_vendors_only
from articles.facts.models import Vendor
from articles.facts.selectors import vendor_ranges_by_tier
from articles.pagecache import on_every_answer, public_page
from articles.search import analytics


@public_page
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.public().select_related("vendor").order_by("-published_at")[:10]
    return render(
        request,
        "articles/home.html",
        {
            "vendors": selectors.public_vendors(),
            "articles": articles,
            "canonical_url": request.build_absolute_uri("/"),
        },
    )


@public_page
@require_safe
def vendor_hub(request: HttpRequest, vendor: str) -> HttpResponse:
    vendor_obj = get_object_or_404(public_vendors_only(), slug=vendor)
    articles = list(vendor_obj.articles.public().order_by("kind", "title"))
    return render(
        request,
        "articles/vendor.html",
        {
            "vendor": vendor_obj,
            "articles": articles,
            "addresses": list(vendor_obj.sender_addresses.active()),
            "domains": list(vendor_obj.sender_domains.active()),
            "range_counts": vendor_ranges_by_tier(vendor_obj),
            "unsupported": vendor_unsupported(vendor_obj),
            "canonical_url": request.build_absolute_uri(vendor_obj.get_absolute_url()),
        },
    )


def render_article(
    request: HttpRequest,
    article: Article,
    *,
    preview: bool = False,
    clients: list[MailClient] | None = None,
) -> HttpResponse:
    """An article's page; ``clients``: the sections to show instead of the stored ones (a preview's)."""
    page = selectors.load_article_page(article, clients=clients)
    end = end_matter(page)
    render_sections(page, end)
    if not preview:
        analytics.record_page_read(request, article.pk)
    # The address a printed page names: the article's own, in a preview too.
    page_url = request.build_absolute_uri(article.get_absolute_url())
    context = {"page": page, "preview": preview, "end": end, "page_url": page_url}
    if not preview:
        context["canonical_url"] = page_url
    response = render(request, "articles/article.html", context)
    if not preview:
        # A reader served from the page cache is counted too, with no query.
        on_every_answer(response, "articles.search.analytics.record_page_read", article.pk)
    return response


@public_page
@require_safe
def article_detail(request: HttpRequest, vendor: str, article: str) -> HttpResponse:
    article_obj = get_object_or_404(
        Article.objects.public().select_related("vendor"), vendor__slug=vendor, slug=article
    )
    return render_article(request, article_obj)


@public_page
@require_safe
def general_article(request: HttpRequest, article: str) -> HttpResponse:
    article_obj = get_object_or_404(Article.objects.public(), vendor__isnull=True, slug=article)
    return render_article(request, article_obj)


@public_page
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap_url = request.build_absolute_uri("/sitemap.xml")
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@staff_member_required
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The admin's live Markdown preview (django-markdownx posts the field here).

    ``?vendor=<id>`` (added by static/js/admin-preview.js from the form's vendor
    menu) renders with that vendor's facts as its public pages do; without
    one, an article (``for=article``) shows the general words its readers
    get, and anything else (generic steps) example facts; the preview says
    which. Placeholders the
    save would refuse and images the sanitiser removes are named above it.
    """
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest(
            "The preview needs the Markdown to show, in the form field “content”.",
            content_type="text/plain; charset=utf-8",
        )
    vendor_id = request.GET.get("vendor", "")
    vendor = None
    if vendor_id:
        if not (vendor_id.isascii() and vendor_id.isdigit() and len(vendor_id) <= 18):
            return HttpResponseBadRequest(
                # Escaped: markdownx puts whatever comes back into the page as HTML.
                f"The preview's vendor must be a vendor's number, not “{escape(vendor_id[:40])}”.",
                content_type="text/plain; charset=utf-8",
            )
        # Before the lookup, so that the answer says nothing about which vendors exist.
        if not (
            request.user.has_perm("articles.view_vendor") or request.user.has_perm("articles.change_vendor")
        ):
            # In words markdownx can show in the preview box, not the 403 page.
            return HttpResponseForbidden(
                "You may not view vendors, so the preview cannot show this vendor's facts.",
                content_type="text/plain; charset=utf-8",
            )
        vendor = Vendor.objects.filter(pk=int(vendor_id)).first()
        if vendor is None:
            return HttpResponseBadRequest(
                f"No vendor has the number {vendor_id}: it may have been deleted. Reload the page.",
                content_type="text/plain; charset=utf-8",
            )
        facts = vendor_facts(
            vendor,
            vendor.sender_addresses.active(),
            vendor.sender_domains.active(),
            vendor.ip_ranges.active(),
        )
    elif request.GET.get("for") == "article":
        # An article for every vendor: its readers get the placeholders' general words.
        facts = {}
    else:
        facts = EXAMPLE_FACTS
    preview = render_preview(content, facts)
    return render(
        request,
        "admin/articles/includes/markdown_preview.html",
        {
            "preview": preview,
            "vendor": vendor,
            "general_words": vendor is None and not facts,
            "known_placeholders": list(PLACEHOLDERS),
        },
    )


#: How many of the most-read articles the 404 page offers.
NOT_FOUND_MOST_READ = 5


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page: a search box and the most-read articles (one query)."""
    return render(request, "404.html", {"most_read": analytics.most_read(NOT_FOUND_MOST_READ)}, status=404)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers and crawlers ask for whatever the page links: the static file."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
