"""The changes API: ``/api/changes`` and ``/api/vendors/<vendor>/changes``, with ``?since=<syncToken>``.

Every addition and removal (of an IP range, a sender address or a sender
domain) since the range list that ``since`` names, oldest first, upcoming ones
flagged, and the current ``sync_token``; without ``since``, every change on
record. How a token is resolved, and why one is refused, is in
``downloads.changes_since``. Five queries, whatever the number of facts.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from articles.api.shapes import change_shape
from articles.api.views import _error, _json, _unknown_vendor, _vendor_or_none
from articles.content.visibility import public_vendors_only
from articles.downloads import changes_since
from articles.downloads.http import read_only
from articles.facts.changelog import changes
from articles.facts.models import Vendor


def _answer(request: HttpRequest, vendors: dict[int, Vendor], *, full_list: str, vendor: str | None):
    today = timezone.localdate()
    found = changes(vendors)
    history = changes_since.TokenHistory(changes_since.dated_ranges(vendors), vendors)
    since = request.GET.get("since")
    state = None
    if since is not None:
        try:
            states = changes_since.list_states(history, found, today)
            state = changes_since.resolve(since, states, full_list=full_list, today=today)
        except changes_since.SinceError as error:
            return _error(
                request, status=error.status, code=error.code, parameter="since", message=str(error)
            )
    listed = changes_since.changes_after(found, state)
    return _json(
        request,
        {
            "vendor": vendor,
            "since": since,
            "since_date": state.first_day.isoformat() if state else None,
            "sync_token": history.token_on(today),
            "full_list": full_list,
            "changes": [
                change_shape(change, vendors[change.vendor_id].slug, today=today) for change in listed
            ],
        },
    )


@read_only
def all_changes(request: HttpRequest) -> HttpResponse:
    vendors = {vendor.pk: vendor for vendor in public_vendors_only()}
    return _answer(request, vendors, full_list=reverse("articles:all_allowlist_json"), vendor=None)


@read_only
def vendor_changes(request: HttpRequest, vendor: str) -> HttpResponse:
    vendor_obj = _vendor_or_none(public_vendors_only(), vendor)
    if vendor_obj is None:
        query = request.META.get("QUERY_STRING", "")
        return _unknown_vendor(request, vendor, "/changes" + (f"?{query}" if query else ""))
    return _answer(
        request,
        {vendor_obj.pk: vendor_obj},
        full_list=reverse("articles:allowlist_json", args=[vendor_obj.slug]),
        vendor=vendor_obj.slug,
    )
