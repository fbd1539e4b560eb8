"""Facts dated today reach search by themselves: the nightly re-index of the articles they show in.

Pages, range files and the API read whether a fact is in force at each
request (``active()``), so a range or address retiring at midnight leaves
them at midnight with no write. The search documents are the one stored copy
of the facts: a document built yesterday still holds what retired today. Just
after midnight in the site's time zone this task rebuilds the documents of the
articles of every vendor with a fact added or retired today.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from articles.content.models import Article
from articles.facts.models import IPRange, SenderAddress, SenderDomain
from articles.search import index
from articles.tasks.periodic import daily_task


def vendors_with_facts_dated(day) -> set[int]:
    """Vendors with an IP range, sender address or domain added or retired on ``day``."""
    dated = Q(added_on=day) | Q(retired_on=day)
    vendors: set[int] = set()
    for model in (IPRange, SenderAddress, SenderDomain):
        vendors.update(model.objects.filter(dated).values_list("vendor_id", flat=True).distinct())
    return vendors


def reindex_facts_dated(day) -> int:
    """Rebuild the search documents that show a fact taking effect on ``day``; how many were rebuilt."""
    vendors = vendors_with_facts_dated(day)
    if not vendors:
        return 0
    return index.reindex(Article.objects.filter(vendor__in=vendors).values_list("pk", flat=True))


@daily_task(hour=0, minute=1)
def reindex_facts_dated_today() -> int:
    """Just after midnight in the site's time zone: the facts whose day has come."""
    return reindex_facts_dated(timezone.localdate())
