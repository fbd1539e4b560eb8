"""Scheduling: publish at a time, withdraw at a time, publish a pending change at a time.

Times are moved by writing them into the past (rows only, no re-index, as the
clock would move them), never by sleeping: a publication or withdrawal time
is read against the clock by every query, and a due pending change is
published by the worker's task, called here directly and through huey's
immediate mode.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from reversion.models import Version

from articles.content.models import Article
from articles.revisions.models import PendingChange
from articles.search import index
from articles.search.models import SearchDocument
from articles.tasks.scheduled import (
    publish_all_due,
    publish_due,
    publish_due_pending_changes,
    publish_pending_at,
)
from tests.admin.forms import article_url, form_data
from tests.conftest import make_article, make_client
from tests.test_pending import LIVE_BODY, PENDING_BODY, edit, editor_prepares, member_of

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def editor():
    return member_of("Editor", "edna")


@pytest.fixture
def publisher():
    return member_of("Publisher", "pablo")


@pytest.fixture
def guide(acme):
    gmail = make_client("gmail", "Gmail", steps=["Open Gmail settings."])
    return make_article(acme, "guide", clients=[gmail], body=LIVE_BODY, title="Allowlisting Acme")


@pytest.fixture
def worker_in_process():
    """huey's immediate mode: an enqueued task runs at once, in this process and its test transaction,
    with a fresh in-memory store instead of the worker's file."""
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


def seen_by_readers(client, article: Article) -> dict[str, bool]:
    """Whether each public surface shows the article."""
    url = article.get_absolute_url()

    def found(**filters) -> bool:
        search = client.get("/search/", {"q": "allowlisting", **filters})
        return article.pk in [hit.article.pk for hit in search.context["results"].hits]

    return {
        "page": client.get(url).status_code == 200,
        # Unfiltered, a search asks the documents; filtered, it asks the articles (PostgreSQL).
        "search": found(),
        "filtered search": found(vendor="acme"),
        "api": url in [a["url"] for a in json.loads(client.get("/api/articles").content)["articles"]],
        "sitemap": url.encode() in client.get("/sitemap.xml").content,
        # The guide is the vendor's only article: the vendor is public with it, downloads and all.
        "downloads": client.get("/acme/allowlist.txt").status_code == 200,
    }


SURFACES = ["page", "search", "filtered search", "api", "sitemap", "downloads"]
EVERYWHERE = dict.fromkeys(SURFACES, True)
NOWHERE = dict.fromkeys(SURFACES, False)


def move_into_the_past(article: Article, **fields: dt.timedelta) -> None:
    """Let time pass: each named time of the article (and of its search document) is moved back."""
    for name, by in fields.items():
        value = getattr(Article.objects.get(pk=article.pk), name) - by
        Article.objects.filter(pk=article.pk).update(**{name: value})
        document_field = {"published_at": "public_from", "unpublish_at": "public_until"}[name]
        SearchDocument.objects.filter(pk=article.pk).update(**{document_field: value})


# Publication and withdrawal times take effect by themselves -------------------------------------


def test_an_article_published_for_later_is_seen_nowhere_until_its_time_then_everywhere(client, guide):
    Article.objects.filter(pk=guide.pk).update(published_at=timezone.now() + HOUR)
    SearchDocument.objects.filter(pk=guide.pk).update(public_from=timezone.now() + HOUR)
    assert seen_by_readers(client, guide) == NOWHERE
    move_into_the_past(guide, published_at=2 * HOUR)
    assert seen_by_readers(client, guide) == EVERYWHERE


def test_a_withdrawal_time_in_the_past_hides_the_article_from_page_search_api_and_sitemap(
    client, publisher, guide
):
    assert seen_by_readers(client, guide) == EVERYWHERE
    withdrawn = timezone.localtime(timezone.now() - dt.timedelta(minutes=5))
    data = form_data(publisher.get(article_url(guide)), "article_form")
    data.update(
        {"unpublish_at_0": withdrawn.strftime("%Y-%m-%d"), "unpublish_at_1": withdrawn.strftime("%H:%M:%S")}
    )
    assert publisher.post(article_url(guide), {**data, "_save": "Save"}).status_code == 302
    guide.refresh_from_db()
    assert guide.unpublish_at is not None and not guide.is_public
    assert SearchDocument.objects.get(pk=guide.pk).public_until == guide.unpublish_at
    assert seen_by_readers(client, guide) == NOWHERE


def test_a_withdrawal_time_takes_effect_at_its_moment_with_no_write_to_the_index(client, guide):
    later = timezone.now() + HOUR
    Article.objects.filter(pk=guide.pk).update(unpublish_at=later)
    index.reindex([guide.pk])
    assert seen_by_readers(client, guide) == EVERYWHERE
    indexed = SearchDocument.objects.values("indexed_at").get(pk=guide.pk)
    move_into_the_past(guide, unpublish_at=2 * HOUR)
    assert seen_by_readers(client, guide) == NOWHERE
    assert SearchDocument.objects.values("indexed_at").get(pk=guide.pk) == indexed


def test_an_editor_setting_a_withdrawal_time_on_a_published_article_only_prepares_it(client, editor, guide):
    data = form_data(editor.get(article_url(guide)), "article_form")
    data.update({"unpublish_at_0": "2020-01-01", "unpublish_at_1": "10:00:00"})
    editor.post(article_url(guide), {**data, "_save": "Save"})
    assert Article.objects.get(pk=guide.pk).unpublish_at is None
    assert PendingChange.objects.get(article=guide).data["unpublish_at_0"] == ["2020-01-01"]
    assert seen_by_readers(client, guide) == EVERYWHERE


# Publishing a pending change at a time ----------------------------------------------------------


def schedule(client, article, when: dt.datetime):
    return client.post(
        article_url(article, "pending/schedule/"),
        {"publish_at": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )


def test_a_publisher_sets_a_time_and_the_worker_gets_a_task_for_that_moment(
    publisher, editor, guide, worker_in_process, django_capture_on_commit_callbacks
):
    pending = editor_prepares(editor, guide)
    when = (timezone.now() + HOUR).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = schedule(publisher, guide, when)
    assert "will be published at" in response.content.decode()
    pending.refresh_from_db()
    assert pending.publish_at == when and pending.scheduled_by.username == "pablo"
    (task,) = worker_in_process.scheduled()
    assert task.name.endswith("publish_pending_at") and task.args == (pending.pk,)
    assert task.eta == when.astimezone(dt.UTC).replace(tzinfo=None)
    assert "It will be published at" in publisher.get(article_url(guide)).content.decode()


def test_a_time_in_the_past_is_refused_and_nothing_is_stored(publisher, editor, guide, worker_in_process):
    pending = editor_prepares(editor, guide)
    response = schedule(publisher, guide, timezone.now() - HOUR)
    assert "must be in the future" in response.content.decode()
    pending.refresh_from_db()
    assert pending.publish_at is None and pending.scheduled_by is None
    assert worker_in_process.scheduled() == []


def test_a_new_save_by_the_editor_clears_the_time_a_publisher_set(
    publisher, editor, guide, worker_in_process
):
    editor_prepares(editor, guide)
    schedule(publisher, guide, timezone.now() + HOUR)
    edit(editor, guide, summary="Changed after scheduling")
    pending = PendingChange.objects.get(article=guide)
    assert pending.publish_at is None and pending.scheduled_by is None
    # The task enqueued for the old time finds nothing due and publishes nothing.
    assert publish_due(pending.pk, now=timezone.now() + 2 * HOUR) is False


def test_the_worker_publishes_a_due_pending_change_and_readers_see_it(client, publisher, editor, guide):
    pending = editor_prepares(editor, guide)
    schedule(publisher, guide, timezone.now() + HOUR)
    assert publish_due(pending.pk) is False  # not due yet
    assert PendingChange.objects.filter(pk=pending.pk).exists()

    PendingChange.objects.filter(pk=pending.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))
    assert publish_due(pending.pk) is True
    assert not PendingChange.objects.exists()
    guide.refresh_from_db()
    assert guide.body == PENDING_BODY
    assert b"quokkabird" in client.get(guide.get_absolute_url()).content
    revision = Version.objects.get_for_object(guide).first().revision
    assert revision.comment == "Published the pending change by edna"
    assert revision.user.username == "pablo"


def test_two_sweeps_publish_a_due_change_once(publisher, editor, guide):
    editor_prepares(editor, guide)
    schedule(publisher, guide, timezone.now() + HOUR)
    versions = Version.objects.get_for_object(guide).count()
    later = timezone.now() + 2 * HOUR
    assert publish_all_due(now=later) == 1
    assert publish_all_due(now=later) == 0
    assert Version.objects.get_for_object(guide).count() == versions + 1


def test_the_task_and_the_sweep_run_through_the_worker(publisher, editor, guide, worker_in_process):
    pending = editor_prepares(editor, guide)
    schedule(publisher, guide, timezone.now() + HOUR)
    PendingChange.objects.filter(pk=pending.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))
    assert publish_pending_at(pending.pk)() is True
    versions = Version.objects.get_for_object(guide).count()
    publish_due_pending_changes()  # huey keeps no result of a periodic task: look at what it did
    assert Version.objects.get_for_object(guide).count() == versions  # nothing was left to publish
    assert Article.objects.get(pk=guide.pk).body == PENDING_BODY


def test_the_sweep_through_the_worker_publishes_what_is_due(publisher, editor, guide, worker_in_process):
    pending = editor_prepares(editor, guide)
    schedule(publisher, guide, timezone.now() + HOUR)
    PendingChange.objects.filter(pk=pending.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))
    publish_due_pending_changes()
    assert not PendingChange.objects.exists()
    assert Article.objects.get(pk=guide.pk).body == PENDING_BODY


def test_a_due_change_made_stale_is_not_published_and_says_why(publisher, editor, guide):
    pending = editor_prepares(editor, guide)
    schedule(publisher, guide, timezone.now() + HOUR)
    edit(publisher, guide, summary="The publisher's own change")
    stored = Article.objects.filter(pk=guide.pk).values().get()
    assert publish_due(pending.pk, now=timezone.now() + 2 * HOUR) is False
    assert Article.objects.filter(pk=guide.pk).values().get() == stored
    pending.refresh_from_db()
    assert pending.publish_at is None  # not tried again every minute
    assert "The live article was saved since edna made this change" in pending.problem
    assert pending.problem in publisher.get(article_url(guide)).content.decode()


def test_a_due_change_whose_publisher_lost_the_right_is_not_published(publisher, editor, guide):
    pending = editor_prepares(editor, guide)
    schedule(publisher, guide, timezone.now() + HOUR)
    pending.refresh_from_db()
    pending.scheduled_by.groups.remove(Group.objects.get(name="Publisher"))
    assert publish_due(pending.pk, now=timezone.now() + 2 * HOUR) is False
    assert Article.objects.get(pk=guide.pk).body != PENDING_BODY
    pending.refresh_from_db()
    assert "may not publish" in pending.problem
