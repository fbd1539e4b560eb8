"""Readers' "Was this helpful?" answers: a read-only list and the report per article and section."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin

from articles.admin.reports import ReadersRecordAdmin
from articles.content.feedback import Feedback
from articles.feedback.report import COMMENTS_PER_ARTICLE, feedback_report


@admin.register(Feedback)
class FeedbackAdmin(ReadersRecordAdmin):
    list_display = ["created_on", "article", "section", "helpful", "comment"]
    list_filter = ["helpful", "created_on"]
    list_select_related = ["article"]
    search_fields = ["article__title", "section", "comment"]
    date_hierarchy = "created_on"

    # What readers answered: it can be read and deleted (a comment that should not be kept), not edited.
    report_url_name = "articles_feedback_report"
    report_template = "admin/articles/feedback/report.html"
    report_title = "Feedback report"

    def report_context(self, since: dt.date, until: dt.date) -> dict:
        return {
            "since": since,
            "until": until,
            "rows": feedback_report(since=since, until=until),
            "comments_per_article": COMMENTS_PER_ARTICLE,
        }
