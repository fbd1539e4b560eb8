"""Keeping the search index current, in the same transaction as every change.

Each article has one ``SearchDocument``: the text its page shows, flattened.
A page shows the article's own fields, its vendor's facts (name, sender
addresses and domains, IP ranges) and the steps of each mail client section,
which may be the generic steps every vendor shares. The receivers below map
each kind of change to the articles it reaches and rebuild their documents
at once, inside the transaction of the change; the database's triggers then
bring the full-text index along in the same statement (see models.py).

Code that changes many rows at once (an import, a benchmark) wraps the work
in ``batch()``: documents are rebuilt once, when the block ends, still inside
the caller's transaction.

One thing moves without a write: a range whose retirement date passes leaves
the page that day, and ``{{ range_count }}`` with it. IP lookups read the live
ranges, so only that count can lag in the document; ``manage.py
search_index`` rebuilds everything.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models import Prefetch, Q
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver

from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.content.rendering import build_article_page
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.search.backends.base import MARK_END, MARK_START
from articles.search.models import SearchDocument, SearchTerm
from articles.search.query import STOP_WORDS

_TAG = re.compile(r"<[^>]+>")
# Inline markup joins its text to what follows ("<strong>Allowlist</strong>,"), block markup separates it.
_INLINE_TAG = re.compile(r"</?(?:a|abbr|b|code|em|i|kbd|mark|samp|small|span|strong|sub|sup)\b[^>]*>")
# Words worth correcting a typo towards: a letter, then letters or digits.
_LEXICON_WORD = re.compile(r"[^\W\d_][^\W_]{2,39}")
_TEXT_FIELDS = ["title", "vendor_name", "summary", "sections", "body", "details"]
_DOCUMENT_FIELDS = [*_TEXT_FIELDS, "public_from", "indexed_at"]

_pending: ContextVar[set[int] | None] = ContextVar("search_index_pending", default=None)


def single_spaced(text: str) -> str:
    """Plain text as one line, without the characters highlighting uses as markers."""
    return " ".join(text.replace(MARK_START, " ").replace(MARK_END, " ").split())


def plain_text(markup: str) -> str:
    """Sanitised HTML as the words a reader sees."""
    return single_spaced(html.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", markup))))


def build_documents(article_ids: Iterable[int]) -> list[SearchDocument]:
    """The documents of these articles, built in seven queries however many there are."""
    articles = list(Article.objects.filter(pk__in=set(article_ids)).select_related("vendor"))
    vendor_ids = {article.vendor_id for article in articles if article.vendor_id}
    addresses, domains, ranges = defaultdict(list), defaultdict(list), defaultdict(list)
    for address in SenderAddress.objects.filter(vendor__in=vendor_ids):
        addresses[address.vendor_id].append(address)
    for domain in SenderDomain.objects.filter(vendor__in=vendor_ids):
        domains[domain.vendor_id].append(domain)
    for ip_range in IPRange.objects.active().filter(vendor__in=vendor_ids):
        ranges[ip_range.vendor_id].append(ip_range)
    clients: dict[int, list[MailClient]] = defaultdict(list)
    for section in ArticleClient.objects.filter(article__in=articles).select_related("mail_client"):
        clients[section.article_id].append(section.mail_client)
    client_ids = {client.pk for listed in clients.values() for client in listed}
    step_lists = list(
        StepList.objects.filter(mail_client__in=client_ids)
        .filter(Q(vendor__isnull=True) | Q(vendor__in=vendor_ids))
        .prefetch_related(Prefetch("steps", queryset=Step.objects.order_by("position", "pk")))
    )
    documents = []
    for article in articles:
        page = build_article_page(
            article,
            addresses=addresses[article.vendor_id],
            domains=domains[article.vendor_id],
            ranges=ranges[article.vendor_id],
            clients=clients[article.pk],
            step_lists=[s for s in step_lists if s.vendor_id in (None, article.vendor_id)],
        )
        steps = [
            plain_text(part) for section in page.sections for part in [section.intro, *section.steps] if part
        ]
        # Facts as the page shows them: sender addresses and domains in a guide, ranges in an IT section.
        facts = [ip_range.display for tier in page.tiers for ip_range in tier.ranges]
        if article.kind == Article.Kind.GUIDE:
            facts += [f"{a.address} {a.used_for}" for a in page.addresses] + [
                d.display_name for d in page.domains
            ]
        documents.append(
            SearchDocument(
                article=article,
                title=single_spaced(article.title),
                vendor_name=single_spaced(article.vendor.name) if article.vendor_id else "",
                summary=single_spaced(article.summary),
                sections=" · ".join(section.client.name for section in page.sections),
                body=plain_text(page.body),
                details=" ".join(steps + facts),
                public_from=article.published_at if article.status == Article.Status.PUBLISHED else None,
            )
        )
    return documents


def words_of(documents: Iterable[SearchDocument]) -> set[str]:
    """The lexicon's share of these documents: every word of three letters or more."""
    words: set[str] = set()
    for document in documents:
        for field in _TEXT_FIELDS:
            words.update(_LEXICON_WORD.findall(getattr(document, field).lower()))
    return words - STOP_WORDS


@transaction.atomic
def reindex(article_ids: Iterable[int]) -> int:
    """Rebuild the documents of these articles now (or at the end of the current ``batch()``)."""
    ids = {pk for pk in article_ids if pk is not None}
    pending = _pending.get()
    if pending is not None:
        pending.update(ids)
        return 0
    if not ids:
        return 0
    documents = build_documents(ids)
    SearchDocument.objects.bulk_create(
        documents, update_conflicts=True, unique_fields=["article"], update_fields=_DOCUMENT_FIELDS
    )
    # Only what readers can already see may be suggested back to them: a
    # draft's or a scheduled article's words stay out of "did you mean".
    public = [document for document in documents if document.article.is_public]
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=word) for word in sorted(words_of(public))], ignore_conflicts=True
    )
    return len(documents)


@contextmanager
def batch() -> Iterator[None]:
    """Collect the articles that changes reach; rebuild them once when the block ends.

    Use it inside the caller's transaction, so the index still changes with the data.
    """
    if _pending.get() is not None:
        yield
        return
    pending: set[int] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    # Only reached when the block succeeded: after an error the transaction is
    # rolling back, and the index goes back with it.
    reindex(pending)


@transaction.atomic
def rebuild(chunk_size: int = 500) -> int:
    """Every document and the word list from scratch, a chunk of articles at a time."""
    SearchTerm.objects.all().delete()
    # By vendor, so that a chunk loads the facts of a few vendors rather than of hundreds.
    ids = list(Article.objects.order_by("vendor_id", "pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk_size):
        reindex(ids[start : start + chunk_size])
    return len(ids)


# Which articles a change reaches.


def _of_vendor(vendor_id: int | None) -> list[int]:
    if vendor_id is None:
        return []
    return list(Article.objects.filter(vendor_id=vendor_id).values_list("pk", flat=True))


def _showing_client(mail_client_id: int, vendor_id: int | None) -> list[int]:
    """Articles with a section for this client; only one vendor's if the steps are its own."""
    articles = Article.objects.filter(client_sections__mail_client_id=mail_client_id)
    if vendor_id is not None:
        articles = articles.filter(vendor_id=vendor_id)
    return list(articles.values_list("pk", flat=True))


@receiver(post_save, sender=Article)
def _article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if not raw:
        reindex([instance.pk])


@receiver(post_delete, sender=Article)
def _article_deleted(sender, instance: Article, **kwargs) -> None:
    # Its sections are deleted first and reindex it on the way; drop that document.
    SearchDocument.objects.filter(article_id=instance.pk).delete()


@receiver(post_save, sender=ArticleClient)
@receiver(post_delete, sender=ArticleClient)
def _section_changed(sender, instance: ArticleClient, **kwargs) -> None:
    if not kwargs.get("raw"):
        reindex([instance.article_id])


@receiver(m2m_changed, sender=Article.clients.through)
def _sections_set(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        reindex((pk_set or []) if reverse else [instance.pk])


@receiver(post_save, sender=Vendor)
def _vendor_saved(sender, instance: Vendor, raw: bool = False, **kwargs) -> None:
    if not raw:
        reindex(_of_vendor(instance.pk))


@receiver(post_save, sender=SenderAddress)
@receiver(post_save, sender=SenderDomain)
@receiver(post_save, sender=IPRange)
@receiver(post_delete, sender=SenderAddress)
@receiver(post_delete, sender=SenderDomain)
@receiver(post_delete, sender=IPRange)
def _fact_changed(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        reindex(_of_vendor(instance.vendor_id))


@receiver(post_save, sender=MailClient)
def _client_saved(sender, instance: MailClient, raw: bool = False, **kwargs) -> None:
    if not raw:
        reindex(_showing_client(instance.pk, None))


@receiver(post_save, sender=StepList)
@receiver(post_delete, sender=StepList)
def _step_list_changed(sender, instance: StepList, **kwargs) -> None:
    if not kwargs.get("raw"):
        reindex(_showing_client(instance.mail_client_id, instance.vendor_id))


@receiver(post_save, sender=Step)
@receiver(post_delete, sender=Step)
def _step_changed(sender, instance: Step, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    step_list = (
        StepList.objects.filter(pk=instance.step_list_id).values("mail_client_id", "vendor_id").first()
    )
    if step_list is not None:
        reindex(_showing_client(step_list["mail_client_id"], step_list["vendor_id"]))


@receiver(post_migrate)
def _index_articles_written_before_search(sender, app_config=None, **kwargs) -> None:
    """A database whose articles predate migration 0002 gets its documents on ``migrate``."""
    if app_config is None or app_config.label != "articles":
        return
    if SearchDocument._meta.db_table not in connection.introspection.table_names():
        return  # migrated back to before search existed
    if SearchDocument.objects.count() < Article.objects.count():
        rebuild()
