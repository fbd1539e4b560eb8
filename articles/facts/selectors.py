"""Reads of a vendor's facts that more than one layer needs."""

from __future__ import annotations

import ipaddress

from django.db.models import Count

from articles.facts.models import IPRange, SenderDomain, Vendor
from articles.facts.networks import Network


def listed_networks(vendor: Vendor | int) -> list[Network]:
    """The ranges of a vendor (or vendor id) in the published lists today: one query."""
    texts = IPRange.objects.active().filter(vendor=vendor).order_by().values_list("network", flat=True)
    return list(dict.fromkeys(ipaddress.ip_network(text) for text in texts))


def vendor_ranges_by_tier(vendor: Vendor) -> dict[str, int]:
    """How many ranges of each tier the vendor publishes today: one query."""
    counts = dict.fromkeys(IPRange.Tier.values, 0)
    for row in vendor.ip_ranges.active().values("tier").annotate(n=Count("pk")):
        counts[row["tier"]] = row["n"]
    return counts


def domains_of_other_vendors(vendor: Vendor) -> dict[str, str]:
    """Every sender domain of the other vendors, with that vendor's name: one query.

    What a new domain is compared with to notice a look-alike (``senders.lookalike_warnings``).
    """
    rows = (
        SenderDomain.objects.active().exclude(vendor=vendor).order_by().values_list("domain", "vendor__name")
    )
    return dict(rows)
