"""Admin for search: synonyms, promoted results, the search log and its report.

Registered from the end of articles/admin.py. The report is the one custom
view: top queries, queries that found nothing and click-through by query
over a period staff choose, each with a link to promote an article for it.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils import timezone

from articles.admin.common import RecordsChanges, TextareaWidget
from articles.admin.history import RevisionHistory
from articles.admin.locking import RefusesStaleEdits
from articles.admin.reports import ReadersRecordAdmin
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


@admin.register(SearchQueryLog)
class SearchQueryLogAdmin(ReadersRecordAdmin):
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
    report_url_name = "articles_searchquerylog_report"
    report_template = "admin/articles/searchquerylog/report.html"
    report_title = "Search report"

    def report_context(self, since: dt.date, until: dt.date) -> dict:
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return {"report": analytics.report(since=start, until=end), "until_shown": until}
