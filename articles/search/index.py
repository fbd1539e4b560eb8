"""Keeping the search index current: the documents of the articles a change reaches.

Each article has one ``SearchDocument``: the text its page shows, flattened;
and one ``SearchSection`` per place on the page a result can link to (the top,
each body heading, each mail-client section, the IT section), with the anchor
the page gives it (``content.anchors`` for headings, the client's slug, ``it``).
A page shows the article's own fields, its vendor's facts (name, sender
addresses and domains, IP ranges) and the steps of each mail client section,
which may be the generic steps every vendor shares. Writes say which
articles they reach through ``services.changes``, which calls ``reindex()``
once per request, inside the transaction of the change; the database's
triggers then bring the full-text index along in the same statement (see
models.py).

One thing moves without a write: a range, sender address or domain whose
retirement date passes leaves the page that day, and ``{{ range_count }}``
or ``{{ primary_address }}`` with it. IP lookups and the answers to an email
or domain query read the live facts, so only the document's text can lag;
``manage.py search_index`` rebuilds everything.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from articles.content.anchors import HeadingSection
from articles.content.models import Article, ArticleClient, MailClient
from articles.content.rendering import ArticlePage, ClientSection, build_article_page
from articles.content.selectors import step_lists_for
from articles.facts.models import IPRange, SenderAddress, SenderDomain
from articles.search.backends.base import MARK_END, MARK_START
from articles.search.models import SearchDocument, SearchSection, SearchTerm
from articles.search.query import STOP_WORDS

_TAG = re.compile(r"<[^>]+>")
# Inline markup joins its text to what follows ("<strong>Allowlist</strong>,"), block markup separates it.
_INLINE_TAG = re.compile(r"</?(?:a|abbr|b|code|em|i|kbd|mark|samp|small|span|strong|sub|sup)\b[^>]*>")
# Words worth correcting a typo towards: a letter, then letters or digits.
_LEXICON_WORD = re.compile(r"[^\W\d_][^\W_]{2,39}")
#: In the order of their weight (A, B, C, D, see models.py): what the index budget keeps first.
_TEXT_FIELDS = ["title", "vendor_name", "summary", "sections", "body", "details"]
#: The most text one document indexes, in UTF-8 bytes, all its parts together. PostgreSQL
#: refuses a tsvector over 1 MB ("string is too long for tsvector"), and a text of short
#: distinct words (single CJK characters, say) costs up to about three times its bytes
#: there; 256 KiB stays well under the limit whatever a row holds, text written past
#: validation included, and holds the longest article body staff may write
#: (``facts.limits``) unless most of it is outside ASCII. The rest is not found by search.
MAX_INDEXED_BYTES = 256 * 1024
_DOCUMENT_FIELDS = [*_TEXT_FIELDS, "public_from", "public_until", "indexed_at"]


def single_spaced(text: str) -> str:
    """Plain text as one line, without the characters highlighting uses as markers."""
    return " ".join(text.replace(MARK_START, " ").replace(MARK_END, " ").split())


def plain_text(markup: str) -> str:
    """Sanitised HTML as the words a reader sees."""
    return single_spaced(html.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", markup))))


def within_index_budget(texts: list[str], budget: int = MAX_INDEXED_BYTES) -> list[str]:
    """These texts, the first kept in full first, cut so that together they hold at most
    ``budget`` bytes of UTF-8; a cut falls between two characters."""
    kept = []
    for text in texts:
        encoded = text.encode("utf-8", errors="surrogatepass")
        if len(encoded) > budget:
            # Cutting the bytes may split a character: its leftover bytes are dropped.
            text = encoded[:budget].decode("utf-8", errors="ignore")
            encoded = text.encode("utf-8", errors="surrogatepass")
        budget -= len(encoded)
        kept.append(text)
    return kept


#: The IT section's heading on the page (templates/articles/article.html), and its anchor.
IT_SECTION_NAME = "For your IT department"


def build_sections(page: ArticlePage) -> list[SearchSection]:
    """The places of an article's page a search can lead to, in the page's order."""
    article = page.article
    # One paragraph per line: a passage (highlights.py) stays inside one. The summary is
    # always the first line, empty or not: it sums up every section, so places.py leaves
    # it out when it weighs the top against them.
    top = [single_spaced(article.summary)]
    top += [_paragraphs(s) for s in page.body_sections if s.heading is None]
    if page.shows_senders:
        top += [f"{a.address} {a.used_for}" for a in page.addresses] + [d.display_name for d in page.domains]
    kind = SearchSection.Kind
    found = [SearchSection(kind=kind.TOP, anchor="", name=single_spaced(article.title), text="\n".join(top))]
    for section in page.body_sections:
        if section.heading is not None:
            found.append(
                SearchSection(
                    kind=kind.HEADING,
                    anchor=section.heading.anchor,
                    name=single_spaced(section.heading.title),
                    text=_paragraphs(section),
                )
            )
    for section in page.person_sections:
        found.append(_client_section(section))
    if article.show_it_section:
        found.append(SearchSection(kind=kind.IT, anchor="it", name=IT_SECTION_NAME, text=_it_text(page)))
        found += [_client_section(section) for section in page.it_sections]
    texts = within_index_budget([section.text for section in found])
    for position, (section, text) in enumerate(zip(found, texts, strict=True)):
        section.article, section.position, section.text = article, position, text
    return found


def _it_text(page: ArticlePage) -> str:
    """What the IT section says (templates/articles/article.html), its ranges tier by tier."""
    lines = []
    if page.vendor is not None:
        lines.append(
            f"If mail from {single_spaced(page.vendor.name)} is still filtered, your mail administrator "
            "can allow it at the server or gateway: the sender addresses and domains, and these IP addresses."
        )
    lines += [f"{tier.label}: " + " ".join(r.display for r in tier.ranges) for tier in page.tiers]
    return "\n".join(lines)


def _paragraphs(section: HeadingSection) -> str:
    return "\n".join(text for text in (single_spaced(part) for part in section.text_parts) if text)


def _client_section(section: ClientSection) -> SearchSection:
    client = section.client
    return SearchSection(
        kind=SearchSection.Kind.CLIENT,
        anchor=section.anchor,
        name=single_spaced(client.name),
        aliases=", ".join([client.short_name, client.slug.replace("-", " ")]),
        text="\n".join(plain_text(part) for part in [section.intro, *section.steps] if part),
    )


def build_documents(article_ids: Iterable[int]) -> list[SearchDocument]:
    """The documents of these articles, built in seven queries however many there are.

    Each carries its sections (``build_sections``) in ``document.places``, not a field.
    """
    articles = list(Article.objects.filter(pk__in=set(article_ids)).select_related("vendor"))
    vendor_ids = {article.vendor_id for article in articles if article.vendor_id}
    addresses, domains, ranges = defaultdict(list), defaultdict(list), defaultdict(list)
    for address in SenderAddress.objects.active().filter(vendor__in=vendor_ids):
        addresses[address.vendor_id].append(address)
    for domain in SenderDomain.objects.active().filter(vendor__in=vendor_ids):
        domains[domain.vendor_id].append(domain)
    for ip_range in IPRange.objects.active().filter(vendor__in=vendor_ids):
        ranges[ip_range.vendor_id].append(ip_range)
    clients: dict[int, list[MailClient]] = defaultdict(list)
    for section in ArticleClient.objects.filter(article__in=articles).select_related("mail_client"):
        clients[section.article_id].append(section.mail_client)
    client_ids = {client.pk for listed in clients.values() for client in listed}
    step_lists = list(step_lists_for(client_ids, vendor_ids))
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
        texts = within_index_budget(
            [
                single_spaced(article.title),
                single_spaced(article.vendor.name) if article.vendor_id else "",
                single_spaced(article.summary),
                " · ".join(section.client.name for section in page.sections),
                plain_text(page.body),
                " ".join(steps + facts),
            ]
        )
        documents.append(
            SearchDocument(
                article=article,
                **dict(zip(_TEXT_FIELDS, texts, strict=True)),
                public_from=article.published_at if article.status == Article.Status.PUBLISHED else None,
                # A search compares both with its own clock: scheduled withdrawal needs no re-index.
                public_until=article.unpublish_at,
            )
        )
        documents[-1].places = build_sections(page)
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
    """Rebuild the documents of these articles now, in the caller's transaction."""
    ids = {pk for pk in article_ids if pk is not None}
    if not ids:
        return 0
    documents = build_documents(ids)
    SearchDocument.objects.bulk_create(
        documents, update_conflicts=True, unique_fields=["article"], update_fields=_DOCUMENT_FIELDS
    )
    SearchSection.objects.filter(article__in=ids).delete()
    SearchSection.objects.bulk_create([section for document in documents for section in document.places])
    # Only what readers can already see may be suggested back to them: a
    # draft's or a scheduled article's words stay out of "did you mean".
    public = [document for document in documents if document.article.is_public]
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=word) for word in sorted(words_of(public))], ignore_conflicts=True
    )
    return len(documents)


@transaction.atomic
def rebuild(chunk_size: int = 500) -> int:
    """Every document and the word list from scratch, a chunk of articles at a time."""
    SearchTerm.objects.all().delete()
    # By vendor, so that a chunk loads the facts of a few vendors rather than of hundreds.
    ids = list(Article.objects.order_by("vendor_id", "pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk_size):
        reindex(ids[start : start + chunk_size])
    return len(ids)


@receiver(post_migrate)
def _index_articles_written_before_search(sender, app_config=None, **kwargs) -> None:
    """A database whose articles predate migration 0002 gets its documents on ``migrate``."""
    if app_config is None or app_config.label != "articles":
        return
    if SearchDocument._meta.db_table not in connection.introspection.table_names():
        return  # migrated back to before search existed
    articles = Article.objects.count()
    # Or whose articles were indexed before sections were (migration 0014).
    if SearchDocument.objects.count() < articles or (articles and not SearchSection.objects.exists()):
        rebuild()
