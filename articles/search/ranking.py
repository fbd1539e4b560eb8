"""One page of the articles a text search matches, ranked by the backend and highlighted.

The backend (backends/) ranks and counts the matches and marks the page's
titles and passages with ``MARK_START`` and ``MARK_END``; here the page's
articles are loaded, without their bodies, and the marks become ``<mark>``
in escaped HTML.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.content.models import Article
from articles.search import rows
from articles.search.backends import get_backend
from articles.search.backends.base import MARK_END, MARK_START, Marks, TextQuery
from articles.search.models import PromotedResult
from articles.search.query import ParsedQuery
from articles.search.results import PAGE_SIZE, Hit, SearchResults


def rank_page(
    articles: QuerySet | None,
    text_query: TextQuery,
    parsed: ParsedQuery,
    boost: set[int],
    results: SearchResults,
) -> None:
    """One page of matching articles, ranked and highlighted, and how many match.

    The backend ranks, counts and highlights the page's articles; then those
    ten are loaded, without their bodies.
    """
    ranking = get_backend().ranked(
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
    page_articles = rows.articles_by_id(pk for pk, _ in ranking.page)
    results.hits = []
    for pk, is_promoted in ranking.page:
        article, marks = page_articles[pk], ranking.marks.get(pk, _NO_MARKS)
        results.hits.append(
            Hit(article, _title(article, marks), _snippet(article, marks), promoted=is_promoted)
        )


_NO_MARKS = Marks(None, None, None)


def marked(text: str | None) -> SafeString:
    """Backend text with match markers as escaped HTML with ``<mark>``."""
    escaped = escape((text or "").strip())
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S308 - escaped above


def _title(article: Article, marks: Marks) -> SafeString:
    # The highlighter may have read a title's "<b>" as markup; then the title goes unmarked.
    marked_title = marks.title or ""
    if marked_title.replace(MARK_START, "").replace(MARK_END, "") != article.title:
        return escape(article.title)
    return marked(marked_title)


def _snippet(article: Article, marks: Marks) -> SafeString:
    for text in (marks.body, marks.details):
        if text and MARK_START in text:
            return marked(text)
    return escape(article.summary) if article.summary else marked(marks.body)
