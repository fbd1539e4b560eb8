"""Vendors with their sender addresses, domains and IP ranges; the list of ranges.

Facts are retired, not deleted: a retired range, address or domain stays on
record with its retirement date and leaves the published lists from that day,
and each row shows its trace (who added, changed and retired it, from the
revisions). A vendor readers can see offers no way to delete its facts; a
draft vendor's may be deleted as mistakes. Pasting many
ranges at once has a view of its own; a vendor with many ranges, and a big
paste, are handled as ``big_vendors.py`` says.
"""

from __future__ import annotations

import reversion
from django import forms
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
from articles.admin.big_vendors import (
    FollowsRangePastes,
    range_summary,
    ranges_in_own_list,
    shown_verdicts,
)
from articles.admin.common import (
    FindsCoveringRanges,
    RecordsChanges,
    StepListLinksInline,
    TextareaWidget,
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
from articles.content.visibility import public_vendors_only
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.facts.ranges import ADDED, describe_overlaps
from articles.facts.selectors import domains_of_other_vendors, listed_networks
from articles.facts.senders import lookalike_warnings
from articles.revisions.trace import History, format_day, traces, vendor_history
from articles.services import changes
from articles.services import ranges as services
from articles.services.range_pastes import BACKGROUND_LINES, count_lines, log_message

# Vendors and their facts ------------------------------------------------------------------


def vendor_is_public(vendor: Vendor | None) -> bool:
    """Whether readers see the vendor (``content.visibility``): then its facts are retired, not deleted.

    The vendor admin's queryset annotates ``public``; a vendor loaded elsewhere costs one query.
    """
    if vendor is None or vendor.pk is None:
        return False
    public = getattr(vendor, "public", None)
    if public is None:
        public = vendor.public = public_vendors_only(Vendor.objects.filter(pk=vendor.pk)).exists()
    return public


class DateOrToday(forms.DateField):
    """A date that, left empty, is today: a new address or domain is added on the day it is saved."""

    def to_python(self, value):
        return super().to_python(value) or timezone.localdate()


class FactInline(admin.TabularInline):
    """A vendor's facts of one kind, each with its trace (``revisions.trace``).

    A vendor readers can see has published its facts: a row can be retired,
    not deleted, so nothing they were told disappears without a dated trace.
    A draft vendor's rows were never published and may be deleted as mistakes.
    """

    extra = 1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Inline instances live for one request, so these caches do too.
        self._histories: dict[int, History] = {}
        self._history_models: tuple[type, ...] = (self.model,)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not vendor_is_public(obj) and super().has_delete_permission(request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "added_on" and self.model is not IPRange:
            field = DateOrToday(
                required=False,
                label=field.label,
                widget=field.widget,
                initial=field.initial,
                show_hidden_initial=field.show_hidden_initial,
                help_text="Left empty: today.",
            )
        return field

    @admin.display(description="History")
    def history(self, obj) -> str:
        if obj.pk is None:
            return ""
        if obj.vendor_id not in self._histories:
            # Two queries for all three tables of the page, however many rows
            # (the vendor admin gives its fact inlines one cache).
            self._histories[obj.vendor_id] = vendor_history(obj.vendor_id, models=self._history_models)
        return str(self._histories[obj.vendor_id].trace(obj))


class SenderAddressInline(FactInline):
    model = SenderAddress
    formset = SenderAddressFormSet
    fields = ["address", "used_for", "position", "added_on", "retired_on", "history"]
    readonly_fields = ["history"]
    ordering = ["position", "pk"]


class SenderDomainInline(FactInline):
    model = SenderDomain
    formset = SenderDomainFormSet
    fields = ["domain", "readers_see", "added_on", "retired_on", "history"]
    readonly_fields = ["readers_see", "history"]
    ordering = ["domain"]

    @admin.display(description="Readers see")
    def readers_see(self, obj: SenderDomain) -> str:
        return obj.display_name if obj.pk else ""


class IPRangeInline(FactInline):
    model = IPRange
    form = IPRangeInlineForm
    formset = IPRangeFormSet
    template = "admin/articles/vendor/ip_range_inline.html"
    fields = ["network", "tier", "public_note", "staff_note", "added_on", "retired_on", "overlaps", "history"]
    readonly_fields = ["overlaps", "history"]
    # In address order, so that a range and the ranges inside it sit together.
    ordering = ["version", "start", "prefixlen"]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        # Retiring takes a range out of the published lists: a Publisher's decision (admin/roles.py).
        return readonly if roles.can_retire(request.user) else [*readonly, "retired_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._overlaps_by_vendor: dict[int, dict] = {}

    @admin.display(description="Overlaps")
    def overlaps(self, obj: IPRange) -> str:
        if obj.pk is None:
            return ""
        if obj.is_retired:
            return "retired"
        if obj.vendor_id not in self._overlaps_by_vendor:
            # One query for the whole table, however many rows it has.
            self._overlaps_by_vendor[obj.vendor_id] = describe_overlaps(listed_networks(obj.vendor_id))
        overlaps = self._overlaps_by_vendor[obj.vendor_id].get(obj.ip_network, "")
        if obj.added_later:
            return "; ".join(filter(None, [f"Not yet, listed from {format_day(obj.added_on)}", overlaps]))
        if obj.retires_later:
            return "; ".join(filter(None, [f"retires on {format_day(obj.retired_on)}", overlaps]))
        return overlaps


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
    FollowsRangePastes,
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
    fieldsets = [
        (None, {"fields": ["name", "slug", "website", "description", "facts_changed_at"]}),
        (
            "Support (“Still stuck?” on every article)",
            {
                "fields": ["support_email", "support_url", "support_hours"],
                "description": "Where readers can ask for help. Left empty, articles name no one of the vendor's.",
            },
        ),
        ("No longer supported", {"fields": ["unsupported", "unsupported_note"]}),
    ]
    inlines = [SenderAddressInline, SenderDomainInline, IPRangeInline, VendorStepListInline]
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.TextField: {"widget": TextareaWidget},
    }

    def get_inlines(self, request, obj):
        # A big vendor's ranges are edited in their own list (big_vendors.py): its page summarises them.
        if ranges_in_own_list(obj):
            return [inline for inline in self.inlines if inline is not IPRangeInline]
        return self.inlines

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        # One history for the page's fact tables, loaded by the first row that shows it, and only
        # of the tables shown: a big vendor's thousands of ranges have theirs in the range list.
        shared: dict[int, History] = {}
        models = tuple(inline.model for inline in inlines if isinstance(inline, FactInline))
        for inline in inlines:
            if isinstance(inline, FactInline):
                inline._histories = shared
                inline._history_models = models
        return inlines

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                address_total=count_per_vendor(SenderAddress.objects.active()),
                domain_total=count_per_vendor(SenderDomain.objects.active()),
                range_total=count_per_vendor(IPRange.objects.active()),
                range_rows=count_per_vendor(IPRange.objects.all()),
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

    @admin.display(description="Sender addresses listed", ordering="address_total")
    def address_count(self, obj: Vendor) -> int:
        return obj.address_total

    @admin.display(description="Sender domains listed", ordering="domain_total")
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
            path(
                "<path:object_id>/ranges/paste/<int:paste_id>/",
                self.admin_site.admin_view(self.range_paste_view),
                name="articles_vendor_range_paste",
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
        if ranges_in_own_list(obj):
            context["range_summary"] = range_summary(obj, can_paste=context["can_paste_ranges"])
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
            if "_save" in request.POST and count_lines(text) > BACKGROUND_LINES:
                # Checked here (under a second for 10,000 lines), saved by the worker (big_vendors.py).
                check = services.vendor_ranges_check(vendor=vendor, text=text)
                if check.ok:
                    return self.start_range_paste(request, vendor, form)
            elif "_save" in request.POST:
                with changes.recording():
                    reversion.set_user(request.user)
                    verdicts = services.vendor_ranges_add(
                        vendor=vendor,
                        text=text,
                        tier=form.cleaned_data["tier"],
                        public_note=form.cleaned_data["public_note"],
                        staff_note=form.cleaned_data["staff_note"],
                    )
                    if all(verdict.ok for verdict in verdicts):
                        return self._ranges_saved(request, vendor, verdicts)
            if "_save" in request.POST:
                self.message_user(
                    request,
                    "Nothing was saved: some lines are not IP ranges a vendor can publish (see below). "
                    "Correct or remove them, then save again.",
                    messages.ERROR,
                )
            check = check or services.vendor_ranges_check(vendor=vendor, text=text)
        shown, not_shown = shown_verdicts(check) if check else ([], 0)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Paste many IP ranges for {vendor}",
            "opts": self.opts,
            "original": vendor,
            "vendor": vendor,
            "form": form,
            "check": check,
            "shown_lines": shown,
            "lines_not_shown": not_shown,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/articles/vendor/paste_ranges.html", context)

    def _ranges_saved(self, request: HttpRequest, vendor: Vendor, verdicts) -> HttpResponseRedirect:
        added = [v.network.with_prefixlen for v in verdicts if v.status in ADDED]
        skipped = sum(1 for v in verdicts if v.status == "duplicate")
        if added:
            # In words, the first few networks named: one entry per range made 10,000-line messages.
            self.log_change(request, vendor, log_message(verdicts))
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
        return [
            ("no", "In the published lists"),
            ("later", "Listed, retires on a later day"),
            ("yes", "Retired"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "no":
            return queryset.active()
        if self.value() == "later":
            return queryset.filter(retired_on__gt=today)
        if self.value() == "yes":
            return queryset.filter(retired_on__lte=today)
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
                    "A range of a vendor readers can see cannot be deleted; delete one only if it "
                    "was entered by mistake for a draft vendor."
                ),
            },
        )
    ]

    def get_queryset(self, request):
        # Whether readers see the range's vendor decides whether it may be deleted.
        return (
            super()
            .get_queryset(request)
            .annotate(vendor_public=Exists(Article.objects.public().filter(vendor=OuterRef("vendor"))))
        )

    def get_readonly_fields(self, request, obj=None):
        # A saved range is history: to change it, retire it and add the new one.
        readonly = ["vendor", "network", "history"] if obj is not None else []
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, ("History", {"fields": ["history"]})]

    def has_delete_permission(self, request, obj=None) -> bool:
        # A range readers were given is retired, not deleted: it keeps its dated trace.
        if obj is not None and self._published(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    @staticmethod
    def _published(request: HttpRequest, ip_range: IPRange) -> bool:
        public = getattr(ip_range, "vendor_public", None)
        if public is not None:
            return public
        # A range not loaded by this admin (a vendor's delete page lists each of its
        # ranges): one query per vendor and request, however many ranges it has.
        known = request.__dict__.setdefault("_public_vendor_ids", {})
        if ip_range.vendor_id not in known:
            vendors = public_vendors_only(Vendor.objects.filter(pk=ip_range.vendor_id))
            known[ip_range.vendor_id] = vendors.exists()
        return known[ip_range.vendor_id]

    def delete_view(self, request, object_id, extra_context=None):
        ip_range = self.get_object(request, unquote(object_id))
        if ip_range is not None and self._published(request, ip_range):
            raise PermissionDenied(
                f"{ip_range} is in {ip_range.vendor}'s published lists and cannot be deleted; "
                "retire it instead (give it a retirement date)."
            )
        return super().delete_view(request, object_id, extra_context)

    @admin.display(description="History")
    def history(self, obj: IPRange) -> str:
        return str(traces(IPRange, [obj])[obj.pk])

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="In the published lists", ordering="retired_on")
    def is_published(self, obj: IPRange) -> str:
        if obj.added_later:
            return f"Not yet, listed from {format_day(obj.added_on)}"
        if obj.retires_later:
            return f"Yes, retires on {format_day(obj.retired_on)}"
        return "Yes" if obj.is_active else "No, retired"

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
