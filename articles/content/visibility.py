"""Which vendors readers may see: a vendor is public once it has a public article.

Until then a vendor is a draft, however complete its facts: its hub, For IT
page, downloads, API answers and its place in the all-vendors files answer as
if it did not exist (404, or absent from a list), and searches do not name it.
Support staff can prepare a vendor with its ranges and guide, check it through
the admin's preview, and publish it by publishing the guide.

The rule is a condition on the vendor's row (``Exists``), not a stored switch:
an article scheduled for the future makes its vendor public at that moment,
with no write and no task. ``public_since`` is that moment, so that the files
listing a vendor change their Last-Modified when it appears.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from articles.content.models import Article
from articles.facts.models import Vendor


def _public_articles_of_vendor():
    return Article.objects.public().filter(vendor=OuterRef("pk"))


def public_vendors_only(vendors: QuerySet[Vendor] | None = None) -> QuerySet[Vendor]:
    """``vendors`` (by default all) without the drafts: one condition in the same query."""
    vendors = Vendor.objects.all() if vendors is None else vendors
    return vendors.filter(Exists(_public_articles_of_vendor()))


def with_public_since(vendors: QuerySet[Vendor]) -> QuerySet[Vendor]:
    """Each vendor annotated with ``public_since``: when its first public article was published."""
    first = _public_articles_of_vendor().order_by("published_at").values("published_at")[:1]
    return vendors.annotate(public_since=Subquery(first))
