"""Related articles for the end of an article: two queries at most, however many articles exist.

Chosen from the facts, not typed by staff: the same vendor's other public
articles, and the general (no vendor) public articles that show a section for
one of the same mail clients, those sharing most first, then the general
articles with no mail client section at all (an explainer such as "What is
allowlisting?" is about every mail program). Drafts, scheduled and
withdrawn articles never appear (``Article.objects.public()``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Count, Q

from articles.content.models import Article

#: How many of each kind the end of an article lists.
RELATED_LIMIT = 5


@dataclass
class RelatedArticles:
    from_vendor: list[Article] = field(default_factory=list)
    general: list[Article] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.from_vendor or self.general)


def related_articles(
    article: Article, *, client_ids: Collection[int], limit: int = RELATED_LIMIT
) -> RelatedArticles:
    """The same vendor's other articles (one query) and general articles on ``client_ids`` (one query)."""
    # What the list shows (a link and the kind): the bodies are neither read nor grouped by.
    others = Article.objects.public().exclude(pk=article.pk).only("vendor_id", "kind", "title", "slug")
    related = RelatedArticles()
    if article.vendor_id is not None:
        related.from_vendor = list(
            others.filter(vendor_id=article.vendor_id).order_by("kind", "title")[:limit]
        )
        for other in related.from_vendor:
            other.vendor = article.vendor  # their links name it: loaded once, not once per link
    related.general = list(
        others.filter(vendor__isnull=True)
        .annotate(
            sections=Count("client_sections", distinct=True),
            shared=Count(
                "client_sections",
                filter=Q(client_sections__mail_client_id__in=list(client_ids)),
                distinct=True,
            ),
        )
        .filter(Q(shared__gt=0) | Q(sections=0))
        .order_by("-shared", "title")[:limit]
    )
    return related
