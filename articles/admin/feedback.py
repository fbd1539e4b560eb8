"""Readers' "Was this helpful?" answers: a read-only list and the report per article and section."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from articles.admin.search import ReportPeriodForm
from articles.content.feedback import Feedback
from articles.feedback.report import COMMENTS_PER_ARTICLE, feedback_report


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_on", "article", "section", "helpful", "comment"]
    list_filter = ["helpful", "created_on"]
    list_select_related = ["article"]
    search_fields = ["article__title", "section", "comment"]
    date_hierarchy = "created_on"

    # What readers answered: it can be read and deleted (a comment that should not be kept), not edited.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        return [path("report/", report, name="articles_feedback_report"), *super().get_urls()]

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        initial = {"since": today - dt.timedelta(days=29), "until": today}
        form = ReportPeriodForm(request.GET or None, initial=initial)
        period = form.cleaned_data if form.is_valid() else initial
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Feedback report",
            "form": form,
            "since": period["since"],
            "until": period["until"],
            "rows": feedback_report(since=period["since"], until=period["until"]),
            "comments_per_article": COMMENTS_PER_ARTICLE,
        }
        return TemplateResponse(request, "admin/articles/feedback/report.html", context)
