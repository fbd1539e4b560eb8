"""Mail clients, their step lists, and articles with their client sections and preview."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import path

from articles.admin.common import (
    MARKDOWN_INLINE_JS,
    MARKDOWN_WIDGETS,
    PLACEHOLDER_HELP,
    RecordsChanges,
    StepListColumns,
    StepListLinksInline,
)
from articles.admin.forms import (
    PositionedFormSet,
)
from articles.admin.pending import PendingChanges
from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.views import render_article

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
class StepListAdmin(RecordsChanges, StepListColumns, admin.ModelAdmin):
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
class MailClientAdmin(RecordsChanges, admin.ModelAdmin):
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
class ArticleAdmin(PendingChanges, RecordsChanges, admin.ModelAdmin):
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
        (
            "Publishing",
            {"fields": ["status", "published_at", "unpublish_at", "reviewed_on", "created_at", "updated_at"]},
        ),
    ]
    inlines = [ArticleClientInline]
    formfield_overrides = MARKDOWN_WIDGETS

    def get_urls(self):
        return [
            *self.pending_urls(),
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
