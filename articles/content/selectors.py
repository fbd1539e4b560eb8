"""Reads: what each public page needs, fetched in a fixed number of queries.

Each function loads everything its page shows up front, so the number of
queries does not grow with the number of sections, steps or ranges.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from articles.content.models import Article, ArticleClient, Step, StepList
from articles.content.rendering import ArticlePage, build_article_page
from articles.facts.models import IPRange, Vendor


def public_vendors():
    """Vendors that have at least one public article, with that count."""
    return (
        Vendor.objects.annotate(
            article_count=Count("articles", filter=Q(articles__in=Article.objects.public()))
        )
        .filter(article_count__gt=0)
        .order_by("name")
    )


def load_article_page(article: Article) -> ArticlePage:
    """Everything an article page shows: six queries, whatever the article holds."""
    vendor = article.vendor
    if vendor is not None:
        addresses = list(vendor.sender_addresses.all())
        domains = list(vendor.sender_domains.all())
        ranges = list(vendor.ip_ranges.active())
    else:
        addresses, domains, ranges = [], [], []
    clients = [
        section.mail_client
        for section in ArticleClient.objects.filter(article=article).select_related("mail_client")
    ]
    step_lists = (
        StepList.objects.filter(mail_client__in=[client.pk for client in clients])
        .filter(Q(vendor__isnull=True) | Q(vendor=vendor))
        .prefetch_related(Prefetch("steps", queryset=Step.objects.order_by("position", "pk")))
        if clients
        else []
    )
    return build_article_page(
        article,
        addresses=addresses,
        domains=domains,
        ranges=ranges,
        clients=clients,
        step_lists=step_lists,
    )


def vendor_ranges_by_tier(vendor: Vendor) -> dict[str, int]:
    counts = dict.fromkeys(IPRange.Tier.values, 0)
    for row in vendor.ip_ranges.active().values("tier").annotate(n=Count("pk")):
        counts[row["tier"]] = row["n"]
    return counts
