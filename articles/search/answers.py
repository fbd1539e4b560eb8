"""Answers about an IP address or range, and about an email address or domain.

These read the vendors' facts, not the articles: an IP answer from the live
``IPRange`` table (so a range retired today is gone today), a sender answer
from the vendors' sender addresses, domains and websites. Each is a fixed
number of indexed queries, however many ranges or vendors there are.
"""

from __future__ import annotations

import re

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value

from articles.content.models import Article
from articles.content.visibility import public_vendors_only
from articles.facts import networks
from articles.facts.models import SenderAddress, SenderDomain
from articles.facts.senders import display_domain
from articles.search import rows
from articles.search.query import ParsedQuery
from articles.search.results import NetworkAnswer, SenderAnswer, SenderMatch, VendorRanges

#: Most ranges one IP answer lists (a query for 0.0.0.0/0 is inside everything).
MAX_RANGES = 100


def network_answers(
    queried: tuple[networks.Network, ...], within: QuerySet | None
) -> tuple[list[NetworkAnswer], list[Article]]:
    """Which vendors' ranges cover each network, or lie inside it, and those vendors'
    public articles (``within`` the filtered ones, if filtered): two indexed queries."""
    ranges = rows.ranges_for(queried, MAX_RANGES)
    vendors, vendor_articles = rows.vendors_and_articles({r.vendor_id for r in ranges}, within=within)
    ranges = [r for r in ranges if r.vendor_id in vendors]  # a draft vendor's ranges name no one
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


def sender_answer(parsed: ParsedQuery) -> SenderAnswer:
    """Vendors sending from the queried address or domain: one query."""
    at_domain = Q()
    for domain in parsed.domains:
        at_domain |= Q(address__endswith=f"@{domain}")
    website = "|".join(re.escape(domain) for domain in parsed.domains)
    vendors = (
        public_vendors_only()
        .annotate(
            by_address=Exists(
                SenderAddress.objects.active().filter(vendor=OuterRef("pk"), address=parsed.address)
            )
            if parsed.address
            else Value(False),
            by_domain=ExpressionWrapper(
                Exists(SenderDomain.objects.active().filter(vendor=OuterRef("pk"), domain__in=parsed.domains))
                | Exists(SenderAddress.objects.active().filter(at_domain, vendor=OuterRef("pk")))
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
