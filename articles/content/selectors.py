"""Reads: what each public page needs, fetched in a fixed number of queries.

Each function loads everything its page shows up front, so the number of
queries does not grow with the number of sections, steps or ranges.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone

from articles.content import fragments
from articles.content.models import Article, MailClient, Step, StepList
from articles.content.rendering import ArticlePage, build_article_page
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor


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
    """Everything an article page shows: at most six queries, whatever the article holds.

    ``clients`` are the mail client sections to show, in order, instead of the
    stored ones: the preview of a pending change shows its own (admin/pending.py).
    """
    vendor = article.vendor
    addresses, domains, ranges = facts_in_force(vendor) if vendor is not None else ([], [], [])
    if clients is None:
        clients = list(
            MailClient.objects.filter(articleclient__article=article).order_by(
                "articleclient__position", "articleclient__pk"
            )
        )
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


def facts_in_force(vendor: Vendor) -> tuple[list[SenderAddress], list[SenderDomain], list[IPRange]]:
    """The vendor's addresses, domains and ranges in force today: three queries, or none when cached.

    Kept as fragments are, under the vendor's ``facts_changed_at`` and today's
    date (``fragments.facts_key``), so a write or a day coming gives a new key.
    """
    today = timezone.localdate()

    def load() -> tuple[tuple[SenderAddress, ...], tuple[SenderDomain, ...], tuple[IPRange, ...]]:
        # The models' orderings begin with the vendor's name, a join that one vendor's facts do not need.
        return (
            tuple(vendor.sender_addresses.active(today).order_by("position", "address")),
            tuple(vendor.sender_domains.active(today).order_by("domain")),
            tuple(vendor.ip_ranges.active(today).order_by("tier", "version", "start", "prefixlen")),
        )

    batch = fragments.Batch()
    key = batch.add(fragments.facts_key(vendor.pk, vendor.facts_changed_at, today), load)
    batch.resolve()
    # Tuples in the cache, lists for the page: what one page does with its lists reaches no other.
    addresses, domains, ranges = batch.result(key)
    return list(addresses), list(domains), list(ranges)


def step_lists_for(client_ids: Iterable[int], vendor_ids: Iterable[int]) -> list[StepList]:
    """The generic step lists of these clients and those vendors' own: two queries.

    Each carries ``texts``, its steps' texts in order, read as plain values: a
    page shows nothing else of a step, and a model instance per step cost more
    than the query. A page picks one list per client from these
    (``rendering.choose_step_lists``): a vendor's own over the generic one.
    """
    step_lists = list(
        StepList.objects.filter(mail_client__in=list(client_ids))
        .filter(Q(vendor__isnull=True) | Q(vendor__in=list(vendor_ids)))
        # In no order (the choice does not depend on one): the model's ordering joins two tables.
        .order_by()
    )
    texts: dict[int, list[str]] = {step_list.pk: [] for step_list in step_lists}
    steps = Step.objects.filter(step_list__in=list(texts)).order_by("position", "pk")
    for step_list_id, text in steps.values_list("step_list_id", "text"):
        texts[step_list_id].append(text)
    for step_list in step_lists:
        step_list.texts = texts[step_list.pk]
    return step_lists
