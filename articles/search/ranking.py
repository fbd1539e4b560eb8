"""One page of the articles a text search matches, ranked by the backend, with their sections.

The backend (backends/) ranks and counts the matching articles; then those
ten are loaded, without their bodies, with their matching sections (one query
each). places.py puts each article's sections in order, and highlights.py
marks the titles and cuts the passages, the same way whichever database
answered; the marks become ``<mark>`` in escaped HTML here.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.search import places, rows
from articles.search.backends import get_backend
from articles.search.backends.base import MARK_END, MARK_START, TextQuery
from articles.search.highlights import Highlighter
from articles.search.models import PromotedResult
from articles.search.query import ParsedQuery
from articles.search.results import PAGE_SIZE, Hit, SearchResults, SectionHit

#: Matching sections listed under an article, its own place included.
MAX_SECTIONS = 4


def rank_page(
    articles: QuerySet | None,
    text_query: TextQuery,
    parsed: ParsedQuery,
    boost: set[int],
    results: SearchResults,
) -> None:
    """One page of matching articles, ranked, with their best sections highlighted, and how many match."""
    backend = get_backend()
    ranking = backend.ranked(
        articles,
        text_query,
        promoted=PromotedResult.objects.filter(query=parsed.normalised),
        boost=boost,
        offset=(results.page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    results.total, results.total_is_lower_bound = ranking.total, ranking.at_least
    if not ranking.page:
        return
    ids = [pk for pk, _ in ranking.page]
    page_articles = rows.articles_by_id(ids)
    highlighter = Highlighter(text_query.groups)
    ordered = places.order(backend.sections(ids, text_query), text_query, highlighter)
    results.hits = []
    # A mail program the query names leads to its section: on the page, the articles that
    # have one come first after the promoted ones and those of a vendor the query named.
    shown = sorted(
        ranking.page,
        key=lambda row: (
            row[1],
            page_articles[row[0]].vendor_id in boost,
            any(place.named for place in ordered.get(row[0], [])),
        ),
        reverse=True,
    )
    for pk, is_promoted in shown:
        article = page_articles[pk]
        url = article.get_absolute_url()
        found = [_section_hit(url, place, highlighter) for place in _shown(ordered.get(pk, []))]
        results.hits.append(
            Hit(
                article,
                marked(highlighter.mark(article.title)),
                found[0].snippet if found else escape(article.summary),
                promoted=is_promoted,
                sections=found,
            )
        )


def _shown(found: list[places.Place]) -> list[places.Place]:
    """The place a result leads to, and the other sections listed under it (the top of the
    article is the result's own link, so it is never listed under it)."""
    return found[:1] + [place for place in found[1:] if place.section.anchor][: MAX_SECTIONS - 1]


def _section_hit(url: str, place: places.Place, highlighter: Highlighter) -> SectionHit:
    section = place.section
    return SectionHit(
        anchor=section.anchor,
        name=marked(highlighter.mark(section.name)) if section.anchor else SafeString(""),
        plain_name=section.name if section.anchor else "",
        snippet=marked(highlighter.passage(section.text)) if section.text else SafeString(""),
        url=url + (f"#{section.anchor}" if section.anchor else ""),
    )


def marked(text: str | None) -> SafeString:
    """Text with match markers as escaped HTML with ``<mark>``."""
    escaped = escape((text or "").strip())
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S308 - escaped above
