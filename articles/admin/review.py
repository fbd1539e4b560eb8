"""Which articles need a review, and why: the "needs review" report and the article list's filter.

An article is reviewed every ``review_interval_days`` after its
``reviewed_on``; one never reviewed is due now. It also needs a review as soon
as what it shows changed after its last review: its vendor's facts
(``Vendor.facts_changed_at``, moved by every write to them, see
services/changes.py) or the generic steps of one of its client sections
(``StepList.updated_at``). Days are compared, not times: ``reviewed_on`` is a
day, so a change made on the day of the review counts as seen by it.

Everything is decided in the database, in the one query that lists the
articles, so that the report and the filter cost the same for 1 or 300
articles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from articles.content.models import Article, ArticleClient, StepList

OVERDUE = "overdue"
CHANGED = "changed"
UP_TO_DATE = "current"


class DaysAfter(Func):
    """A date plus a number of days held in a column, in each database's own words."""

    arity = 2
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: date + integer is a date.
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" + ", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
            **extra_context,
        )


def _generic_steps_changed_at():
    """When the generic steps of one of the article's client sections last changed."""
    latest = (
        StepList.objects.filter(vendor__isnull=True, mail_client__articleclient__article=OuterRef("pk"))
        .order_by()
        .values("mail_client__articleclient__article")
        .annotate(latest=Max("updated_at"))
        .values("latest")
    )
    return Subquery(latest)


def with_review_state(articles: QuerySet[Article]) -> QuerySet[Article]:
    """``articles`` annotated with what their review state is made of.

    ``review_due_on`` (None if never reviewed), ``facts_changed_since_review``
    and ``steps_changed_since_review``, plus ``steps_changed_at``.
    """
    return articles.annotate(
        review_due_on=DaysAfter("reviewed_on", "review_interval_days"),
        steps_changed_at=_generic_steps_changed_at(),
        facts_changed_since_review=ExpressionWrapper(
            Q(vendor__isnull=False, reviewed_on__isnull=False)
            & Q(reviewed_on__lt=TruncDate("vendor__facts_changed_at")),
            output_field=BooleanField(),
        ),
        steps_changed_since_review=ExpressionWrapper(
            Q(reviewed_on__isnull=False, steps_changed_at__isnull=False)
            & Q(reviewed_on__lt=TruncDate("steps_changed_at")),
            output_field=BooleanField(),
        ),
    )


def _overdue(today: dt.date) -> Q:
    return Q(reviewed_on__isnull=True) | Q(review_due_on__lt=today)


def _changed() -> Q:
    return Q(facts_changed_since_review=True) | Q(steps_changed_since_review=True)


def in_review_state(articles: QuerySet[Article], state: str, *, today: dt.date) -> QuerySet[Article]:
    """The articles that are ``OVERDUE``, ``CHANGED`` since their review, or ``UP_TO_DATE``."""
    articles = with_review_state(articles)
    if state == OVERDUE:
        return articles.filter(_overdue(today))
    if state == CHANGED:
        return articles.filter(_changed())
    if state == UP_TO_DATE:
        return articles.filter(
            reviewed_on__isnull=False,
            review_due_on__gte=today,
            facts_changed_since_review=False,
            steps_changed_since_review=False,
        )
    raise ValueError(f"Unknown review state {state!r}: use {OVERDUE!r}, {CHANGED!r} or {UP_TO_DATE!r}.")


def needing_review(articles: QuerySet[Article], *, today: dt.date) -> QuerySet[Article]:
    """Articles overdue or changed since their review, the longest overdue first, never reviewed before all.

    Each comes with its vendor and its client sections' generic step lists
    (``generic_step_lists`` on each section's mail client), for the reasons.
    """
    generic = StepList.objects.filter(vendor__isnull=True)
    sections = ArticleClient.objects.select_related("mail_client").prefetch_related(
        Prefetch("mail_client__step_lists", queryset=generic, to_attr="generic_step_lists")
    )
    return (
        with_review_state(articles)
        .filter(_overdue(today) | _changed())
        .select_related("vendor")
        .prefetch_related(Prefetch("client_sections", queryset=sections))
        .order_by(F("review_due_on").asc(nulls_first=True), "vendor__name", "title")
    )


@dataclass(frozen=True)
class Reason:
    """Why an article needs a review, in words for the report; ``code`` names the kind."""

    code: str
    text: str


def reasons(article: Article, *, today: dt.date) -> list[Reason]:
    """Why ``article`` (annotated by ``needing_review``) needs a review, most pressing first."""
    found = []
    if article.reviewed_on is None:
        found.append(Reason("never_reviewed", "Never reviewed."))
    elif article.review_due_on < today:
        found.append(Reason("overdue", f"Review was due on {article.review_due_on:%-d %B %Y}."))
    if article.facts_changed_since_review:
        changed_on = timezone.localdate(article.vendor.facts_changed_at)
        found.append(Reason("facts_changed", f"{article.vendor}'s facts changed on {changed_on:%-d %B %Y}."))
    if article.steps_changed_since_review:
        clients = [
            section.mail_client.name
            for section in article.client_sections.all()
            if any(
                timezone.localdate(steps.updated_at) > article.reviewed_on
                for steps in section.mail_client.generic_step_lists
            )
        ]
        found.append(Reason("steps_changed", f"Generic steps changed for {', '.join(clients)}."))
    return found


class ReviewStateFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            (OVERDUE, "Overdue or never reviewed"),
            (CHANGED, "Facts or steps changed since review"),
            (UP_TO_DATE, "Up to date"),
        ]

    def queryset(self, request, queryset):
        if self.value() in (OVERDUE, CHANGED, UP_TO_DATE):
            return in_review_state(queryset, self.value(), today=timezone.localdate())
        return queryset


def report_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """The "needs review" report: every article due or changed since its review, with why."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    today = timezone.localdate()
    rows = [
        (article, reasons(article, today=today))
        for article in needing_review(Article.objects.all(), today=today)
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Articles that need a review",
        "rows": rows,
        "today": today,
        # The list's own action, posted from here: the same permission check, revision and log.
        "can_mark_reviewed": "mark_reviewed" in model_admin.get_actions(request),
    }
    return TemplateResponse(request, "admin/articles/review/report.html", context)
