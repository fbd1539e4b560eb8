"""Reads: what each public page needs, fetched in a fixed number of queries.

Each function loads everything its page shows up front, so the number of
queries does not grow with the number of sections, steps or ranges.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet

from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.content.rendering import ArticlePage, build_article_page
from articles.facts.models import Vendor


def public_vendors():
    """Vendors that have at least one public article, with that count."""
    return (
        Vendor.objects.annotate(
            article_count=Count("articles", filter=Q(articles__in=Article.objects.public()))
        )
        .filter(article_count__gt=0)
        .order_by("name")
    )


def load_article_page(article: Article, *, clients: list[MailClient] | None = None) -> ArticlePage:
    """Everything an article page shows: six queries, whatever the article holds.

    ``clients`` are the mail client sections to show, in order, instead of the
    stored ones: the preview of a pending change shows its own (admin/pending.py).
    """
    vendor = article.vendor
    if vendor is not None:
        addresses = list(vendor.sender_addresses.active())
        domains = list(vendor.sender_domains.active())
        ranges = list(vendor.ip_ranges.active())
    else:
        addresses, domains, ranges = [], [], []
    if clients is None:
        clients = [
            section.mail_client
            for section in ArticleClient.objects.filter(article=article).select_related("mail_client")
        ]
    step_lists = (
        step_lists_for([client.pk for client in clients], [vendor.pk] if vendor else []) if clients else []
    )
    return build_article_page(
        article,
        addresses=addresses,
        domains=domains,
        ranges=ranges,
        clients=clients,
        step_lists=step_lists,
    )


def step_lists_for(client_ids: Iterable[int], vendor_ids: Iterable[int]) -> QuerySet[StepList]:
    """The generic step lists of these clients and those vendors' own, with their steps: two queries.

    A page picks one list per client from these (``rendering.choose_step_lists``):
    a vendor's own over the generic one.
    """
    return (
        StepList.objects.filter(mail_client__in=list(client_ids))
        .filter(Q(vendor__isnull=True) | Q(vendor__in=list(vendor_ids)))
        .prefetch_related(Prefetch("steps", queryset=Step.objects.order_by("position", "pk")))
    )
