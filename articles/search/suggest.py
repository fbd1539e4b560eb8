"""Suggestions as the reader types: vendors, mail programs, their sections, articles and headings.

What the reader has typed so far matches by prefix of any word (prefixes.py):
``outl`` suggests Outlook, ``smart tr`` SmartTRAK. A mail program matches by
its name, short name or anchor, and by the synonyms staff wrote for it
(``hotm`` → hotmail → Outlook.com). A synonym group names several programs
("outlook, hotmail, outlook.com"), so its words go to the program its most
specific term names: ``outlook.com`` names one program, ``outlook`` three.

A mail program's section of a guide is suggested with a deep link
(``/smarttrak/allowlisting-guide/#gmail``) when the query also names the
vendor, or when only one guide has that section. Articles match by title or
vendor name, synonyms included (``safe s`` → safe senders → allowlist);
headings of article bodies by their words, under the anchors the page gives
them: the index keeps each heading with its anchor (``SearchSection``, built
with the page's own rule in content/anchors.py), so nothing is rendered here.

Six queries at the most (three for a lone word of two letters), however many vendors, articles and headings
exist: vendors, mail programs, synonyms, guides with a named program's
section (only when a program is named), articles by title, and the indexed
headings of the few best body matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.http import urlencode

from articles.content.models import Article, ArticleClient, MailClient
from articles.facts.models import Vendor
from articles.search import prefixes, synonyms
from articles.search.backends import get_backend
from articles.search.models import SearchSection
from articles.search.query import STOP_WORDS, clean, tokenise

#: Most suggestions shown, and most of each kind.
AUTOCOMPLETE_LIMIT = 10
PER_KIND = {"vendor": 2, "client": 3, "section": 3, "article": 4, "heading": 3}
#: The group each kind is listed under, in this order.
GROUPS = {
    "vendor": "Vendors",
    "client": "Mail programs",
    "section": "Sections of a guide",
    "article": "Articles",
    "heading": "In an article",
}
#: Letters a lone word needs before titles and bodies are searched: two letters begin a
#: good share of all words, and ranking that many titles is most of a suggestion's time.
MIN_TEXT_PREFIX = 3
#: Articles whose bodies are read for matching headings.
HEADING_ARTICLES = 4


@dataclass(frozen=True)
class Suggestion:
    kind: str
    title: str
    url: str
    meta: str
    #: The title in parts, each with whether it is what the reader typed (shown in <mark>).
    parts: tuple[tuple[str, bool], ...] = field(default=())

    @property
    def group(self) -> str:
        return GROUPS[self.kind]


@dataclass
class _Program:
    client: MailClient
    #: (names, whether it is one of the program's own names rather than a synonym's word).
    names: list[tuple[str, bool]]


def autocomplete(query: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[Suggestion]:
    """What to suggest for what the reader has typed so far, grouped by kind, best first."""
    # Stop words go, the one being typed too: PostgreSQL's index holds none to match.
    words = [word for word in tokenise(clean(query)[:100]) if "." not in word and word not in STOP_WORDS][:6]
    if len("".join(words)) < 2:
        return []
    found: list[Suggestion] = []
    named, rest = None, words
    # Only vendors whose name holds a typed word can match (prefixes.match): a scan of names, not of articles.
    holds = reduce(or_, [Q(name__icontains=word) for word in words])
    public = Exists(Article.objects.public().filter(vendor=OuterRef("pk")))
    for vendor in Vendor.objects.filter(holds, public).order_by("name"):
        spans = prefixes.match(words, vendor.name)
        if spans:
            found.append(_vendor_suggestion(vendor, spans))
        elif named is None and _naming(words, vendor):
            named, rest = vendor, _naming(words, vendor)
    groups = synonyms.load()
    clients = _matching_programs(rest, _programs(groups)) if rest else []
    found += [_client_suggestion(program, spans, alias) for program, spans, alias in clients]
    if clients:
        found += _sections([program.client for program, _, _ in clients], rest, named)
    if len(words) > 1 or len(words[0]) >= MIN_TEXT_PREFIX:
        wanted = prefixes.wanted(words, groups)
        found += _articles(wanted)
        found += _headings(wanted)
    return _limited(found, limit)


def _naming(words: list[str], vendor: Vendor) -> list[str]:
    """If the first or last few words name ``vendor``, the other words; else none."""
    for count in range(len(words) - 1, 0, -1):
        if prefixes.match(words[:count], vendor.name, prefix=False):
            return words[count:]
        if prefixes.match(words[-count:], vendor.name):
            return words[:-count]
    return []


def _vendor_suggestion(vendor: Vendor, spans: prefixes.Spans) -> Suggestion:
    return Suggestion(
        kind="vendor",
        title=vendor.name,
        url=vendor.get_absolute_url(),
        meta="Vendor",
        parts=tuple(prefixes.marked(vendor.name, spans)),
    )


def _programs(groups: list[synonyms.SynonymGroup]) -> list[_Program]:
    """Every mail program with the names a reader may type for it: one query."""
    programs = [
        _Program(client, [(client.name, True), (client.label, True), (client.slug.replace("-", " "), True)])
        for client in MailClient.objects.order_by("audience", "position", "name")
    ]
    for group in groups:
        named = {term: [p for p in programs if _names(term, p)] for term in group.terms}
        fewest = min((len(found) for found in named.values() if found), default=0)
        for found in named.values():
            if len(found) == fewest:
                for program in found:
                    program.names += [(other, False) for other in group.terms if not _names(other, program)]
    return programs


def _names(term: str, program: _Program) -> bool:
    """Whether ``term`` ("outlook.com") is, word for word, part of one of the program's own names."""
    wanted = " ".join(tokenise(term))
    return any(
        f" {wanted} " in f" {' '.join(tokenise(name))} " for name, own in program.names if own and wanted
    )


def _matching_programs(words: list[str], programs: list[_Program]):
    """(program, marks in its name, the synonym that matched or "") for the programs ``words`` name."""
    found = []
    for program in programs:
        spans = prefixes.match(words, program.client.name)
        if spans:
            found.append((0, program, spans, ""))
            continue
        for name, own in program.names[1:]:
            if prefixes.match(words, name):
                found.append((0 if own else 1, program, [], "" if own else name))
                break
    found.sort(key=lambda item: item[0])
    return [(program, spans, alias) for _, program, spans, alias in found[: PER_KIND["client"]]]


def _client_suggestion(program: _Program, spans: prefixes.Spans, alias: str) -> Suggestion:
    client = program.client
    return Suggestion(
        kind="client",
        title=client.name,
        url=reverse("articles:search") + "?" + urlencode({"q": client.label, "client": client.slug}),
        meta=f"Mail program · {alias}" if alias else "Mail program",
        parts=tuple(prefixes.marked(client.name, spans)),
    )


def _sections(clients: list[MailClient], words: list[str], vendor) -> list[Suggestion]:
    """The named programs' sections of the vendor's guides, or of the only guide that has one: one query."""
    rows = ArticleClient.objects.filter(
        mail_client__in=clients, article__in=Article.objects.public()
    ).select_related("article__vendor", "mail_client")
    if vendor is not None:
        rows = rows.filter(article__vendor=vendor)
    else:
        # Only where one allowlisting guide fits: a row with no second guide for its program,
        # asked so that the database stops at the second (counting every guide of a program
        # that thousands show is slow).
        guides = ArticleClient.objects.filter(
            article__in=Article.objects.public(), article__kind=Article.Kind.GUIDE
        ).order_by()
        second = guides.filter(mail_client=OuterRef("mail_client")).exclude(article=OuterRef("article"))
        rows = rows.filter(article__kind=Article.Kind.GUIDE).exclude(Exists(second.values("pk")[:1]))
    suggestions = []
    for row in rows.order_by("mail_client__audience", "mail_client__position", "article__title")[
        : PER_KIND["section"]
    ]:
        article, client = row.article, row.mail_client
        prefix = f"{article.title} › "
        spans = prefixes.match(words, client.label) or []
        suggestions.append(
            Suggestion(
                kind="section",
                title=prefix + client.label,
                url=f"{article.get_absolute_url()}#{client.slug}",
                meta=article.vendor.name if article.vendor else article.get_kind_display(),
                parts=tuple(prefixes.marked(prefix + client.label, prefixes.shifted(spans, len(prefix)))),
            )
        )
    return suggestions


def _articles(wanted: list[tuple[str, ...]]) -> list[Suggestion]:
    """Articles whose title or vendor name has the words, synonyms included: one query."""
    articles = get_backend().title_prefix(
        Article.objects.public().select_related("vendor"), wanted, PER_KIND["article"]
    )
    return [
        Suggestion(
            kind="article",
            title=article.title,
            url=article.get_absolute_url(),
            meta=" · ".join(
                filter(None, [article.get_kind_display(), article.vendor.name if article.vendor else ""])
            ),
            parts=tuple(prefixes.marked(article.title, prefixes.group_spans(wanted, article.title))),
        )
        for article in articles
    ]


def _headings(wanted: list[tuple[str, ...]]) -> list[Suggestion]:
    """Headings of article bodies that have the words, with the page's anchors: one query."""
    articles = get_backend().body_prefix(Article.objects.public(), wanted, HEADING_ARTICLES)
    headings = (
        SearchSection.objects.filter(kind=SearchSection.Kind.HEADING, article__in=articles.values("pk"))
        .select_related("article__vendor")
        .order_by("article", "position")
    )
    found = []
    for heading in headings:
        spans = prefixes.group_spans(wanted, heading.name)
        if len(spans) < len(wanted):
            continue
        article = heading.article
        prefix = f"{article.title} › "
        found.append(
            Suggestion(
                kind="heading",
                title=prefix + heading.name,
                url=f"{article.get_absolute_url()}#{heading.anchor}",
                meta=article.vendor.name if article.vendor else article.get_kind_display(),
                parts=tuple(prefixes.marked(prefix + heading.name, prefixes.shifted(spans, len(prefix)))),
            )
        )
    return found


def _limited(found: list[Suggestion], limit: int) -> list[Suggestion]:
    """At most ``PER_KIND`` of each kind and ``limit`` in all, grouped in the order of ``GROUPS``, no link twice."""
    seen: set[str] = set()
    kept: list[Suggestion] = []
    for kind in GROUPS:
        of_kind = [s for s in found if s.kind == kind and s.url not in seen][: PER_KIND[kind]]
        seen.update(s.url for s in of_kind)
        kept += of_kind
    return kept[:limit]
