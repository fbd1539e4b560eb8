"""What a search returns: the filters it ran with, the page of hits, and its answers.

Plain dataclasses the search page renders: ``SearchResults`` holds the page of
``Hit``s and how many match, the vendors whose IP ranges answer an address
(``NetworkAnswer``) or who send from an email address or domain
(``SenderAnswer``), and the corrections and "did you mean" made on the way.
``SearchFilters`` reads the page's filters from its query string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from articles.content.models import Article
from articles.facts import networks
from articles.facts.models import IPRange, Vendor
from articles.search.query import ParsedQuery

PAGE_SIZE = 10
MAX_PAGE = 100

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
class SectionHit:
    """A place in an article that matches: its anchor ("" for the top), name, passage and link."""

    anchor: str
    name: SafeString
    plain_name: str
    snippet: SafeString
    url: str


@dataclass
class Hit:
    article: Article
    title: SafeString
    snippet: SafeString
    promoted: bool = False
    #: The IP section answers the query: link straight to it.
    to_it_section: bool = False
    #: The article's matching sections, best first: the first is where the result leads.
    sections: list[SectionHit] = field(default_factory=list)

    @property
    def place(self) -> SectionHit | None:
        """The section the result leads to, if not the top of the article."""
        return self.sections[0] if self.sections and self.sections[0].anchor else None

    @property
    def more_sections(self) -> list[SectionHit]:
        """Other matching sections, listed under the result (the top of the article is the result's own link)."""
        return [section for section in self.sections[1:] if section.anchor]

    @property
    def url(self) -> str:
        if self.to_it_section:
            return self.article.get_absolute_url() + "#it"
        return self.place.url if self.place else self.article.get_absolute_url()

    @property
    def anchor(self) -> str:
        return "it" if self.to_it_section else (self.place.anchor if self.place else "")


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
