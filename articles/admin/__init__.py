"""The admin where support staff keep the facts, the steps and the articles.

Declarative first, in the manner of Django's contrib apps. Custom views only
where a task needs one: pasting many ranges with a verdict per line, and
previewing an article as readers will see it. Every Markdown field, inlines
included, gets django-markdownx's live preview, rendered by our own
sanitising renderer at a staff-only URL (see helpcenter/urls.py).

Ranges are retired, not deleted: a retired range stays on record with its
retirement date and leaves the published lists from that day.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from articles.admin.forms import (
    IPRangeFormSet,
    IPRangeInlineForm,
    PasteRangesForm,
    PositionedFormSet,
    SenderAddressFormSet,
    SenderDomainFormSet,
)
from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.content.placeholders import PLACEHOLDERS
from articles.facts import networks
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.services import ranges as services
from articles.views import render_article

admin.site.site_header = "Safelist Help Center"
admin.site.site_title = "Safelist Help Center admin"
admin.site.index_title = "Facts, steps and articles"

#: Every Markdown field gets the live preview: model admins and inlines alike.
MARKDOWN_WIDGETS = {MarkdownxField: {"widget": AdminMarkdownxWidget}}

#: Starts the live preview on Markdown rows added with "Add another".
MARKDOWN_INLINE_JS = ["js/admin-markdown-inlines.js"]

PLACEHOLDER_HELP = format_html(
    "Placeholders insert the vendor's current facts: {}. The preview fills them with example facts.",
    format_html_join(", ", "<code>{{{{ {} }}}}</code> ({})", PLACEHOLDERS.items()),
)


def _count_per_vendor(queryset) -> Coalesce:
    """A correlated subquery counting ``queryset``'s rows per vendor.

    Several counts as joins would multiply one another's rows; subqueries
    keep the vendor list one query however many facts each vendor has.
    """
    counted = (
        queryset.filter(vendor=OuterRef("pk")).order_by().values("vendor").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted), 0)


def _covering(search_term: str):
    """The ranges that cover an IP address or range typed into a search box, or None."""
    network = networks.parse_query_address(search_term)
    if network is None:
        return None
    return IPRange.objects.covering_network(network)


# Step lists, shown on their own and linked from vendors and mail clients ----------------------


class StepListColumns:
    """Whose a step list is and how many steps it has: in its own list and in the inlines linking to it."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(step_total=Count("steps"))

    @admin.display(description="Whose steps", ordering="vendor__name")
    def owner(self, obj: StepList) -> str:
        return obj.vendor.name if obj.vendor_id else "Generic (every vendor)"

    @admin.display(description="Steps", ordering="step_total")
    def step_count(self, obj: StepList) -> int:
        return obj.step_total


class StepListLinksInline(StepListColumns, admin.TabularInline):
    """Step lists as links, read only: steps are edited on the step list's page."""

    model = StepList
    show_change_link = True
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        # Each row's title names the mail client and the vendor.
        return super().get_queryset(request).select_related("mail_client", "vendor")


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
    fields = ["network", "tier", "note", "added_on", "retired_on", "overlaps"]
    readonly_fields = ["overlaps"]
    # In address order, so that a range and the ranges inside it sit together.
    ordering = ["version", "start", "prefixlen"]
    extra = 1
    # Retiring is the way out of the published lists; a range disappears only
    # through its own delete page, on purpose.
    can_delete = False

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
            self._overlaps_by_vendor[obj.vendor_id] = services.describe_overlaps(
                services.listed_networks(obj.vendor_id)
            )
        return self._overlaps_by_vendor[obj.vendor_id].get(obj.ip_network, "")


class VendorStepListInline(StepListLinksInline):
    """A vendor's own steps, one row per mail client."""

    fields = ["mail_client", "step_count"]
    readonly_fields = ["mail_client", "step_count"]
    verbose_name = "own steps for a mail client"
    verbose_name_plural = "Own steps for mail clients (they replace the generic steps)"


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "address_count", "domain_count", "range_count", "article_count"]
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
                address_total=_count_per_vendor(SenderAddress.objects.all()),
                domain_total=_count_per_vendor(SenderDomain.objects.all()),
                range_total=_count_per_vendor(IPRange.objects.active()),
                article_total=_count_per_vendor(Article.objects.all()),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        covering = _covering(search_term)
        if covering is not None:
            results |= queryset.filter(pk__in=covering.values("vendor"))
        return results, may_have_duplicates

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

    def get_urls(self):
        # Before the default URLs, whose "<object_id>/" pattern would claim this path.
        return [
            path(
                "<path:object_id>/ranges/paste/",
                self.admin_site.admin_view(self.paste_ranges_view),
                name="articles_vendor_paste_ranges",
            ),
            *super().get_urls(),
        ]

    def can_paste_ranges(self, request: HttpRequest, vendor: Vendor) -> bool:
        return self.has_change_permission(request, vendor) and request.user.has_perm(
            f"{IPRange._meta.app_label}.add_iprange"
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
                    vendor=vendor, text=text, tier=form.cleaned_data["tier"], note=form.cleaned_data["note"]
                )
                if all(verdict.ok for verdict in verdicts):
                    return self._ranges_saved(request, vendor, verdicts)
                self.message_user(
                    request,
                    "Nothing was saved: some lines are not IP addresses or ranges (see below). "
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
        added = [v.network.with_prefixlen for v in verdicts if v.status in services.ADDED]
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
class IPRangeAdmin(admin.ModelAdmin):
    list_display = ["network", "vendor", "tier", "version", "note", "added_on", "retired_on", "is_published"]
    list_filter = ["vendor", "tier", "version", RetiredFilter]
    search_fields = ["network", "note", "vendor__name"]
    search_help_text = "A range, a note or a vendor; an IP address also finds the ranges that contain it."
    list_select_related = ["vendor"]
    autocomplete_fields = ["vendor"]
    actions = ["retire_today"]
    fieldsets = [
        (
            None,
            {
                "fields": ["vendor", "network", "tier", "note", "added_on", "retired_on"],
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
        return ["vendor", "network"] if obj is not None else []

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        covering = _covering(search_term)
        if covering is not None:
            results |= queryset.filter(pk__in=covering.values("pk"))
        return results, may_have_duplicates

    @admin.display(description="In the published lists", boolean=True)
    def is_published(self, obj: IPRange) -> bool:
        return obj.is_active

    @admin.action(description="Retire selected ranges today", permissions=["change"])
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


# Mail clients and their steps ---------------------------------------------------------------


class StepInline(admin.TabularInline):
    model = Step
    formset = PositionedFormSet
    fields = ["position", "text"]
    ordering = ["position", "pk"]
    extra = 1
    formfield_overrides = MARKDOWN_WIDGETS

    class Media:
        js = MARKDOWN_INLINE_JS


class OwnerFilter(admin.SimpleListFilter):
    title = "whose steps"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("generic", "Generic (every vendor)"), ("vendor", "A vendor's own")]

    def queryset(self, request, queryset):
        if self.value() == "generic":
            return queryset.filter(vendor__isnull=True)
        if self.value() == "vendor":
            return queryset.filter(vendor__isnull=False)
        return queryset


@admin.register(StepList)
class StepListAdmin(StepListColumns, admin.ModelAdmin):
    list_display = ["mail_client", "owner", "step_count", "updated_at"]
    list_filter = [OwnerFilter, "mail_client", "vendor"]
    search_fields = ["mail_client__name", "vendor__name", "intro", "steps__text"]
    list_select_related = ["mail_client", "vendor"]
    fieldsets = [(None, {"fields": ["mail_client", "vendor", "intro"], "description": PLACEHOLDER_HELP})]
    inlines = [StepInline]
    formfield_overrides = MARKDOWN_WIDGETS


class ClientStepListInline(StepListLinksInline):
    """A mail client's step lists: the generic one and vendors' own."""

    fields = ["owner", "step_count"]
    readonly_fields = ["owner", "step_count"]
    verbose_name = "step list"
    verbose_name_plural = "Step lists: the generic one, and vendors' own"


@admin.register(MailClient)
class MailClientAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "audience", "position", "generic_steps", "overridden_by"]
    list_editable = ["position"]
    list_filter = ["audience"]
    search_fields = ["name", "slug", "short_name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "short_name", "slug", "audience", "description", "position"]
    inlines = [ClientStepListInline]

    def get_queryset(self, request):
        step_lists = StepList.objects.select_related("vendor").annotate(step_total=Count("steps"))
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("step_lists", queryset=step_lists, to_attr="all_step_lists"))
        )

    @admin.display(description="Generic steps")
    def generic_steps(self, obj: MailClient) -> int | str:
        generic = [s for s in obj.all_step_lists if s.vendor_id is None]
        return generic[0].step_total if generic else "none"

    @admin.display(description="Vendors with their own steps")
    def overridden_by(self, obj: MailClient) -> str:
        return ", ".join(sorted(s.vendor.name for s in obj.all_step_lists if s.vendor_id)) or "—"


# Articles ----------------------------------------------------------------------------------


class ArticleClientInline(admin.TabularInline):
    model = ArticleClient
    formset = PositionedFormSet
    fields = ["mail_client", "position"]
    ordering = ["position", "pk"]
    extra = 1
    verbose_name_plural = "Mail client sections, in the order readers see them"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mail_client")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "mail_client":
            # Evaluated once here, every row's menu shares the list instead of
            # querying the mail clients again.
            field.choices = list(field.choices)
        return field


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "vendor", "kind", "status", "published_at", "updated_at"]
    list_filter = ["status", "kind", "vendor"]
    search_fields = ["title", "slug", "summary", "body", "vendor__name"]
    list_select_related = ["vendor"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": ["vendor", "kind", "title", "slug", "summary", "body"],
                "description": PLACEHOLDER_HELP,
            },
        ),
        ("Sections", {"fields": ["show_it_section"]}),
        ("Publishing", {"fields": ["status", "published_at", "reviewed_on", "created_at", "updated_at"]}),
    ]
    inlines = [ArticleClientInline]
    formfield_overrides = MARKDOWN_WIDGETS

    def get_urls(self):
        return [
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="articles_article_preview",
            ),
            *super().get_urls(),
        ]

    def get_view_on_site_url(self, obj=None):
        # Readers get a 404 for drafts and future articles: link only to what they can see.
        if obj is None or not obj.is_public:
            return None
        return super().get_view_on_site_url(obj)

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The article as readers will see it, whatever its status or publication time."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        response = render_article(request, article, preview=True)
        response["X-Robots-Tag"] = "noindex"
        return response


from articles.admin import search as search_admin  # noqa: E402,F401
