"""What readers leave behind (searches, answers to "Was this helpful?"): read-only lists with a report over a period."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

#: The period a report covers when none is asked for: the last 30 days, today included.
DEFAULT_DAYS = 30


class ReportPeriodForm(forms.Form):
    since = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The period must start before it ends.", code="period_reversed")
        return cleaned


class ReadersRecordAdmin(admin.ModelAdmin):
    """A record of what readers did: it can be read and deleted (or pruned), not added or edited.

    Subclasses name their report (``report_url_name``, ``report_template``,
    ``report_title``) and say what it shows for a period (``report_context``).
    """

    report_url_name: str
    report_template: str
    report_title: str

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        return [path("report/", report, name=self.report_url_name), *super().get_urls()]

    def report_context(self, since: dt.date, until: dt.date) -> dict:
        """What the report shows for the days from ``since`` to ``until``, both included."""
        raise NotImplementedError

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        initial = {"since": today - dt.timedelta(days=DEFAULT_DAYS - 1), "until": today}
        form = ReportPeriodForm(request.GET or None, initial=initial)
        period = form.cleaned_data if form.is_valid() else initial
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": self.report_title,
            "form": form,
            **self.report_context(period["since"], period["until"]),
        }
        return TemplateResponse(request, self.report_template, context)
