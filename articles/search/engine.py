"""The one search API: from what a reader typed to a page of results.

``search()`` reads the query (query.py), answers IP addresses and ranges
from the live ``IPRange`` table and email addresses and domains from the
vendors' facts, widens words with synonyms and spelling corrections, and asks
the database's backend (backends/) for ranked, highlighted articles. Staff's
promoted articles for the query come first, then articles of a vendor the
query named by address, domain or IP, then articles by how many of the
query's terms they match, then by how many their title, vendor name, summary
or section names match, then by the backend's rank: an order that holds in a
help center of five articles, where word statistics (bm25's, ts_rank's) say
little, as well as in one of 10,000.

The number of queries depends only on the kind of query, never on the data:
each step is one query, however many articles, ranges or synonyms exist.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.content import selectors
from articles.content.models import Article, MailClient
from articles.facts import networks
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.facts.senders import display_domain
from articles.search import rows, spelling, synonyms
from articles.search.backends import get_backend
from articles.search.backends.base import MARK_END, MARK_START, Marks, TextQuery
from articles.search.models import PromotedResult
from articles.search.query import STOP_WORDS, ParsedQuery, clean, parse, tokenise

PAGE_SIZE = 10
MAX_PAGE = 100
#: Most ranges one IP answer lists (a query for 0.0.0.0/0 is inside everything).
MAX_RANGES = 100
AUTOCOMPLETE_LIMIT = 8

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


@dataclass(frozen=True)
class SearchFilters:
    """Narrow results to one vendor (slug), kind of article, or mail client (slug)."""

    vendor: str = ""
    kind: str = ""
    client: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> SearchFilters:
        """Filters from a query string; values that cannot be a slug or a kind are ignored."""

        def slug(name: str) -> str:
            value = (params.get(name) or "").strip()
            return value if _SLUG.fullmatch(value) else ""

        kind = (params.get("kind") or "").strip()
        return cls(
            vendor=slug("vendor"), kind=kind if kind in Article.Kind.values else "", client=slug("client")
        )

    def apply(self, articles: QuerySet) -> QuerySet:
        if self.vendor:
            articles = articles.filter(vendor__slug=self.vendor)
        if self.kind:
            articles = articles.filter(kind=self.kind)
        if self.client:
            articles = articles.filter(client_sections__mail_client__slug=self.client)
        return articles

    def articles(self) -> QuerySet:
        """The public articles these filters let through."""
        return self.apply(Article.objects.public())

    def __bool__(self) -> bool:
        return bool(self.vendor or self.kind or self.client)


@dataclass
class Hit:
    article: Article
    title: SafeString
    snippet: SafeString
    promoted: bool = False
    #: The IP section answers the query: link straight to it.
    to_it_section: bool = False

    @property
    def url(self) -> str:
        return self.article.get_absolute_url() + ("#it" if self.to_it_section else "")


@dataclass
class VendorRanges:
    """One vendor's ranges that cover a queried address, or lie inside a queried range."""

    vendor: Vendor
    covering: list[IPRange] = field(default_factory=list)
    inside: list[IPRange] = field(default_factory=list)
    guide: Article | None = None

    @property
    def url(self) -> str:
        if self.guide is None:
            return self.vendor.get_absolute_url()
        return self.guide.get_absolute_url() + ("#it" if self.guide.show_it_section else "")


@dataclass
class NetworkAnswer:
    network: networks.Network
    vendors: list[VendorRanges] = field(default_factory=list)

    @property
    def display(self) -> str:
        return networks.display(self.network)


@dataclass
class SenderMatch:
    vendor: Vendor
    by_address: bool
    by_domain: bool


@dataclass
class SenderAnswer:
    """Which vendors send from the queried email address or domain."""

    shown: str
    is_address: bool
    vendors: list[SenderMatch] = field(default_factory=list)


@dataclass
class SearchResults:
    query: ParsedQuery
    filters: SearchFilters = field(default_factory=SearchFilters)
    page: int = 1
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    #: More articles match than were counted (PostgreSQL stops counting at a thousand).
    total_is_lower_bound: bool = False
    networks: list[NetworkAnswer] = field(default_factory=list)
    sender: SenderAnswer | None = None
    #: Words corrected and searched as well: {typed: corrected}.
    corrections: dict[str, str] = field(default_factory=dict)
    #: With no result: a query that may find something ("did you mean").
    suggestion: str = ""

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < min(self.num_pages, MAX_PAGE)

    @property
    def first_position(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def past_the_end(self) -> bool:
        """A page number beyond the last page: nothing to show, but not "no results"."""
        return self.page > 1 and not self.hits

    @property
    def answered(self) -> bool:
        """Something to show: results, or an answer about an address or range."""
        return bool(
            self.total
            or any(answer.vendors for answer in self.networks)
            or (self.sender and self.sender.vendors)
        )


def search(query: str, filters: SearchFilters | None = None, page: int = 1) -> SearchResults:
    """Search the help center. Never raises on what a reader types."""
    parsed = parse(query)
    results = SearchResults(
        query=parsed, filters=filters or SearchFilters(), page=min(max(page, 1), MAX_PAGE)
    )
    if parsed.is_empty:
        return results
    # Unfiltered, the reads below need no queryset: building one costs more than an address lookup.
    within = results.filters.articles() if results.filters else None
    boost: set[int] = set()
    vendor_articles: list[Article] = []
    if parsed.networks:
        results.networks, vendor_articles = _network_answers(parsed.networks, within)
        boost = {entry.vendor.pk for answer in results.networks for entry in answer.vendors}
    if parsed.is_sender:
        results.sender = _sender_answer(parsed)
        boost |= {match.vendor.pk for match in results.sender.vendors}
    text_query = _text_query(parsed, results) if parsed.terms else TextQuery(())
    if text_query:
        _ranked(within, text_query, parsed, boost, results)
    elif vendor_articles:
        offset = (results.page - 1) * PAGE_SIZE
        results.total = len(vendor_articles)
        results.hits = [
            Hit(article, escape(article.title), escape(article.summary))
            for article in vendor_articles[offset : offset + PAGE_SIZE]
        ]
    if parsed.networks:
        for hit in results.hits:
            hit.to_it_section = hit.article.vendor_id in boost and hit.article.show_it_section
    return results


def _text_query(parsed: ParsedQuery, results: SearchResults) -> TextQuery:
    """Each term with its synonyms and spelling correction; records corrections and suggestions."""
    groups = synonyms.load()
    known = synonyms.known_words(groups)
    unchecked = [
        term.text
        for term in parsed.terms
        if not term.exact and spelling.needs_checking(term.text) and term.text not in known
    ]
    candidates = get_backend().spelling_candidates(unchecked) if unchecked else {}
    loose: dict[str, str] = {}
    for word, found in candidates.items():
        if word in found:
            continue
        correction = spelling.correct(word, found)
        if correction:
            results.corrections[word] = correction
        else:
            guess = spelling.correct(word, found, slack=1)
            if guess:
                loose[word] = guess
    sequence = [results.corrections.get(term.text, term.text) for term in parsed.terms]
    alternatives: list[tuple[str, ...]] = []
    covered: set[int] = set()
    for start, end, terms in synonyms.expand(sequence, groups):
        alternatives.append(tuple(dict.fromkeys((" ".join(sequence[start:end]), *terms))))
        covered.update(range(start, end))
    for position, term in enumerate(parsed.terms):
        if position not in covered:
            alternatives.append(tuple(dict.fromkeys((term.text, sequence[position]))))
    if loose:
        replaced = {**results.corrections, **loose}
        results.suggestion = " ".join(replaced.get(word, word) for word in tokenise(parsed.text))
    return TextQuery(groups=tuple(alternatives), phrase=parsed.phrase)


def _ranked(
    articles: QuerySet | None,
    text_query: TextQuery,
    parsed: ParsedQuery,
    boost: set[int],
    results: SearchResults,
) -> None:
    """One page of matching articles, ranked and highlighted, and how many match.

    The backend ranks, counts and highlights the page's articles; then those
    ten are loaded, without their bodies.
    """
    ranking = get_backend().ranked(
        articles,
        text_query,
        promoted=PromotedResult.objects.filter(query=parsed.normalised),
        boost=boost,
        offset=(results.page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    results.total, results.total_is_lower_bound = ranking.total, ranking.at_least
    if not ranking.page:
        return
    page_articles = rows.articles_by_id(pk for pk, _ in ranking.page)
    results.hits = []
    for pk, is_promoted in ranking.page:
        article, marks = page_articles[pk], ranking.marks.get(pk, _NO_MARKS)
        results.hits.append(
            Hit(article, _title(article, marks), _snippet(article, marks), promoted=is_promoted)
        )


_NO_MARKS = Marks(None, None, None)


def marked(text: str | None) -> SafeString:
    """Backend text with match markers as escaped HTML with ``<mark>``."""
    escaped = escape((text or "").strip())
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S308 - escaped above


def _title(article: Article, marks: Marks) -> SafeString:
    # The highlighter may have read a title's "<b>" as markup; then the title goes unmarked.
    marked_title = marks.title or ""
    if marked_title.replace(MARK_START, "").replace(MARK_END, "") != article.title:
        return escape(article.title)
    return marked(marked_title)


def _snippet(article: Article, marks: Marks) -> SafeString:
    for text in (marks.body, marks.details):
        if text and MARK_START in text:
            return marked(text)
    return escape(article.summary) if article.summary else marked(marks.body)


def _network_answers(
    queried: tuple[networks.Network, ...], within: QuerySet | None
) -> tuple[list[NetworkAnswer], list[Article]]:
    """Which vendors' ranges cover each network, or lie inside it, and those vendors'
    public articles (``within`` the filtered ones, if filtered): two indexed queries."""
    ranges = rows.ranges_for(queried, MAX_RANGES)
    vendors, vendor_articles = rows.vendors_and_articles({r.vendor_id for r in ranges}, within=within)
    for ip_range in ranges:
        ip_range.vendor = vendors[ip_range.vendor_id]
    ranges.sort(key=lambda r: (r.vendor.name, r.tier != "primary", -r.prefixlen, r.start))
    # Each vendor's guide: its first article, as they come guides with an IT section first.
    guides: dict[int, Article] = {}
    for article in vendor_articles:
        guides.setdefault(article.vendor_id, article)
    answers = []
    for network in queried:
        start, end = networks.bounds(network)
        by_vendor: dict[int, VendorRanges] = {}
        for ip_range in ranges:
            if ip_range.version != network.version:
                continue
            entry = by_vendor.get(ip_range.vendor_id) or VendorRanges(
                vendor=ip_range.vendor, guide=guides.get(ip_range.vendor_id)
            )
            if ip_range.start <= start and ip_range.end >= end:
                entry.covering.append(ip_range)
            elif start <= ip_range.start <= end:
                entry.inside.append(ip_range)
            else:
                continue
            by_vendor[ip_range.vendor_id] = entry
        answers.append(NetworkAnswer(network=network, vendors=list(by_vendor.values())))
    return answers, vendor_articles


def _sender_answer(parsed: ParsedQuery) -> SenderAnswer:
    """Vendors sending from the queried address or domain: one query."""
    at_domain = Q()
    for domain in parsed.domains:
        at_domain |= Q(address__endswith=f"@{domain}")
    website = "|".join(re.escape(domain) for domain in parsed.domains)
    vendors = (
        Vendor.objects.annotate(
            by_address=Exists(SenderAddress.objects.filter(vendor=OuterRef("pk"), address=parsed.address))
            if parsed.address
            else Value(False),
            by_domain=ExpressionWrapper(
                Exists(SenderDomain.objects.filter(vendor=OuterRef("pk"), domain__in=parsed.domains))
                | Exists(SenderAddress.objects.filter(at_domain, vendor=OuterRef("pk")))
                | Q(website__iregex=rf"^https?://([^/]*\.)?({website})(:[0-9]+)?(/|$)"),
                output_field=BooleanField(),
            ),
        )
        .filter(Q(by_address=True) | Q(by_domain=True))
        .order_by("-by_address", "name")[:10]
    )
    shown = parsed.address or display_domain(parsed.domains[0])
    return SenderAnswer(
        shown=shown,
        is_address=bool(parsed.address),
        vendors=[SenderMatch(vendor, vendor.by_address, vendor.by_domain) for vendor in vendors],
    )


@dataclass(frozen=True)
class Suggestion:
    title: str
    url: str
    meta: str


def autocomplete(query: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[Suggestion]:
    """Articles whose title (or vendor) starts with what the reader is typing: one query."""
    # Stop words go, the one being typed too: PostgreSQL's index holds none to match.
    words = [word for word in tokenise(clean(query)[:100]) if "." not in word and word not in STOP_WORDS][:6]
    if not words or len(words[-1]) < 2:
        return []
    articles = get_backend().title_prefix(Article.objects.public().select_related("vendor"), words, limit)
    return [
        Suggestion(
            title=article.title,
            url=article.get_absolute_url(),
            meta=" · ".join(
                filter(None, [article.get_kind_display(), article.vendor.name if article.vendor else ""])
            ),
        )
        for article in articles
    ]


def filter_choices() -> dict[str, list]:
    """What the filters offer: vendors with public articles, mail clients, kinds. Two queries."""
    return {
        "vendors": list(selectors.public_vendors()),
        "clients": list(MailClient.objects.order_by("audience", "position", "name")),
        "kinds": Article.Kind.choices,
    }
