"""The one search API: from what a reader typed to a page of results.

``search()`` reads the query (query.py), answers IP addresses and ranges
from the live ``IPRange`` table and email addresses and domains from the
vendors' facts, widens words with synonyms and spelling corrections, and asks
the database's backend (backends/) for ranked articles and their sections. Staff's
promoted articles for the query come first, then articles of a vendor the
query named by address, domain, IP or name (vendors.py), then articles by how many of the
query's terms they match, then by how many their title, vendor name, summary
or section names match, then by the backend's rank: an order that holds in a
help center of five articles, where word statistics (bm25's, ts_rank's) say
little, as well as in one of 10,000.

The number of queries depends only on the kind of query, never on the data:
each step is one query, however many articles, ranges or synonyms exist.

Each step has its own module: answers.py answers addresses and domains,
vendors.py reads vendors' names, terms.py widens words, ranking.py ranks a
page, places.py chooses each result's sections and highlights.py marks them, results.py
holds what comes back; suggest.py suggests articles as the reader types.
"""

from __future__ import annotations

from django.utils.html import escape

from articles.content import selectors
from articles.content.models import Article, MailClient
from articles.search import answers, ranking, terms, vendors
from articles.search.backends.base import TextQuery
from articles.search.query import parse
from articles.search.results import MAX_PAGE, PAGE_SIZE, Hit, SearchFilters, SearchResults
from articles.search.suggest import autocomplete

__all__ = ["SearchFilters", "SearchResults", "autocomplete", "filter_choices", "search"]


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
        results.networks, vendor_articles = answers.network_answers(parsed.networks, within)
        boost = {entry.vendor.pk for answer in results.networks for entry in answer.vendors}
    if parsed.is_sender:
        results.sender = answers.sender_answer(parsed)
        boost |= {match.vendor.pk for match in results.sender.vendors}
    if parsed.terms:
        parsed, named = vendors.read_vendor_names(parsed)
        boost |= named
    text_query = terms.text_query(parsed, results) if parsed.terms else TextQuery(())
    if results.corrections:
        # A misspelt vendor name ("trakerrms") is known once corrected.
        boost |= vendors.vendor_ids(results.corrections.values())
    if text_query:
        ranking.rank_page(within, text_query, parsed, boost, results)
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


def filter_choices() -> dict[str, list]:
    """What the filters offer: vendors with public articles, mail clients, kinds. Two queries."""
    return {
        "vendors": list(selectors.public_vendors()),
        "clients": list(MailClient.objects.order_by("audience", "position", "name")),
        "kinds": Article.Kind.choices,
    }
