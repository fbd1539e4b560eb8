"""Suggestions as the reader types: articles whose title or vendor starts with the words so far."""

from __future__ import annotations

from dataclasses import dataclass

from articles.content.models import Article
from articles.search.backends import get_backend
from articles.search.query import STOP_WORDS, clean, tokenise

AUTOCOMPLETE_LIMIT = 8


@dataclass(frozen=True)
class Suggestion:
    title: str
    url: str
    meta: str


def autocomplete(query: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[Suggestion]:
    """Articles whose title (or vendor) starts with what the reader is typing: one query."""
    # Stop words go, the one being typed too: PostgreSQL's index holds none to match.
    words = [word for word in tokenise(clean(query)[:100]) if "." not in word and word not in STOP_WORDS][:6]
    if not words or len(words[-1]) < 2:
        return []
    articles = get_backend().title_prefix(Article.objects.public().select_related("vendor"), words, limit)
    return [
        Suggestion(
            title=article.title,
            url=article.get_absolute_url(),
            meta=" · ".join(
                filter(None, [article.get_kind_display(), article.vendor.name if article.vendor else ""])
            ),
        )
        for article in articles
    ]
