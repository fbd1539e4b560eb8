"""A vendor with many ranges: the vendor page summarises them; big pastes go to the worker.

Django's admin posts every row of an inline as about ten fields, and refuses
a request of more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` (1,000) with a bare
400: a vendor page with its ranges inline stopped saving at about 135 ranges,
and at 5,000 it was 11.8 MB and took 11 s to load. So:

- a vendor with at most ``RANGE_INLINE_LIMIT`` ranges (retired ones
  included: the inline shows them) edits them inline, as before: its
  revisions, conflict merges (``locking``) and proposals (``proposals``)
  cover its ranges with the rest of the page;
- above it, the page shows a summary instead (counts by tier and state,
  links to the vendor's ranges in the IP range list, paginated, filtered and
  searched there, and to the paste tool). Ranges are then edited in that list
  (retire action, one range's page) and pasted; the page's own form, its
  merges and an editor's proposals cover the vendor's fields, addresses and
  domains. A form loaded below the limit and posted above it is refused
  anyway: adding ranges moved the vendor's edit version (``locking``);
- a paste of more than ``range_pastes.BACKGROUND_LINES`` lines is checked in
  the request (well under a second for 10,000 lines) and, if every line is
  accepted, saved by the worker; the progress page follows it.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from articles.facts.models import IPRange, Vendor
from articles.services.models import RangePaste

#: Above this many ranges (retired ones included) a vendor's page summarises them instead of
#: listing them inline: 50 rows are about 500 fields, half of Django's limit.
RANGE_INLINE_LIMIT = 50

#: Verdicts listed one by one on the paste tool's check; beyond, only lines that need a look.
SHOWN_VERDICTS = 500


def ranges_in_own_list(vendor: Vendor | None) -> bool:
    """Whether the vendor's ranges are edited in the IP range list rather than on its page."""
    if vendor is None or vendor.pk is None:
        return False
    rows = getattr(vendor, "range_rows", None)  # the vendor admin's queryset annotates it
    if rows is None:
        rows = vendor.range_rows = vendor.ip_ranges.count()
    return rows > RANGE_INLINE_LIMIT


def range_list_url(vendor: Vendor, **filters: str) -> str:
    return (
        reverse("admin:articles_iprange_changelist")
        + "?"
        + urlencode({"vendor__id__exact": vendor.pk, **filters})
    )


def range_summary(vendor: Vendor, *, can_paste: bool) -> str:
    """The vendor page's summary of its ranges, with links: one query."""
    today = timezone.localdate()
    listed = Q(added_on__lte=today) & (Q(retired_on__isnull=True) | Q(retired_on__gt=today))
    counts = {
        row["tier"]: row
        for row in vendor.ip_ranges.order_by()
        .values("tier")
        .annotate(
            published=Count("pk", filter=listed),
            announced=Count("pk", filter=Q(added_on__gt=today, retired_on__isnull=True)),
            retiring=Count("pk", filter=listed & Q(retired_on__isnull=False)),
            retired=Count("pk", filter=Q(retired_on__lte=today)),
        )
    }
    tiers = [
        {
            "label": label,
            "url": range_list_url(vendor, tier__exact=tier),
            **{
                key: counts.get(tier, {}).get(key, 0)
                for key in ("published", "announced", "retiring", "retired")
            },
        }
        for tier, label in IPRange.Tier.choices
    ]
    return render_to_string(
        "admin/articles/vendor/range_summary.html",
        {
            "vendor": vendor,
            "tiers": tiers,
            "total": sum(counts.get(tier, {}).get("published", 0) for tier in IPRange.Tier.values),
            "all_url": range_list_url(vendor),
            "published_url": range_list_url(vendor, retired="no"),
            "retired_url": range_list_url(vendor, retired="yes"),
            "paste_url": reverse("admin:articles_vendor_paste_ranges", args=[vendor.pk]) if can_paste else "",
            "limit": RANGE_INLINE_LIMIT,
        },
    )


def shown_verdicts(check) -> tuple[list, int]:
    """The check's lines to list, and how many plainly accepted lines are left out of the list."""
    if len(check.lines) <= SHOWN_VERDICTS:
        return check.lines, 0
    worth_a_look = [line for line in check.lines if line.status != "accepted" or line.overlaps]
    shown = worth_a_look[:SHOWN_VERDICTS]
    return shown, len(check.lines) - len(shown)


class FollowsRangePastes:
    """VendorAdmin's progress and result page of a paste saved by the worker."""

    def start_range_paste(self, request: HttpRequest, vendor: Vendor, form) -> HttpResponse:
        # Below the admin in the layers, the task is imported where it is enqueued.
        from articles.services.range_pastes import range_paste_start
        from articles.tasks.range_pastes import save_range_paste

        paste = range_paste_start(
            vendor=vendor,
            text=form.cleaned_data["text"],
            tier=form.cleaned_data["tier"],
            public_note=form.cleaned_data["public_note"],
            staff_note=form.cleaned_data["staff_note"],
            user=request.user,
        )
        transaction.on_commit(lambda: save_range_paste(paste.pk))
        return redirect("admin:articles_vendor_range_paste", vendor.pk, paste.pk)

    def range_paste_view(self, request: HttpRequest, object_id: str, paste_id: int) -> HttpResponse:
        """Where a paste saved by the worker stands; with ``?status``, the same as JSON for the poller."""
        vendor = self.get_object(request, unquote(object_id))
        if vendor is None:
            raise Http404
        if not self.can_paste_ranges(request, vendor):
            raise PermissionDenied
        paste = RangePaste.objects.filter(pk=paste_id, vendor=vendor).first()
        if paste is None:
            raise Http404
        if "status" in request.GET:
            return JsonResponse(
                {
                    "state": paste.state,
                    "label": paste.get_state_display(),
                    "percent": paste.percent,
                    "finished": paste.finished,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Pasted ranges for {vendor}: {paste.get_state_display().lower()}",
            "opts": self.opts,
            "original": vendor,
            "vendor": vendor,
            "paste": paste,
            "range_list_url": range_list_url(vendor),
        }
        return TemplateResponse(request, "admin/articles/vendor/range_paste.html", context)
