"""Site search.

A plain first version: an IP address or range answers with the vendors and
ranges that cover it; anything else matches words in article titles,
summaries and bodies. Public articles only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from . import networks
from .models import Article, IPRange

MAX_QUERY_LENGTH = 200


@dataclass
class SearchResults:
    query: str
    articles: list[Article] = field(default_factory=list)
    covering_ranges: list[IPRange] = field(default_factory=list)
    network: networks.Network | None = None


def search(query: str) -> SearchResults:
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    results = SearchResults(query=query)
    if not query:
        return results
    network = networks.parse_query_address(query)
    if network is not None:
        results.network = network
        results.covering_ranges = list(
            IPRange.objects.active().covering_network(network).select_related("vendor")
        )
        return results
    words = query.split()[:10]
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
    results.articles = list(
        Article.objects.public().filter(condition).select_related("vendor").order_by("title")[:50]
    )
    return results
