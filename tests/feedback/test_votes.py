"""'Was this helpful?' without JavaScript: plain form posts, the answers they get, and what is stored."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.content.feedback import Feedback
from articles.services.feedback import mask_comment
from tests.conftest import make_article
from tests.servers import redis_database

pytestmark = pytest.mark.django_db

VOTE = "/feedback/"
COMMENT = "/feedback/comment/"


def vote(client, guide, **fields):
    data = {"article": guide.pk, "section": "", "website": "", **fields}
    return client.post(VOTE, data)


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_the_article_page_carries_one_form_per_section_and_one_for_the_article_without_csrf(client, guide):
    html = client.get(guide.get_absolute_url()).content.decode()
    forms = re.findall(r'<form class="feedback" method="post" action="/feedback/"', html)
    assert len(forms) == 3  # gmail, postfix, the article
    assert 'name="section" value="gmail"' in html and 'name="section" value="postfix"' in html
    assert "csrfmiddlewaretoken" not in html
    assert re.search(r'<script src="/static/js/feedback\.[0-9a-f]*\.?js" defer>', html)
    assert re.search(r'<link rel="stylesheet" href="/static/css/feedback\.[0-9a-f]*\.?css">', html)


def test_yes_is_stored_as_one_insert_and_thanked(client, guide, django_assert_num_queries):
    # the public article, its section, the INSERT (the rate limit is counted in the cache)
    with django_assert_num_queries(3), CaptureQueriesContext(connection) as queries:
        response = vote(client, guide, section="gmail", vote="yes")
    assert response.status_code == 200
    assert "Thank you for your answer." in response.content.decode()
    assert f'href="{guide.get_absolute_url()}#gmail"' in response.content.decode()
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and "articles_feedback" in inserts[0]
    stored = Feedback.objects.get()
    assert (stored.article_id, stored.section, stored.helpful, stored.comment) == (
        guide.pk,
        "gmail",
        True,
        "",
    )


def test_the_vote_stores_nothing_about_the_reader(client, guide):
    vote(client, guide, vote="no", HTTP_USER_AGENT="Reader Browser 1.0")
    columns = {field.name for field in Feedback._meta.get_fields()}
    assert columns == {"id", "article", "section", "helpful", "comment", "created_on"}


def test_no_offers_a_comment_box_and_the_comment_is_attached_masked(client, guide):
    response = vote(client, guide, vote="no")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Your “No” was counted" in html and '<textarea id="feedback-comment-article" name="comment"' in html
    )
    assert Feedback.objects.get().helpful is False
    comment = "Step 2 is wrong. Mail me: jane.doe@corp.example or jane dot doe at corp dot example, +44 20 7946 0958, from 203.0.113.45"
    token = token_of(response)
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(COMMENT, {"token": token, "comment": comment, "website": ""})
    assert len(queries.captured_queries) == 1  # the UPDATE: the signed token names the vote
    assert answer.status_code == 200 and "your comment was sent" in answer.content.decode()
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("UPDATE")
    stored = Feedback.objects.get().comment
    assert (
        stored == "Step 2 is wrong. Mail me: *@corp.example or *@corp.example, [number], from 203.0.113.0/24"
    )


def test_a_second_comment_on_the_same_answer_is_refused_and_the_first_kept(client, guide):
    token = token_of(vote(client, guide, vote="no"))
    client.post(COMMENT, {"token": token, "comment": "first"})
    again = client.post(COMMENT, {"token": token, "comment": "second"})
    assert again.status_code == 400 and "has a comment already" in again.content.decode()
    assert Feedback.objects.get().comment == "first"


def test_an_empty_comment_is_a_thank_you_and_changes_nothing(client, guide):
    token = token_of(vote(client, guide, vote="no"))
    assert client.post(COMMENT, {"token": token, "comment": "   "}).status_code == 200
    assert Feedback.objects.get().comment == ""


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"vote": ""}, 400, "Choose “Yes” or “No”."),
        ({"vote": "maybe"}, 400, "Choose “Yes” or “No”."),
        ({"vote": "yes", "article": "abc"}, 400, "The article must be given by its number."),
        ({"vote": "yes", "article": ""}, 400, "The vote does not say which article it is about."),
        ({"vote": "yes", "article": 987654}, 404, "No published article has the number 987654."),
        ({"vote": "yes", "section": "outlook"}, 400, "has no section “outlook”."),
        ({"vote": "yes", "section": "<script>"}, 400, "The section must be a mail program&#x27;s anchor"),
    ],
)
def test_bad_votes_get_a_clear_answer_and_store_nothing(client, guide, fields, status, message):
    response = vote(client, guide, **fields)
    assert response.status_code == status
    html = response.content.decode()
    assert message in html and 'role="alert"' in html
    assert "<script>" not in html.split("<main", 1)[1]
    assert not Feedback.objects.exists()


def test_a_draft_article_gets_the_same_answer_as_an_unknown_one(client, guide, acme):
    draft = make_article(acme, "draft", published=False)
    response = vote(client, draft, vote="yes")
    assert (
        response.status_code == 404
        and f"No published article has the number {draft.pk}." in response.content.decode()
    )
    assert not Feedback.objects.exists()


def test_an_over_long_comment_is_refused_with_the_box_refilled_and_nothing_stored(client, guide):
    token = token_of(vote(client, guide, vote="no"))
    response = client.post(COMMENT, {"token": token, "comment": "x" * 501})
    html = response.content.decode()
    assert response.status_code == 400
    assert "at most 500 characters long; this one has 501" in html
    assert "x" * 501 in html  # the reader does not lose what they wrote
    assert Feedback.objects.get().comment == ""


def test_a_forged_token_is_refused(client, guide):
    vote(client, guide, vote="no")
    response = client.post(COMMENT, {"token": "1:forged", "comment": "hello"})
    assert response.status_code == 400
    assert "does not belong to an answer given on this site" in response.content.decode()
    assert Feedback.objects.get().comment == ""


def test_the_comment_typed_by_a_reader_is_escaped_in_the_answer(client, guide):
    token = token_of(vote(client, guide, vote="no"))
    response = client.post(COMMENT, {"token": token, "comment": "<b>" + "y" * 500})
    assert "&lt;b&gt;" in response.content.decode() and "<b>yyy" not in response.content.decode()


def test_the_honeypot_is_thanked_and_nothing_is_stored(client, guide):
    response = vote(client, guide, vote="yes", website="https://spam.example")
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert not Feedback.objects.exists()


def test_with_fragment_the_answer_is_the_fragment_only(client, guide):
    response = vote(client, guide, vote="no", section="gmail", fragment="1")
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="feedback-answer"') and "<html" not in html
    assert 'id="feedback-comment-gmail"' in html


def test_only_post_is_answered(client, guide):
    assert client.get(VOTE).status_code == 405
    assert client.get(COMMENT).status_code == 405


def test_mask_comment_keeps_bounce_codes_and_dates():
    assert mask_comment("550 5.7.1 rejected on 2026-11-30") == "550 5.7.1 rejected on 2026-11-30"
    assert mask_comment("call 0151 496 0123") == "call [number]"
    assert mask_comment("from 2001:db8:1234:5678::1") == "from 2001:db8:1234::/48"


@pytest.fixture
def tight_feedback_limit(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "feedback": "3/m"}


def test_votes_over_the_limit_get_429_and_are_not_stored(client, guide, tight_feedback_limit):
    assert [vote(client, guide, vote="yes").status_code for _ in range(3)] == [200] * 3
    refused = vote(client, guide, vote="yes")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert Feedback.objects.count() == 3


def test_the_limit_is_counted_in_the_shared_cache(client, guide, settings, tight_feedback_limit):
    # Redis, as production shares it between app servers; a comment counts against the same limit.
    settings.CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_database(14)}
    }
    token = token_of(vote(client, guide, vote="no"))
    assert vote(client, guide, vote="yes").status_code == 200
    assert client.post(COMMENT, {"token": token, "comment": "hi"}).status_code == 200
    assert (
        client.post(reverse("articles:feedback_comment"), {"token": token, "comment": "again"}).status_code
        == 429
    )
    assert Feedback.objects.count() == 2
