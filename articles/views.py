"""Public pages: home, vendor hub, article, search, robots.txt."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from . import selectors
from .models import Article, Vendor
from .rendering import markdownify_preview
from .search import SearchFilters, analytics, autocomplete, engine
from .search import search as run_search


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


@require_safe
def vendor_hub(request: HttpRequest, vendor: str) -> HttpResponse:
    vendor_obj = get_object_or_404(Vendor, slug=vendor)
    articles = list(vendor_obj.articles.public().order_by("kind", "title"))
    return render(
        request,
        "articles/vendor.html",
        {
            "vendor": vendor_obj,
            "articles": articles,
            "addresses": list(vendor_obj.sender_addresses.all()),
            "domains": list(vendor_obj.sender_domains.all()),
            "range_counts": selectors.vendor_ranges_by_tier(vendor_obj),
            "canonical_url": request.build_absolute_uri(vendor_obj.get_absolute_url()),
        },
    )


def render_article(request: HttpRequest, article: Article, *, preview: bool = False) -> HttpResponse:
    page = selectors.load_article_page(article)
    if not preview and request.method == "GET":
        analytics.record_read(article)
    context = {"page": page, "preview": preview}
    if not preview:
        context["canonical_url"] = request.build_absolute_uri(article.get_absolute_url())
    return render(request, "articles/article.html", context)


@require_safe
def article_detail(request: HttpRequest, vendor: str, article: str) -> HttpResponse:
    article_obj = get_object_or_404(
        Article.objects.public().select_related("vendor"), vendor__slug=vendor, slug=article
    )
    return render_article(request, article_obj)


@require_safe
def general_article(request: HttpRequest, article: str) -> HttpResponse:
    article_obj = get_object_or_404(Article.objects.public(), vendor__isnull=True, slug=article)
    return render_article(request, article_obj)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """The results page: /search/?q=…&vendor=…&kind=…&client=…&page=…, shareable as it is."""
    page = request.GET.get("page", "1")
    results = run_search(
        request.GET.get("q", ""),
        SearchFilters.from_params(request.GET),
        int(page) if _is_number(page, digits=5) else 1,
    )
    log = analytics.log_search(results)
    return render(
        request,
        "articles/search.html",
        {
            "results": results,
            "query": results.query.text,
            "click_token": analytics.click_token(log) if log else "",
            "popular": analytics.most_read() if not results.answered and not results.past_the_end else [],
            **engine.filter_choices(),
        },
    )


@require_safe
def search_suggest(request: HttpRequest) -> JsonResponse:
    """Autocomplete for the search box: a few articles whose titles start with what is typed."""
    suggestions = autocomplete(request.GET.get("q", ""))
    return JsonResponse(
        {"suggestions": [{"title": s.title, "url": s.url, "meta": s.meta} for s in suggestions]}
    )


def _is_number(text: str, *, digits: int) -> bool:
    # ASCII only: "²".isdigit() is true, and int("²") raises.
    return text.isascii() and text.isdigit() and len(text) <= digits


# A click only adds to an anonymous counter of a signed, recent search, so a
# forged one can skew a statistic and nothing else; sendBeacon() sends no CSRF header.
@csrf_exempt
@require_POST
def search_click(request: HttpRequest) -> HttpResponse:
    """Which result a reader opened, sent by search.js as they follow the link."""
    article = request.POST.get("article", "")
    position = request.POST.get("position", "")
    if not (_is_number(article, digits=18) and _is_number(position, digits=5)):
        return HttpResponseBadRequest("article and position must be numbers")
    analytics.record_click(
        token=request.POST.get("token", ""), article_id=int(article), position=int(position)
    )
    return HttpResponse(status=204)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap_url = request.build_absolute_uri("/sitemap.xml")
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@staff_member_required
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The admin's live Markdown preview (django-markdownx posts the field here)."""
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest(
            "The preview needs the Markdown to show, in the form field “content”.",
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(markdownify_preview(content))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
