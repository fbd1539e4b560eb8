"""Admin for search: synonyms, promoted results, the search log and its report.

Registered from the end of articles/admin.py. The report is the one custom
view: top queries, queries that found nothing and click-through by query
over a period staff choose, each with a link to promote an article for it.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from articles.admin.common import RecordsChanges, TextareaWidget
from articles.admin.history import RevisionHistory
from articles.admin.locking import RefusesStaleEdits
from articles.search import analytics
from articles.search.models import PromotedResult, SearchQueryLog, Synonym


@admin.register(Synonym)
class SynonymAdmin(RevisionHistory, RecordsChanges, RefusesStaleEdits, admin.ModelAdmin):
    list_display = ["__str__", "updated_at"]
    search_fields = ["terms"]
    formfield_overrides = {models.TextField: {"widget": TextareaWidget(attrs={"rows": 3, "cols": 80})}}


@admin.register(PromotedResult)
class PromotedResultAdmin(RevisionHistory, RecordsChanges, RefusesStaleEdits, admin.ModelAdmin):
    list_display = ["query", "article", "created_at"]
    search_fields = ["query", "article__title"]
    autocomplete_fields = ["article"]
    list_select_related = ["article", "article__vendor"]


class ReportPeriodForm(forms.Form):
    since = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The period must start before it ends.", code="period_reversed")
        return cleaned


@admin.register(SearchQueryLog)
class SearchQueryLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "query", "kind", "result_count", "click_count"]
    list_filter = ["kind", "created_at"]
    search_fields = ["normalised"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(click_count=Count("clicks"))

    @admin.display(description="clicks", ordering="click_count")
    def click_count(self, log: SearchQueryLog) -> int:
        return log.click_count

    # The log is a record of what readers did: it can be read and pruned, not edited.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        return [path("report/", report, name="articles_searchquerylog_report"), *super().get_urls()]

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        initial = {"since": today - dt.timedelta(days=29), "until": today}
        form = ReportPeriodForm(request.GET or None, initial=initial)
        period = form.cleaned_data if form.is_valid() else initial
        tz = timezone.get_current_timezone()
        since = dt.datetime.combine(period["since"], dt.time.min, tzinfo=tz)
        until = dt.datetime.combine(period["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Search report",
            "form": form,
            "report": analytics.report(since=since, until=until),
            "until_shown": period["until"],
        }
        return TemplateResponse(request, "admin/articles/searchquerylog/report.html", context)
