"""Mail clients, their step lists, and articles with their client sections and preview."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone

from articles.admin import review, roles
from articles.admin.common import (
    MARKDOWN_INLINE_JS,
    MARKDOWN_WIDGETS,
    PLACEHOLDER_HELP,
    LabelsDateTimes,
    RecordsChanges,
    StepListColumns,
    StepListLinksInline,
)
from articles.admin.forms import (
    PositionedFormSet,
)
from articles.admin.history import RevisionHistory
from articles.admin.locking import RefusesStaleEdits
from articles.admin.pending import PendingChanges
from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.services import changes
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
        js = [*MARKDOWN_INLINE_JS, "js/admin-ordering.js"]


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
class StepListAdmin(RevisionHistory, RecordsChanges, RefusesStaleEdits, StepListColumns, admin.ModelAdmin):
    list_display = ["mail_client", "owner", "step_count", "updated_at"]
    list_filter = [OwnerFilter, "mail_client", "vendor"]
    search_fields = ["mail_client__name", "vendor__name", "intro", "steps__text"]
    list_select_related = ["mail_client", "vendor"]
    fieldsets = [(None, {"fields": ["mail_client", "vendor", "intro"], "description": PLACEHOLDER_HELP})]
    inlines = [StepInline]
    formfield_overrides = MARKDOWN_WIDGETS

    def has_change_permission(self, request, obj=None) -> bool:
        # Generic steps, and a public vendor's own, are what readers see (admin/roles.py).
        return super().has_change_permission(request, obj) and roles.may_post_change(request, obj)

    def has_add_permission(self, request) -> bool:
        # New generic steps show at once in public articles: the vendor posted (none: generic) decides.
        vendor_id = request.POST.get("vendor", "") if request.method == "POST" else ""
        new_list = StepList(vendor_id=int(vendor_id) if vendor_id.isdigit() else None)
        return super().has_add_permission(request) and roles.may_post_change(request, new_list)

    class Media:
        js = ["js/admin-preview.js"]  # the live preview follows the vendor menu
        css = {"all": ["css/admin.css"]}


class ClientStepListInline(StepListLinksInline):
    """A mail client's step lists: the generic one and vendors' own."""

    fields = ["owner", "step_count"]
    readonly_fields = ["owner", "step_count"]
    verbose_name = "step list"
    verbose_name_plural = "Step lists: the generic one, and vendors' own"


@admin.register(MailClient)
class MailClientAdmin(RevisionHistory, RecordsChanges, RefusesStaleEdits, admin.ModelAdmin):
    list_display = ["name", "slug", "audience", "position", "generic_steps", "overridden_by"]
    list_editable = ["position"]
    list_filter = ["audience"]
    search_fields = ["name", "slug", "short_name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "short_name", "slug", "audience", "description", "position"]
    inlines = [ClientStepListInline]

    def has_change_permission(self, request, obj=None) -> bool:
        # Every mail client is seen by readers: a POST changing one, the list's positions
        # included (obj None), needs the publishing permission (admin/roles.py).
        if obj is None and request.method == "POST" and not roles.can_publish(request.user):
            return False
        return super().has_change_permission(request, obj) and roles.may_post_change(request, obj)

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

    class Media:
        js = ["js/admin-ordering.js"]

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
class ArticleAdmin(
    RevisionHistory, RecordsChanges, RefusesStaleEdits, PendingChanges, LabelsDateTimes, admin.ModelAdmin
):
    list_display = ["title", "vendor", "kind", "status", "published_at", "updated_at"]
    list_filter = ["status", review.ReviewStateFilter, "kind", "vendor"]
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
        ("No longer supported", {"fields": ["unsupported", "unsupported_note"], "classes": ["collapse"]}),
        ("Publishing", {"fields": ["status", "published_at", "unpublish_at", "created_at", "updated_at"]}),
        ("Review", {"fields": ["reviewed_on", "review_interval_days"]}),
    ]
    inlines = [ArticleClientInline]
    formfield_overrides = MARKDOWN_WIDGETS
    actions = ["publish_now", "unpublish", "mark_reviewed"]

    class Media:
        js = ["js/admin-preview.js"]  # the live preview follows the vendor menu
        css = {"all": ["css/admin.css"]}

    def get_urls(self):
        return [
            *self.pending_urls(),
            path(
                "review/",
                self.admin_site.admin_view(self.review_view),
                name="articles_article_review",
            ),
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

    def review_view(self, request: HttpRequest) -> HttpResponse:
        return review.report_view(self, request)

    # Roles (admin/roles.py): an Editor prepares, a Publisher decides what readers see ---------

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        if not roles.can_publish(request.user):
            # Left out of the form, so a posted value is ignored: a new article stays a draft.
            readonly += ["status", "published_at", "unpublish_at"]
        return readonly

    # An editor's save of a published article is kept as a pending change
    # (admin/pending.py), not refused: who may apply it at once is roles.may_apply_directly.

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return roles.can_publish(request.user)

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_now(self, request: HttpRequest, queryset) -> None:
        now = timezone.now()
        published = [article for article in queryset if not article.is_public]
        self._write(request, published, status=Article.Status.PUBLISHED, published_at=now)
        self._report(request, published, "Published", "now visible to readers", "already public")

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset) -> None:
        unpublished = list(queryset.filter(status=Article.Status.PUBLISHED))
        self._write(request, unpublished, status=Article.Status.DRAFT)
        self._report(request, unpublished, "Unpublished", "readers no longer see them", "already drafts")

    @admin.action(description="Mark selected articles as reviewed today", permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset) -> None:
        today = timezone.localdate()
        reviewed = list(queryset.exclude(reviewed_on=today))
        # A review changes nothing readers see: "Last updated" stays where it was.
        self._write(request, reviewed, readers_see_it=False, reviewed_on=today)
        self._report(request, reviewed, "Marked", "reviewed today", "already reviewed today")

    def _write(
        self, request: HttpRequest, articles: list[Article], *, readers_see_it: bool = True, **values
    ) -> None:
        """One UPDATE for all of them; each is named to changes (a revision, its edit version) and logged.

        ``readers_see_it``: whether the change moves the articles' "last updated" time.
        """
        if not articles:
            return
        if readers_see_it:
            values["updated_at"] = timezone.now()
        Article.objects.filter(pk__in=[article.pk for article in articles]).update(**values)
        values.pop("updated_at", None)
        labels = [str(Article._meta.get_field(name).verbose_name) for name in values]
        for article in articles:
            for name, value in values.items():
                setattr(article, name, value)
            changes.written(article, fields=list(values))
            self.log_change(request, article, [{"changed": {"fields": labels}}])

    def _report(
        self, request: HttpRequest, done: list[Article], verb: str, effect: str, skipped: str
    ) -> None:
        if done:
            count = len(done)
            self.message_user(
                request, f"{verb} {count} article{'s' if count != 1 else ''}: {effect}.", messages.SUCCESS
            )
        else:
            self.message_user(
                request, f"Nothing changed: the selected articles were {skipped}.", messages.WARNING
            )
