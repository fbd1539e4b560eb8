"""The admin's feedback report: its numbers per article and section, its comments, reads, its query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles.content.feedback import Feedback
from articles.feedback.report import COMMENTS_PER_ARTICLE, feedback_report
from articles.search.models import ArticleReadCount
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def votes(article, section, yes, no, comments=()):
    rows = [Feedback(article=article, section=section, helpful=True) for _ in range(yes)]
    rows += [Feedback(article=article, section=section, helpful=False) for _ in range(no - len(comments))]
    rows += [Feedback(article=article, section=section, helpful=False, comment=text) for text in comments]
    Feedback.objects.bulk_create(rows)


def period():
    today = timezone.localdate()
    return {"since": today - dt.timedelta(days=29), "until": today}


def test_the_report_counts_votes_and_the_share_of_no_per_article_and_section(guide, acme):
    other = make_article(acme, "troubleshooting", title="Troubleshooting")
    votes(guide, "", yes=3, no=1)
    votes(guide, "gmail", yes=1, no=3, comments=["Step 2 has no Settings button"])
    votes(other, "", yes=4, no=0)
    ArticleReadCount.objects.create(article=guide, day=timezone.localdate(), count=40)
    ArticleReadCount.objects.create(
        article=guide, day=timezone.localdate() - dt.timedelta(days=90), count=500
    )
    rows = feedback_report(**period())
    assert [row.article for row in rows] == [guide, other]  # most "no" first
    first = rows[0]
    assert (first.votes, first.no, first.no_share, first.reads) == (8, 4, 0.5, 40)  # reads in the period only
    assert [(s.section, s.name, s.votes, s.no, s.no_share) for s in first.sections] == [
        ("gmail", "Gmail", 4, 3, 0.75)
    ]
    assert [c["comment"] for c in first.comments] == ["Step 2 has no Settings button"]
    assert (rows[1].votes, rows[1].no_share, rows[1].reads) == (4, 0.0, 0)


def test_votes_outside_the_period_are_left_out(guide):
    votes(guide, "", yes=1, no=1)
    Feedback.objects.update(created_on=timezone.localdate() - dt.timedelta(days=40))
    assert feedback_report(**period()) == []


def test_only_the_latest_comments_of_each_article_are_listed(guide):
    votes(guide, "gmail", yes=0, no=8, comments=[f"comment {n}" for n in range(8)])
    [row] = feedback_report(**period())
    assert [c["comment"] for c in row.comments] == [
        f"comment {n}" for n in range(7, 7 - COMMENTS_PER_ARTICLE, -1)
    ]


@pytest.mark.parametrize("articles", [1, 12])
def test_the_report_takes_four_queries_however_many_articles(
    guide, acme, django_assert_num_queries, articles
):
    for number in range(articles):
        article = make_article(acme, f"a{number}", clients=[])
        votes(article, "", yes=1, no=2, comments=["too short", "missing a step"])
    votes(guide, "gmail", yes=1, no=1)
    votes(guide, "postfix", yes=0, no=1)
    with django_assert_num_queries(4):
        rows = feedback_report(**period())
    assert len(rows) == articles + 1


def test_the_admin_report_page_shows_the_numbers_and_escapes_comments(admin_client, guide):
    votes(guide, "gmail", yes=1, no=1, comments=["<script>alert(1)</script>"])
    response = admin_client.get("/admin/articles/feedback/report/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Allowlisting guide" in html and "Gmail <code>#gmail</code>" in html
    assert "<td>2</td><td>1</td><td>50%</td>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert admin_client.get("/admin/articles/feedback/").status_code == 200
