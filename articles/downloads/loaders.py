"""Loading a vendor's published facts from the database, in a fixed number of queries.

The downloads, the For IT page and the API all read the facts through these
functions, and turn the model objects into the plain data of ``published``
that every writer takes.

When the facts last changed (a file's Last-Modified, a JSON file's
``createDate``, the API's ``facts_changed_at``) is ``Vendor.facts_changed_at``
(the newest over all vendors for the files about all of them), or the start of
the day on which an announced addition or a retirement (of a range, an address
or a domain) took effect if that is later: a fact joins or leaves the lists at
midnight without any write to the database, and the time must still move. Deleting a whole vendor can move the newest time backwards;
the ETag still changes, and clients should prefer it.

A stored range whose text is not a network (written past ``IPRange.save()``,
by SQL say) is left out of every list, page and file rather than written into
one.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from articles.content.visibility import public_vendors_only, with_public_since
from articles.downloads.published import Facts, ListedRange, Sender
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor

#: When the facts of a help center with no vendors at all last changed.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


#: The annotations of ``vendors_with_retirements`` that hold a date a fact came or went.
DATED_ANNOTATIONS = (
    "last_retirement",
    "last_address_retirement",
    "last_domain_retirement",
    "last_addition",
    "last_address_addition",
    "last_domain_addition",
)


def _last_dated(model: type[SenderAddress | SenderDomain], field: str, today: dt.date) -> Subquery:
    """The latest ``field`` (``added_on`` or ``retired_on``) in effect among the vendor's rows of
    ``model``: a subquery, so that it does not multiply the rows of the ranges' join."""
    dated = model.objects.filter(vendor=OuterRef("pk"), **{f"{field}__lte": today}).order_by(f"-{field}")
    return Subquery(dated.values(field)[:1])


def vendors_with_retirements() -> QuerySet[Vendor]:
    """Public vendors (``visibility``), each annotated with the latest retirement and addition
    dates already in effect (of a range, an address or a domain) and the moment it became public."""
    today = timezone.localdate()
    return with_public_since(public_vendors_only()).annotate(
        last_retirement=Max("ip_ranges__retired_on", filter=Q(ip_ranges__retired_on__lte=today)),
        last_address_retirement=_last_dated(SenderAddress, "retired_on", today),
        last_domain_retirement=_last_dated(SenderDomain, "retired_on", today),
        # An addition announced for a day now come changes the lists as a retirement does.
        last_addition=Max("ip_ranges__added_on", filter=Q(ip_ranges__added_on__lte=today)),
        last_address_addition=_last_dated(SenderAddress, "added_on", today),
        last_domain_addition=_last_dated(SenderDomain, "added_on", today),
    )


def load_vendor(slug: str) -> Vendor:
    """The vendor with that slug (one query), or Http404."""
    return get_object_or_404(vendors_with_retirements(), slug=slug)


def facts_changed_at(vendor: Vendor) -> dt.datetime:
    """When the vendor's published facts last changed: an edit, an announced addition or a
    retirement taking effect, or the vendor becoming public."""
    changed = vendor.facts_changed_at
    public_since = getattr(vendor, "public_since", None)
    if public_since is not None:
        changed = max(changed, public_since)
    dated = max(filter(None, (getattr(vendor, name, None) for name in DATED_ANNOTATIONS)), default=None)
    if dated is not None:
        midnight = dt.datetime.combine(dated, dt.time.min, tzinfo=timezone.get_current_timezone())
        changed = max(changed, midnight)
    return changed


def well_formed(ranges: Iterable[IPRange]) -> list[IPRange]:
    """The ranges whose stored text is a network, in the order given."""
    kept = []
    for ip_range in ranges:
        try:
            ipaddress.ip_network(ip_range.network)
        except (TypeError, ValueError):
            continue
        kept.append(ip_range)
    return kept


def listed(ip_range: IPRange, vendor_slug: str) -> ListedRange:
    """A stored range as the downloads list it."""
    return ListedRange(
        vendor=vendor_slug,
        network=ip_range.ip_network,
        tier=ip_range.tier,
        note=ip_range.public_note,  # the staff note is never published
        added_on=ip_range.added_on,
    )


def build_facts(
    vendor: Vendor,
    *,
    addresses: Sequence[SenderAddress] = (),
    domains: Sequence[SenderDomain] = (),
    ranges: Sequence[IPRange] = (),
) -> Facts:
    """The plain facts every writer takes, from objects already loaded."""
    return Facts(
        id=vendor.pk,
        slug=vendor.slug,
        name=vendor.name,
        website=vendor.website,
        changed_at=facts_changed_at(vendor),
        addresses=tuple(Sender(a.address, a.used_for) for a in addresses),
        domains=tuple(d.domain for d in domains),
        ranges=tuple(listed(r, vendor.slug) for r in ranges),
    )


@dataclass(frozen=True)
class Loaded:
    """A vendor's facts as plain data, and the model objects they came from (for pages)."""

    facts: Facts
    addresses: list[SenderAddress]
    domains: list[SenderDomain]
    ranges: list[IPRange]


def load_facts(
    vendor: Vendor, *, addresses: bool = False, domains: bool = False, ranges: bool = False
) -> Loaded:
    """One query for each kind of fact asked for."""
    address_list = list(vendor.sender_addresses.active()) if addresses else []
    domain_list = list(vendor.sender_domains.active()) if domains else []
    range_list = well_formed(vendor.ip_ranges.active()) if ranges else []
    facts = build_facts(vendor, addresses=address_list, domains=domain_list, ranges=range_list)
    return Loaded(facts, address_list, domain_list, range_list)


def load_all_ranges() -> tuple[list[ListedRange], dt.datetime]:
    """Every vendor's ranges in force, and when any of them last changed: two queries."""
    vendors = {vendor.pk: vendor for vendor in vendors_with_retirements()}
    ranges = [
        listed(ip_range, vendors[ip_range.vendor_id].slug)
        for ip_range in well_formed(IPRange.objects.active().filter(vendor__in=list(vendors)))
    ]
    changed = max((facts_changed_at(vendor) for vendor in vendors.values()), default=EPOCH)
    return ranges, changed
