"""Search pages: results, suggestions as the reader types, and result clicks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from articles.facts.numbers import is_decimal
from articles.pagecache import on_every_answer, public_page
from articles.search import analytics, engine
from articles.search.engine import SearchFilters, autocomplete
from articles.search.engine import search as run_search
from articles.throttle import rate_limited

#: A results page is kept this long at most: enough for the searches everyone makes, and
#: the long tail of one-off queries leaves the cache soon.
RESULTS_KEPT_SECONDS = 600


@public_page(keep_seconds=RESULTS_KEPT_SECONDS)
@require_safe
@rate_limited("search")
def search(request: HttpRequest) -> HttpResponse:
    """The results page: /search/?q=…&vendor=…&kind=…&client=…&page=…, shareable as it is.

    The same for every reader, so the page cache keeps it; each reader it is
    shown to is logged under the answer's token (``analytics.log_search``).
    """
    page = request.GET.get("page", "1")
    results = run_search(
        request.GET.get("q", ""),
        SearchFilters.from_params(request.GET),
        int(page) if is_decimal(page, max_digits=5) else 1,
    )
    logged = analytics.log_search(results)
    response = render(
        request,
        "articles/search.html",
        {
            "results": results,
            "query": results.query.text,
            "click_token": analytics.click_token(logged.answer) if logged else "",
            "popular": analytics.most_read() if not results.answered and not results.past_the_end else [],
            **engine.filter_choices(),
        },
    )
    if logged:
        on_every_answer(response, "articles.search.analytics.record_answered_search", *logged)
    return response


@require_safe
@rate_limited("suggest", as_json=True)
def search_suggest(request: HttpRequest) -> JsonResponse:
    """Autocomplete for the search box: vendors, mail programs, sections, articles and headings.

    Each title comes in ``parts``, the typed letters marked: search.js writes
    them as text and ``<mark>`` elements, never as HTML.
    """
    suggestions = autocomplete(request.GET.get("q", ""))
    return JsonResponse(
        {
            "suggestions": [
                {
                    "kind": s.kind,
                    "group": s.group,
                    "title": s.title,
                    "parts": [{"text": text, "mark": mark} for text, mark in s.parts],
                    "url": s.url,
                    "meta": s.meta,
                }
                for s in suggestions
            ]
        }
    )


# A click only adds to an anonymous counter of a signed, recent search, so a
# forged one can skew a statistic and nothing else; sendBeacon() sends no CSRF header.
@csrf_exempt
@require_POST
@rate_limited("click")
def search_click(request: HttpRequest) -> HttpResponse:
    """Which result a reader opened, sent by search.js as they follow the link."""
    article = request.POST.get("article", "")
    position = request.POST.get("position", "")
    if not (is_decimal(article, max_digits=18) and is_decimal(position, max_digits=5)):
        return HttpResponseBadRequest("article and position must be numbers")
    analytics.record_click(
        token=request.POST.get("token", ""), article_id=int(article), position=int(position)
    )
    return HttpResponse(status=204)
