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
them (content/anchors.py, through ``render_document``).

Six queries at the most, however many vendors, articles and headings exist:
vendors, mail programs, synonyms, guides with a named program's section,
articles by title, articles by body (and, when some match, their sections'
anchors, which a heading may not take).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Window
from django.urls import reverse
from django.utils.http import urlencode

from articles.content import selectors
from articles.content.models import Article, ArticleClient, MailClient
from articles.content.rendering import render_document
from articles.search import prefixes, synonyms
from articles.search.backends import get_backend
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
    for vendor in selectors.public_vendors():
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
    wanted = _prefix_groups(words, groups)
    found += _articles(wanted)
    found += _headings(wanted)
    return _limited(found, limit)


def _naming(words: list[str], vendor) -> list[str]:
    """If the first or last few words name ``vendor``, the other words; else none."""
    for count in range(len(words) - 1, 0, -1):
        if prefixes.match(words[:count], vendor.name, prefix=False):
            return words[count:]
        if prefixes.match(words[-count:], vendor.name):
            return words[:-count]
    return []


def _vendor_suggestion(vendor, spans: prefixes.Spans) -> Suggestion:
    count = vendor.article_count
    return Suggestion(
        kind="vendor",
        title=vendor.name,
        url=vendor.get_absolute_url(),
        meta=f"{count} article{'' if count == 1 else 's'}",
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
        # Only where one allowlisting guide fits: counted per program in the same query.
        rows = (
            rows.filter(article__kind=Article.Kind.GUIDE)
            .alias(guides=Window(Count("pk"), partition_by=[F("mail_client")]))
            .filter(guides=1)
        )
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


def _prefix_groups(words: list[str], groups: list[synonyms.SynonymGroup]) -> list[tuple[str, ...]]:
    """What to look for in titles and bodies: each finished word with its synonyms, then the unfinished
    word (or the last two) with the synonym terms it begins ("safe s" → safe senders, allowlist …)."""
    typed = 2 if len(words) > 1 else 1
    done = words[:-typed] if typed == 2 else words[:-1]
    tail = words[len(done) :]
    wanted: list[tuple[str, ...]] = []
    expanded = {start: (end, terms) for start, end, terms in synonyms.expand(done, groups)}
    position = 0
    while position < len(done):
        end, terms = expanded.get(position, (position + 1, ()))
        wanted.append(tuple(dict.fromkeys((" ".join(done[position:end]), *terms))))
        position = end
    begun = [
        group.terms
        for group in groups
        if len(tail[-1]) >= 3 or len(tail) > 1
        if any(_begins(tail, term) for term in group.terms)
    ]
    if len(tail) > 1 and not begun:
        wanted.append((tail[0],))
        tail = tail[1:]
    wanted.append(tuple(dict.fromkeys((" ".join(tail), *(term for terms in begun for term in terms)))))
    return wanted


def _begins(tail: list[str], term: str) -> bool:
    """Whether the words ``tail``, the last unfinished, begin ``term``."""
    words = tokenise(term)
    return (
        len(words) >= len(tail)
        and words[: len(tail) - 1] == tail[:-1]
        and words[len(tail) - 1].startswith(tail[-1])
    )


def _spans(wanted: list[tuple[str, ...]], text: str) -> prefixes.Spans:
    """What to mark in ``text``: each group's first alternative found in it (the typed word as a prefix)."""
    spans: prefixes.Spans = []
    for number, group in enumerate(wanted):
        for index, alternative in enumerate(group):
            typing = number == len(wanted) - 1 and index == 0
            found = prefixes.match(tokenise(alternative), text, prefix=typing)
            if found:
                spans += found
                break
    return spans


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
            parts=tuple(prefixes.marked(article.title, _spans(wanted, article.title))),
        )
        for article in articles
    ]


def _headings(wanted: list[tuple[str, ...]]) -> list[Suggestion]:
    """Headings of article bodies that have the words, with the page's anchors: one or two queries."""
    sections = Prefetch("client_sections", ArticleClient.objects.select_related("mail_client"))
    articles = get_backend().body_prefix(
        Article.objects.public().select_related("vendor").prefetch_related(sections), wanted, HEADING_ARTICLES
    )
    found = []
    for article in articles:
        facts = {"vendor": article.vendor.name} if article.vendor else {}
        slugs = [row.mail_client.slug for row in article.client_sections.all()]
        for heading in render_document(article.body, facts, client_slugs=slugs).headings:
            spans = _spans(wanted, heading.title)
            if len(spans) < len(wanted):
                continue
            prefix = f"{article.title} › "
            found.append(
                Suggestion(
                    kind="heading",
                    title=prefix + heading.title,
                    url=f"{article.get_absolute_url()}#{heading.anchor}",
                    meta=article.vendor.name if article.vendor else article.get_kind_display(),
                    parts=tuple(
                        prefixes.marked(prefix + heading.title, prefixes.shifted(spans, len(prefix)))
                    ),
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
