"""The "needs review" report and the article list's review filter.

Dates are set explicitly (``reviewed_on``, the vendor's ``facts_changed_at``,
a step list's ``updated_at``) so that each case sits on one side of its
boundary: due today is not overdue, a change on the review's own day was seen
by it.
"""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.admin import review
from articles.content.models import Article, StepList
from articles.facts.models import Vendor
from tests.admin.forms import form_data, staff_user
from tests.conftest import make_article, make_client, make_vendor

REPORT = "/admin/articles/article/review/"
ARTICLES = "/admin/articles/article/"


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def vendor(db) -> Vendor:
    vendor = make_vendor("acme", "Acme Mail")
    Vendor.objects.filter(pk=vendor.pk).update(facts_changed_at=moment(days_ago(400)))
    return vendor


@pytest.fixture
def viewer(db):
    return staff_user("view_article", "change_article")


def article(vendor, slug, *, reviewed_on=None, every=180, clients=()) -> Article:
    return make_article(vendor, slug, reviewed_on=reviewed_on, review_interval_days=every, clients=clients)


def listed(response) -> dict[str, list[str]]:
    """The report's rows: article title → the codes of its reasons."""
    return {item.title: [reason.code for reason in reasons] for item, reasons in response.context["rows"]}


def state(code: str) -> set[str]:
    today = timezone.localdate()
    return set(
        review.in_review_state(Article.objects.all(), code, today=today).values_list("slug", flat=True)
    )


def test_report_lists_overdue_and_never_reviewed_articles_and_not_current_ones(viewer, vendor):
    article(vendor, "overdue", reviewed_on=days_ago(31), every=30)
    article(vendor, "due-today", reviewed_on=days_ago(30), every=30)
    article(vendor, "current", reviewed_on=days_ago(10))
    article(vendor, "never")
    article(None, "general", reviewed_on=days_ago(400), every=365)
    response = viewer.get(REPORT)
    assert response.status_code == 200
    assert listed(response) == {"Never": ["never_reviewed"], "Overdue": ["overdue"], "General": ["overdue"]}
    assert f"Review was due on {days_ago(1):%-d %B %Y}." in response.content.decode()
    assert list(listed(response))[0] == "Never", "never reviewed comes first"


def test_report_lists_articles_whose_vendor_facts_changed_after_review(viewer, vendor):
    article(vendor, "changed", reviewed_on=days_ago(5))
    article(vendor, "seen", reviewed_on=days_ago(2))
    article(vendor, "old-and-changed", reviewed_on=days_ago(200))
    Vendor.objects.filter(pk=vendor.pk).update(facts_changed_at=moment(days_ago(2)))
    response = viewer.get(REPORT)
    assert listed(response) == {"Changed": ["facts_changed"], "Old And Changed": ["overdue", "facts_changed"]}
    assert f"Acme Mail's facts changed on {days_ago(2):%-d %B %Y}." in html.unescape(
        response.content.decode()
    )


def test_report_lists_articles_whose_generic_steps_changed_after_review(viewer, vendor):
    gmail = make_client("gmail", "Gmail", steps=["Open Gmail."])
    yahoo = make_client("yahoo", "Yahoo Mail", steps=["Open Yahoo."])
    own = StepList.objects.create(mail_client=yahoo, vendor=vendor)
    article(vendor, "with-gmail", reviewed_on=days_ago(5), clients=[gmail, yahoo])
    article(vendor, "with-yahoo", reviewed_on=days_ago(5), clients=[yahoo])
    article(vendor, "without", reviewed_on=days_ago(5))
    StepList.objects.filter(mail_client=gmail, vendor=None).update(updated_at=moment(days_ago(1)))
    StepList.objects.filter(mail_client=yahoo, vendor=None).update(updated_at=moment(days_ago(9)))
    StepList.objects.filter(pk=own.pk).update(updated_at=moment(days_ago(1)))  # only generic steps count
    response = viewer.get(REPORT)
    assert listed(response) == {"With Gmail": ["steps_changed"]}
    assert "Generic steps changed for Gmail." in response.content.decode()


def test_report_is_empty_when_every_article_is_up_to_date(viewer, vendor):
    article(vendor, "current", reviewed_on=days_ago(1))
    response = viewer.get(REPORT)
    assert listed(response) == {}
    assert "Every article is up to date." in response.content.decode()


def test_marking_reviewed_takes_an_article_off_the_report(viewer, vendor):
    overdue = article(vendor, "overdue", reviewed_on=days_ago(200))
    Vendor.objects.filter(pk=vendor.pk).update(facts_changed_at=moment(days_ago(1)))
    page = viewer.get(REPORT)
    assert "Overdue" in listed(page)
    data = form_data(page, "review-form")
    assert data["action"] == "mark_reviewed" and "_selected_action" not in data, "nothing ticked by default"
    response = viewer.post(ARTICLES, {**data, "_selected_action": str(overdue.pk)}, follow=True)
    assert "Marked 1 article" in response.content.decode()
    assert Article.objects.get(pk=overdue.pk).reviewed_on == timezone.localdate()
    assert listed(viewer.get(REPORT)) == {}


def test_marking_reviewed_leaves_last_updated_where_it_was(viewer, vendor):
    # A review changes nothing readers see: the page's "Last updated" must not move to now.
    overdue = article(vendor, "overdue", reviewed_on=days_ago(200))
    written = moment(days_ago(30))
    Article.objects.filter(pk=overdue.pk).update(updated_at=written)
    data = form_data(viewer.get(REPORT), "review-form")
    viewer.post(ARTICLES, {**data, "_selected_action": str(overdue.pk)}, follow=True)
    reviewed = Article.objects.get(pk=overdue.pk)
    assert (reviewed.reviewed_on, reviewed.updated_at) == (timezone.localdate(), written)


def test_report_offers_marking_reviewed_only_to_who_may_change_articles(vendor):
    article(vendor, "never")
    reader = staff_user("view_article", username="reader")
    page = reader.get(REPORT)
    assert "Never" in listed(page)
    assert 'id="review-form"' not in page.content.decode() and "_selected_action" not in page.content.decode()


def test_article_list_links_to_the_report(viewer, vendor):
    assert f'href="{REPORT}"' in viewer.get(ARTICLES).content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_report_query_count_does_not_grow_with_the_articles(viewer, vendor, count):
    gmail = make_client("gmail", "Gmail", steps=["Open Gmail."])
    for n in range(count):
        article(vendor, f"a{n}", reviewed_on=days_ago(5), clients=[gmail])
    StepList.objects.update(updated_at=moment(days_ago(1)))
    Vendor.objects.update(facts_changed_at=moment(days_ago(1)))
    with CaptureQueriesContext(connection) as queries:
        response = viewer.get(REPORT)
    assert len(listed(response)) == count
    # Session, user, permissions; then the articles, their sections, mail clients and generic steps.
    assert len(queries) == 7, [query["sql"] for query in queries]


# The list filter ------------------------------------------------------------------------------


@pytest.fixture
def three_states(vendor):
    article(vendor, "overdue", reviewed_on=days_ago(200))
    article(vendor, "never")
    article(vendor, "changed", reviewed_on=days_ago(5))
    article(None, "general-current", reviewed_on=days_ago(5))
    article(vendor, "current", reviewed_on=days_ago(1))
    Vendor.objects.filter(pk=vendor.pk).update(facts_changed_at=moment(days_ago(3)))


def test_review_states_split_the_articles(three_states):
    assert state(review.OVERDUE) == {"overdue", "never"}
    assert state(review.CHANGED) == {"overdue", "changed"}
    assert state(review.UP_TO_DATE) == {"general-current", "current"}


def test_an_unknown_review_state_is_named_in_the_error(db):
    with pytest.raises(ValueError, match="'soon'"):
        review.in_review_state(Article.objects.all(), "soon", today=timezone.localdate())


@pytest.mark.parametrize(
    ("value", "titles"),
    [
        ("overdue", {"Overdue", "Never"}),
        ("changed", {"Overdue", "Changed"}),
        ("current", {"General Current", "Current"}),
    ],
)
def test_article_list_filters_by_review_state(viewer, three_states, value, titles):
    response = viewer.get(ARTICLES, {"review": value})
    assert response.status_code == 200
    assert {obj.title for obj in response.context["cl"].result_list} == titles


def test_article_list_offers_status_review_and_vendor_filters(viewer, three_states):
    page = viewer.get(ARTICLES).content.decode()
    for choice in ("?status__exact=published", "?review=overdue", "?review=changed", "?review=current"):
        assert choice in page
    assert "?vendor__id__exact=" in page


@pytest.mark.parametrize("count", [1, 30])
def test_review_filter_query_count_does_not_grow_with_the_articles(viewer, vendor, count):
    gmail = make_client("gmail", "Gmail", steps=["Open Gmail."])
    for n in range(count):
        article(vendor, f"a{n}", reviewed_on=days_ago(5), clients=[gmail])
    StepList.objects.update(updated_at=moment(days_ago(1)))
    with CaptureQueriesContext(connection) as queries:
        response = viewer.get(ARTICLES, {"review": "changed"})
    assert len(response.context["cl"].result_list) == count
    assert len(queries) == 10, [query["sql"] for query in queries]
