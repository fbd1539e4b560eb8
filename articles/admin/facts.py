"""Vendors with their sender addresses, domains and IP ranges; the list of ranges.

Ranges are retired, not deleted: a retired range stays on record with its
retirement date and leaves the published lists from that day. Pasting many
ranges at once has a view of its own (``ranges_paste.py``).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from articles.admin import roles
from articles.admin.common import (
    FindsCoveringRanges,
    RecordsChanges,
    StepListLinksInline,
    count_per_vendor,
)
from articles.admin.forms import (
    IPRangeFormSet,
    IPRangeInlineForm,
    PasteRangesForm,
    SenderAddressFormSet,
    SenderDomainFormSet,
)
from articles.admin.history import RevisionHistory
from articles.admin.locking import RefusesStaleEdits
from articles.admin.proposals import ProposesFactChanges
from articles.content.models import Article
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.facts.ranges import ADDED, describe_overlaps
from articles.facts.selectors import domains_of_other_vendors, listed_networks
from articles.facts.senders import lookalike_warnings
from articles.services import ranges as services

# Vendors and their facts ------------------------------------------------------------------


class SenderAddressInline(admin.TabularInline):
    model = SenderAddress
    formset = SenderAddressFormSet
    fields = ["address", "used_for", "position"]
    ordering = ["position", "pk"]
    extra = 1


class SenderDomainInline(admin.TabularInline):
    model = SenderDomain
    formset = SenderDomainFormSet
    fields = ["domain", "readers_see"]
    readonly_fields = ["readers_see"]
    ordering = ["domain"]
    extra = 1

    @admin.display(description="Readers see")
    def readers_see(self, obj: SenderDomain) -> str:
        return obj.display_name if obj.pk else ""


class IPRangeInline(admin.TabularInline):
    model = IPRange
    form = IPRangeInlineForm
    formset = IPRangeFormSet
    template = "admin/articles/vendor/ip_range_inline.html"
    fields = ["network", "tier", "public_note", "staff_note", "added_on", "retired_on", "overlaps"]
    readonly_fields = ["overlaps"]
    # In address order, so that a range and the ranges inside it sit together.
    ordering = ["version", "start", "prefixlen"]
    extra = 1
    # Retiring is the way out of the published lists; a range disappears only
    # through its own delete page, on purpose.
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        # Retiring takes a range out of the published lists: a Publisher's decision (admin/roles.py).
        return readonly if roles.can_retire(request.user) else [*readonly, "retired_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Inline instances live for one request, so this cache does too.
        self._overlaps_by_vendor: dict[int, dict] = {}

    @admin.display(description="Overlaps")
    def overlaps(self, obj: IPRange) -> str:
        if obj.pk is None:
            return ""
        if not obj.is_active:
            return "retired"
        if obj.vendor_id not in self._overlaps_by_vendor:
            # One query for the whole table, however many rows it has.
            self._overlaps_by_vendor[obj.vendor_id] = describe_overlaps(listed_networks(obj.vendor_id))
        return self._overlaps_by_vendor[obj.vendor_id].get(obj.ip_network, "")


class VendorStepListInline(StepListLinksInline):
    """A vendor's own steps, one row per mail client."""

    fields = ["mail_client", "step_count"]
    readonly_fields = ["mail_client", "step_count"]
    verbose_name = "own steps for a mail client"
    verbose_name_plural = "Own steps for mail clients (they replace the generic steps)"


@admin.register(Vendor)
class VendorAdmin(
    RevisionHistory,
    RecordsChanges,
    RefusesStaleEdits,
    ProposesFactChanges,
    FindsCoveringRanges,
    admin.ModelAdmin,
):
    covering_field = "vendor"
    list_display = [
        "name",
        "slug",
        "is_public",
        "address_count",
        "domain_count",
        "range_count",
        "article_count",
    ]
    search_fields = ["name", "slug", "sender_addresses__address", "sender_domains__domain"]
    search_help_text = "A name, a sender address or domain, or an IP address to find who sends from it."
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["facts_changed_at"]
    fields = ["name", "slug", "website", "description", "facts_changed_at"]
    inlines = [SenderAddressInline, SenderDomainInline, IPRangeInline, VendorStepListInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                address_total=count_per_vendor(SenderAddress.objects.all()),
                domain_total=count_per_vendor(SenderDomain.objects.all()),
                range_total=count_per_vendor(IPRange.objects.active()),
                article_total=count_per_vendor(Article.objects.all()),
                public=Exists(Article.objects.public().filter(vendor=OuterRef("pk"))),
            )
        )

    @admin.display(
        description="Public",
        boolean=True,
        ordering="public",
    )
    def is_public(self, obj: Vendor) -> bool:
        """Readers see a vendor once it has a public article (``content.visibility``); until then it is a draft."""
        return obj.public

    @admin.display(description="Sender addresses", ordering="address_total")
    def address_count(self, obj: Vendor) -> int:
        return obj.address_total

    @admin.display(description="Sender domains", ordering="domain_total")
    def domain_count(self, obj: Vendor) -> int:
        return obj.domain_total

    @admin.display(description="IP ranges published", ordering="range_total")
    def range_count(self, obj: Vendor) -> int:
        return obj.range_total

    @admin.display(description="Articles", ordering="article_total")
    def article_count(self, obj: Vendor) -> int:
        return obj.article_total

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model in (SenderAddress, SenderDomain):
            self._warn_of_lookalikes(request, form.instance, formset)

    def _warn_of_lookalikes(self, request: HttpRequest, vendor: Vendor, formset) -> None:
        """A domain (or an address's domain) just saved that may be a look-alike is saved, with a warning."""
        field = "address" if formset.model is SenderAddress else "domain"
        saved = [*formset.new_objects, *(obj for obj, fields in formset.changed_objects if field in fields)]
        if not saved:
            return
        others = domains_of_other_vendors(vendor)
        for domain in dict.fromkeys(obj.domain for obj in saved):
            for warning in lookalike_warnings(domain, others):
                self.message_user(request, f"Saved, but please check: {warning}", messages.WARNING)

    def get_urls(self):
        # Before the default URLs, whose "<object_id>/" pattern would claim this path.
        return [
            *self.proposal_urls(),
            path(
                "<path:object_id>/ranges/paste/",
                self.admin_site.admin_view(self.paste_ranges_view),
                name="articles_vendor_paste_ranges",
            ),
            *super().get_urls(),
        ]

    def has_change_permission(self, request, obj=None) -> bool:
        # A public vendor's facts are what readers see (admin/roles.py): an editor's save of its
        # change form is kept as a proposal (admin/proposals.py); any other POST of theirs is refused.
        return super().has_change_permission(request, obj) and (
            roles.may_post_change(request, obj) or self.proposes(request)
        )

    def can_paste_ranges(self, request: HttpRequest, vendor: Vendor) -> bool:
        """Adding ranges: to a draft vendor with add_iprange; to a public one, also change_published_facts."""
        return (
            self.has_change_permission(request, vendor)
            and request.user.has_perm(f"{IPRange._meta.app_label}.add_iprange")
            and roles.may_apply_directly(request, vendor)
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_paste_ranges"] = obj is not None and self.can_paste_ranges(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def paste_ranges_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Paste many ranges: "Check" shows a verdict per line, "Save" adds them all or none."""
        vendor = self.get_object(request, unquote(object_id))
        if vendor is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.can_paste_ranges(request, vendor):
            raise PermissionDenied
        form = PasteRangesForm(request.POST if request.method == "POST" else None)
        check = None
        if form.is_bound and form.is_valid():
            text = form.cleaned_data["text"]
            if "_save" in request.POST:
                verdicts = services.vendor_ranges_add(
                    vendor=vendor,
                    text=text,
                    tier=form.cleaned_data["tier"],
                    public_note=form.cleaned_data["public_note"],
                    staff_note=form.cleaned_data["staff_note"],
                )
                if all(verdict.ok for verdict in verdicts):
                    return self._ranges_saved(request, vendor, verdicts)
                self.message_user(
                    request,
                    "Nothing was saved: some lines are not IP ranges a vendor can publish (see below). "
                    "Correct or remove them, then save again.",
                    messages.ERROR,
                )
            check = services.vendor_ranges_check(vendor=vendor, text=text)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Paste many IP ranges for {vendor}",
            "opts": self.opts,
            "original": vendor,
            "vendor": vendor,
            "form": form,
            "check": check,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/articles/vendor/paste_ranges.html", context)

    def _ranges_saved(self, request: HttpRequest, vendor: Vendor, verdicts) -> HttpResponseRedirect:
        added = [v.network.with_prefixlen for v in verdicts if v.status in ADDED]
        skipped = sum(1 for v in verdicts if v.status == "duplicate")
        if added:
            self.log_change(
                request,
                vendor,
                [
                    {"added": {"name": str(IPRange._meta.verbose_name), "object": network}}
                    for network in added
                ],
            )
            message = f"Added {len(added)} IP range{'s' if len(added) != 1 else ''} to {vendor}"
            message += f"; {skipped} duplicate line{'s' if skipped != 1 else ''} skipped." if skipped else "."
            self.message_user(request, message, messages.SUCCESS)
        else:
            self.message_user(
                request, f"Nothing to add: every line is already listed for {vendor}.", messages.WARNING
            )
        url = reverse("admin:articles_vendor_change", args=[vendor.pk])
        return HttpResponseRedirect(f"{url}#ip_ranges-group")


class RetiredFilter(admin.SimpleListFilter):
    title = "published"
    parameter_name = "retired"

    def lookups(self, request, model_admin):
        return [("no", "In the published lists"), ("yes", "Retired")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.active()
        if self.value() == "yes":
            return queryset.filter(retired_on__lte=timezone.localdate())
        return queryset


@admin.register(IPRange)
class IPRangeAdmin(RecordsChanges, RefusesStaleEdits, FindsCoveringRanges, admin.ModelAdmin):
    list_display = [
        "network",
        "vendor",
        "tier",
        "version",
        "public_note",
        "staff_note",
        "added_on",
        "retired_on",
        "is_published",
    ]
    list_filter = ["vendor", "tier", "version", RetiredFilter]
    search_fields = ["network", "public_note", "staff_note", "vendor__name"]
    search_help_text = "A range, a note or a vendor; an IP address also finds the ranges that contain it."
    list_select_related = ["vendor"]
    autocomplete_fields = ["vendor"]
    actions = ["retire_today"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "vendor",
                    "network",
                    "tier",
                    "public_note",
                    "staff_note",
                    "added_on",
                    "retired_on",
                ],
                "description": (
                    "To take a range out of the published lists, give it a retirement date (or use "
                    "“Retire selected ranges today” on the list of ranges): it is kept for the record. "
                    "Delete a range only if it was entered by mistake."
                ),
            },
        )
    ]

    def get_readonly_fields(self, request, obj=None):
        # A saved range is history: to change it, retire it and add the new one.
        readonly = ["vendor", "network"] if obj is not None else []
        # Retiring takes a range out of the published lists: a Publisher's decision (admin/roles.py).
        return readonly if roles.can_retire(request.user) else [*readonly, "retired_on"]

    def has_add_permission(self, request) -> bool:
        # A new range for a public vendor is a change readers see: the vendor posted decides.
        vendor_id = request.POST.get("vendor", "") if request.method == "POST" else ""
        new_range = IPRange(vendor_id=int(vendor_id) if vendor_id.isdigit() else None)
        return super().has_add_permission(request) and roles.may_post_change(request, new_range)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and roles.may_post_change(request, obj)

    def has_retire_permission(self, request: HttpRequest) -> bool:
        return roles.can_retire(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="In the published lists", boolean=True)
    def is_published(self, obj: IPRange) -> bool:
        return obj.is_active

    @admin.action(description="Retire selected ranges today", permissions=["retire"])
    def retire_today(self, request: HttpRequest, queryset) -> None:
        retired = services.ip_ranges_retire(ranges=queryset.select_related("vendor"))
        for ip_range in retired:
            self.log_change(request, ip_range, [{"changed": {"fields": ["retired on"]}}])
        if retired:
            self.message_user(
                request,
                f"Retired {len(retired)} range{'s' if len(retired) != 1 else ''} as of today. "
                "They are kept for the record and have left the published lists.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, "Those ranges were already retired; nothing changed.", messages.WARNING
            )
