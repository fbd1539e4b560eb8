"""What the end of an article page needs beyond the article: support contact, related articles, feedback.

The article view adds it to its context as ``end`` (``end_matter(page)``);
the includes ``still_stuck.html``, ``feedback.html``, ``related.html`` and
``unsupported_banner.html`` read it. At most two queries (``related``).
"""

from __future__ import annotations

from dataclasses import dataclass

from articles.content.related import RelatedArticles, related_articles
from articles.content.rendering import ArticlePage
from articles.content.support import SupportContact, support_contact


@dataclass(frozen=True)
class Unsupported:
    """The "no longer supported" banner: what it is about (``product``: the vendor's name, or empty
    for what the article describes) and the note staff wrote, plain text."""

    product: str
    note: str


@dataclass
class EndMatter:
    support: SupportContact | None
    related: RelatedArticles
    #: Set if the article or its vendor is flagged as no longer supported (the article's flag first).
    unsupported: Unsupported | None


def _unsupported(page: ArticlePage) -> Unsupported | None:
    if page.article.unsupported:
        return Unsupported(product="", note=page.article.unsupported_note)
    return vendor_unsupported(page.vendor)


def vendor_unsupported(vendor) -> Unsupported | None:
    """The banner for a vendor flagged as no longer supported: its hub and every article of it show it."""
    if vendor is not None and vendor.unsupported:
        return Unsupported(product=vendor.name, note=vendor.unsupported_note)
    return None


def end_matter(page: ArticlePage) -> EndMatter:
    return EndMatter(
        support=support_contact(page.vendor),
        related=related_articles(page.article, client_ids=[section.client.pk for section in page.sections]),
        unsupported=_unsupported(page),
    )
