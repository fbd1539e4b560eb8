"""Editor and Publisher: who may publish, unpublish, retire and change what readers see, by every path.

Each refusal is shown from the database: the row, its edit version and the
admin's log are as they were. The users are members of the groups migration
0009 creates, never superusers, so the tests also show that the groups carry
every permission the daily tasks need.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Version

from articles.admin import roles
from articles.content.models import Article, MailClient, StepList
from articles.facts.models import IPRange, Vendor
from articles.revisions.models import PendingChange
from articles.revisions.registry import root_of
from articles.search.models import PromotedResult, SearchQueryLog
from tests.admin.forms import (
    add_inline_row,
    article_url,
    form_data,
    inline_row,
    paste,
    paste_url,
    vendor_facts,
    vendor_form,
    vendor_url,
)
from tests.conftest import make_article, make_client, make_range, make_vendor

ARTICLES = "/admin/articles/article/"
RANGES = "/admin/articles/iprange/"


def member_of(group: str, username: str) -> Client:
    user = User.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(db) -> Client:
    return member_of("Editor", "eddie")


@pytest.fixture
def publisher(db) -> Client:
    return member_of("Publisher", "pat")


@pytest.fixture
def smarttrak(db) -> Vendor:
    """A public vendor (it has a published guide) with one range."""
    vendor = make_vendor("smarttrak", "SmartTRAK", public=True)
    make_range(vendor, "203.0.113.5/32")
    return vendor


def stored(article: Article) -> tuple:
    row = Article.objects.get(pk=article.pk)
    return (row.title, row.status, row.published_at, row.reviewed_on, row.edit_version)


def logged() -> int:
    return LogEntry.objects.count()


def listed(name: str, *objects) -> dict:
    """A list's action form as the page sends it: each row with its root's version (admin/locking.py)."""
    versions = {}
    for obj in objects:
        model, pk = root_of(obj)
        versions[f"_version_{obj.pk}"] = model.objects.values_list("edit_version", flat=True).get(pk=pk)
    return {"action": name, "_selected_action": [str(obj.pk) for obj in objects], **versions}


def action(client: Client, url: str, name: str, *objects) -> object:
    return client.post(url, listed(name, *objects), follow=True)


def action_choices(client: Client, url: str) -> set[str]:
    html = client.get(url).content.decode()
    return {name for name in ("publish_now", "unpublish", "mark_reviewed", "retire_today") if name in html}


# The rules themselves ------------------------------------------------------------------------


def request_of(user: User, method: str = "POST"):
    request = getattr(RequestFactory(), method.lower())("/admin/")
    request.user = user
    return request


def test_what_readers_see_is_judged_on_the_stored_row(acme, smarttrak):
    draft = make_article(acme, "draft", published=False)
    published = Article.objects.get(vendor=smarttrak)
    gmail = make_client("gmail", steps=["Open Gmail."])
    generic = StepList.objects.get(mail_client=gmail)
    acme_steps = StepList.objects.create(mail_client=gmail, vendor=acme)

    assert not roles.is_seen_by_readers(draft)
    assert roles.is_seen_by_readers(published)
    published.status = Article.Status.DRAFT  # a form about to unpublish does not make it private yet
    assert roles.is_seen_by_readers(published)
    assert not roles.is_seen_by_readers(acme)
    assert roles.is_seen_by_readers(smarttrak)
    assert not roles.is_seen_by_readers(acme.ip_ranges.first())
    assert roles.is_seen_by_readers(smarttrak.ip_ranges.first())
    assert roles.is_seen_by_readers(IPRange(vendor=smarttrak, network="198.51.100.0/24"))
    assert not roles.is_seen_by_readers(IPRange(vendor=acme, network="198.51.100.0/24"))
    assert roles.is_seen_by_readers(generic)
    assert roles.is_seen_by_readers(generic.steps.first())
    assert not roles.is_seen_by_readers(acme_steps)
    assert roles.is_seen_by_readers(StepList(mail_client=make_client("yahoo")))
    assert roles.is_seen_by_readers(gmail)
    assert not roles.is_seen_by_readers(Article(title="new"))
    assert not roles.is_seen_by_readers(Vendor(name="new"))


def test_may_apply_directly_needs_the_publishing_permission_for_what_readers_see(
    editor, publisher, acme, smarttrak
):
    eddie, pat = User.objects.get(username="eddie"), User.objects.get(username="pat")
    published = Article.objects.get(vendor=smarttrak)
    draft = make_article(acme, "draft", published=False)
    gmail = make_client("gmail")
    for obj in (published, smarttrak, smarttrak.ip_ranges.first(), gmail):
        assert not roles.may_apply_directly(request_of(eddie), obj)
        assert roles.may_apply_directly(request_of(pat), obj)
    for obj in (draft, acme, acme.ip_ranges.first(), None):
        assert roles.may_apply_directly(request_of(eddie), obj)
    assert roles.may_post_change(request_of(eddie, "GET"), published), "opening and preparing is allowed"
    assert not roles.may_post_change(request_of(eddie), published)


def test_the_groups_split_the_publishing_permissions(editor, publisher):
    eddie, pat = User.objects.get(username="eddie"), User.objects.get(username="pat")
    assert not (
        roles.can_publish(eddie) or roles.can_retire(eddie) or roles.can_change_published_facts(eddie)
    )
    assert roles.can_publish(pat) and roles.can_retire(pat) and roles.can_change_published_facts(pat)


# Articles: the change form ------------------------------------------------------------------


def test_editor_sees_status_and_publication_time_read_only(editor, publisher, acme):
    draft = make_article(acme, "draft", published=False)
    editor_form = form_data(editor.get(article_url(draft)), "article_form")
    assert "status" not in editor_form and "published_at_0" not in editor_form
    assert "status" not in form_data(editor.get(f"{ARTICLES}add/"), "article_form")
    assert "status" in form_data(publisher.get(article_url(draft)), "article_form")


def test_editor_posting_status_published_for_a_draft_leaves_it_a_draft(editor, acme):
    draft = make_article(acme, "draft", published=False)
    data = form_data(editor.get(article_url(draft)), "article_form")
    data.update({"status": "published", "published_at_0": "2026-01-01", "published_at_1": "10:00:00"})
    response = editor.post(article_url(draft), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT and draft.published_at is None


def test_editor_new_article_is_always_a_draft(editor, acme):
    data = form_data(editor.get(f"{ARTICLES}add/"), "article_form")
    data.update({"vendor": str(acme.pk), "title": "New", "slug": "new", "status": "published"})
    assert editor.post(f"{ARTICLES}add/", data).status_code == 302
    assert Article.objects.get(slug="new").status == Article.Status.DRAFT


def test_editor_cannot_schedule_a_withdrawal(editor, acme):
    data = form_data(editor.get(f"{ARTICLES}add/"), "article_form")
    assert "unpublish_at_0" not in data, "the field is shown read-only"
    data.update(
        {
            "vendor": str(acme.pk),
            "title": "New",
            "slug": "new",
            "unpublish_at_0": "2030-01-01",
            "unpublish_at_1": "10:00",
        }
    )
    assert editor.post(f"{ARTICLES}add/", data).status_code == 302
    assert Article.objects.get(slug="new").unpublish_at is None


def test_editor_cannot_save_a_published_article_directly(editor, smarttrak):
    article = Article.objects.get(vendor=smarttrak)
    data = form_data(editor.get(article_url(article)), "article_form")
    assert editor.get(article_url(article)).status_code == 200, "an editor may open it and prepare"
    before, entries = stored(article), logged()
    data.update({"title": "Changed by an editor", "status": "draft"})
    # Kept aside as a pending change for a publisher (admin/pending.py); the live article is untouched.
    assert editor.post(article_url(article), data).status_code == 302
    assert stored(article) == before and logged() == entries
    assert PendingChange.objects.get(article=article).data["title"] == ["Changed by an editor"]


def test_publisher_saves_a_published_article_and_may_unpublish_it_in_the_form(publisher, smarttrak):
    article = Article.objects.get(vendor=smarttrak)
    data = form_data(publisher.get(article_url(article)), "article_form")
    data.update({"title": "Changed by a publisher", "status": "draft"})
    assert publisher.post(article_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.status) == ("Changed by a publisher", Article.Status.DRAFT)


# Articles: the actions ----------------------------------------------------------------------


def test_editor_is_offered_only_mark_reviewed(editor, publisher, acme):
    make_article(acme, "draft", published=False)
    assert action_choices(editor, ARTICLES) == {"mark_reviewed"}
    assert action_choices(publisher, ARTICLES) == {"publish_now", "unpublish", "mark_reviewed"}


def test_editor_forged_publish_and_unpublish_actions_write_nothing(editor, acme, smarttrak):
    draft = make_article(acme, "draft", published=False)
    published = Article.objects.get(vendor=smarttrak)
    before, entries = (stored(draft), stored(published)), logged()
    action(editor, ARTICLES, "publish_now", draft)
    action(editor, ARTICLES, "unpublish", published)
    assert (stored(draft), stored(published)) == before and logged() == entries


def test_publish_now_publishes_keeps_a_revision_and_says_so(publisher, acme):
    draft = make_article(acme, "draft", published=False)
    scheduled = make_article(acme, "later", published_at=timezone.now() + dt.timedelta(days=3))
    version = stored(draft)[-1]
    response = action(publisher, ARTICLES, "publish_now", draft, scheduled)
    assert "Published 2 articles" in response.content.decode()
    for article in (draft, scheduled):
        article.refresh_from_db()
        assert article.is_public
    assert draft.edit_version == version + 1
    assert LogEntry.objects.filter(object_id=str(draft.pk), change_message__contains="status").exists()
    assert Version.objects.get_for_object(draft).first().field_dict["status"] == "published"


def test_publish_now_leaves_public_articles_as_they_were(publisher, smarttrak):
    article = Article.objects.get(vendor=smarttrak)
    before = stored(article)
    response = action(publisher, ARTICLES, "publish_now", article)
    assert "Nothing changed" in response.content.decode()
    assert stored(article) == before


def test_unpublish_takes_articles_from_readers(publisher, client, smarttrak):
    article = Article.objects.get(vendor=smarttrak)
    assert client.get(article.get_absolute_url()).status_code == 200
    response = action(publisher, ARTICLES, "unpublish", article)
    assert "Unpublished 1 article" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert client.get(article.get_absolute_url()).status_code == 404
    assert LogEntry.objects.filter(object_id=str(article.pk)).exists()


def test_editor_marks_articles_reviewed_today(editor, acme):
    draft = make_article(acme, "draft", published=False, reviewed_on=dt.date(2020, 1, 1))
    version = stored(draft)[-1]
    response = action(editor, ARTICLES, "mark_reviewed", draft)
    assert "Marked 1 article" in response.content.decode()
    draft.refresh_from_db()
    assert draft.reviewed_on == timezone.localdate() and draft.edit_version == version + 1


def test_publish_action_query_count_is_pinned(publisher, acme):
    def publish(count: int) -> list[str]:
        drafts = [make_article(acme, f"d{count}-{n}", published=False) for n in range(count)]
        selected = listed("publish_now", *drafts)
        with CaptureQueriesContext(connection) as queries:
            assert publisher.post(ARTICLES, selected).status_code == 302
        return [query["sql"] for query in queries]

    one, three = publish(1), publish(3)
    # 28, the lock of the articles' rows that refuses a stale list (admin/locking.py), and the
    # re-index's replacing of the articles' search sections (a delete, a bulk insert).
    assert len(one) == 31, one
    # One UPDATE for all the articles and one search re-index; what grows is kept on purpose, per
    # article: its admin log entry, and the revision's read of the client sections it follows.
    assert len(three) == len(one) + 2 * 2, three


# Ranges: retiring ---------------------------------------------------------------------------


def test_editor_is_not_offered_retire_and_a_forged_retire_writes_nothing(editor, acme, smarttrak):
    ip_range = acme.ip_ranges.first()
    assert "retire_today" not in action_choices(editor, RANGES)
    before, entries = vendor_facts(acme), logged()
    action(editor, RANGES, "retire_today", ip_range, smarttrak.ip_ranges.first())
    assert vendor_facts(acme) == before and logged() == entries
    assert not IPRange.objects.filter(retired_on__isnull=False).exists()


def test_publisher_retires_a_range(publisher, smarttrak):
    ip_range = smarttrak.ip_ranges.first()
    assert "retire_today" in action_choices(publisher, RANGES)
    response = action(publisher, RANGES, "retire_today", ip_range)
    assert "Retired 1 range" in response.content.decode()
    ip_range.refresh_from_db()
    assert ip_range.retired_on == timezone.localdate()


def test_editor_cannot_retire_through_the_range_form_or_the_vendor_form(editor, acme):
    ip_range = acme.ip_ranges.first()
    data = form_data(editor.get(f"{RANGES}{ip_range.pk}/change/"), "iprange_form")
    assert "retired_on" not in data
    data["retired_on"] = "2026-01-01"
    assert editor.post(f"{RANGES}{ip_range.pk}/change/", data).status_code == 302
    vendor = vendor_form(editor, acme)
    assert not any(name.startswith("ip_ranges-") and name.endswith("-retired_on") for name in vendor)
    vendor[f"{inline_row(vendor, 'ip_ranges', ip_range.pk)}-retired_on"] = "2026-01-01"
    assert editor.post(vendor_url(acme), vendor).status_code == 302
    ip_range.refresh_from_db()
    assert ip_range.retired_on is None


def test_editor_cannot_change_or_add_a_public_vendors_range_in_the_range_admin(editor, acme, smarttrak):
    ip_range = smarttrak.ip_ranges.first()
    data = form_data(editor.get(f"{RANGES}{ip_range.pk}/change/"), "iprange_form")
    before = vendor_facts(smarttrak)
    data["public_note"] = "changed"
    assert editor.post(f"{RANGES}{ip_range.pk}/change/", data).status_code == 403
    new = {
        "vendor": str(smarttrak.pk),
        "network": "198.51.100.0/24",
        "tier": "primary",
        "added_on": "2026-01-01",
    }
    assert editor.post(f"{RANGES}add/", new).status_code == 403
    assert vendor_facts(smarttrak) == before
    new["vendor"] = str(acme.pk)
    assert editor.post(f"{RANGES}add/", new).status_code == 302
    assert acme.ip_ranges.filter(network="198.51.100.0/24").exists()


# Vendors: published facts and pasting ranges ------------------------------------------------


def test_editor_cannot_save_a_public_vendor_only_propose_a_change(editor, publisher, smarttrak):
    data = vendor_form(editor, smarttrak)
    data["description"] = "changed"
    add_inline_row(data, "ip_ranges", network="198.51.100.0/24", tier="primary", added_on="2026-01-01")
    before, entries = vendor_facts(smarttrak), logged()
    # Kept as a proposed fact change for a publisher to apply (tests/test_proposals.py).
    assert editor.post(vendor_url(smarttrak), data).status_code == 302
    assert vendor_facts(smarttrak) == before and logged() == entries
    assert smarttrak.fact_proposal.author.username == "eddie"
    assert publisher.post(vendor_url(smarttrak), data).status_code == 302
    assert smarttrak.ip_ranges.filter(network="198.51.100.0/24").exists()


def test_paste_link_shows_only_where_the_user_may_paste(editor, publisher, acme, smarttrak):
    assert paste_url(acme) in editor.get(vendor_url(acme)).content.decode()
    assert paste_url(smarttrak) not in editor.get(vendor_url(smarttrak)).content.decode()
    assert paste_url(smarttrak) in publisher.get(vendor_url(smarttrak)).content.decode()


def test_editor_pasting_into_a_public_vendor_is_refused_and_writes_nothing(editor, smarttrak):
    before = vendor_facts(smarttrak)
    assert editor.get(paste_url(smarttrak)).status_code == 403
    assert paste(editor, smarttrak, "198.51.100.0/24").status_code == 403
    assert vendor_facts(smarttrak) == before


def test_publisher_pastes_into_a_public_vendor(publisher, smarttrak):
    assert paste(publisher, smarttrak, "198.51.100.0/24\n198.51.100.200").status_code == 302
    assert smarttrak.ip_ranges.count() == 3


# Steps and mail clients ---------------------------------------------------------------------


def test_editor_cannot_save_generic_steps_or_a_mail_client(editor, publisher):
    gmail = make_client("gmail", "Gmail", steps=["Open Gmail."])
    steps = StepList.objects.get(mail_client=gmail)
    step_url = f"/admin/articles/steplist/{steps.pk}/change/"
    client_url = f"/admin/articles/mailclient/{gmail.pk}/change/"
    step_data = form_data(editor.get(step_url), "steplist_form")
    step_data["intro"] = "Changed"
    client_data = form_data(editor.get(client_url), "mailclient_form")
    client_data["name"] = "Changed"
    assert editor.post(step_url, step_data).status_code == 403
    assert editor.post(client_url, client_data).status_code == 403
    assert (
        StepList.objects.get(pk=steps.pk).intro == "" and MailClient.objects.get(pk=gmail.pk).name == "Gmail"
    )
    assert publisher.post(step_url, step_data).status_code == 302
    assert publisher.post(client_url, client_data).status_code == 302
    assert StepList.objects.get(pk=steps.pk).intro == "Changed"


def test_editor_cannot_reorder_mail_clients_from_the_list(editor):
    gmail = make_client("gmail", "Gmail")
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(gmail.pk),
        "form-0-position": "9",
        "_save": "Save",
    }
    assert editor.post("/admin/articles/mailclient/", data).status_code == 403
    assert MailClient.objects.get(pk=gmail.pk).position == 0


# Search: promotions and the report -----------------------------------------------------------


def test_editor_forged_promotion_is_refused(editor, publisher, smarttrak):
    article = Article.objects.get(vendor=smarttrak)
    data = {"query": "smarttrak", "article": str(article.pk)}
    assert editor.post("/admin/articles/promotedresult/add/", data).status_code == 403
    assert not PromotedResult.objects.exists()
    assert publisher.post("/admin/articles/promotedresult/add/", data).status_code == 302
    assert PromotedResult.objects.filter(query="smarttrak", article=article).exists()


def test_search_report_offers_promotion_only_to_who_may_promote(editor, publisher, db):
    SearchQueryLog.objects.create(query="gmial", normalised="gmial", result_count=0)
    editor_page = editor.get("/admin/articles/searchquerylog/report/")
    assert editor_page.status_code == 200 and "gmial" in editor_page.content.decode()
    assert "Promote an article" not in editor_page.content.decode()
    assert "Promote an article" in publisher.get("/admin/articles/searchquerylog/report/").content.decode()


def test_staff_without_view_permission_get_no_report_and_no_preview(db, smarttrak):
    user = User.objects.create_user("nobody", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    article = Article.objects.get(vendor=smarttrak)
    assert client.get("/admin/articles/searchquerylog/report/").status_code == 403
    assert client.get(article_url(article, "preview/")).status_code == 403
    assert client.get(f"{ARTICLES}review/").status_code == 403


# No daily task needs a superuser -------------------------------------------------------------


def test_an_editor_does_the_daily_preparation_without_a_superuser(editor, acme):
    gmail = make_client("gmail", "Gmail", steps=["Open Gmail."])
    data = form_data(editor.get(f"{ARTICLES}add/"), "article_form")
    data.update({"vendor": str(acme.pk), "title": "Allowlisting Acme", "slug": "allowlisting-acme"})
    add_inline_row(data, "client_sections", mail_client=str(gmail.pk), position="0")
    assert editor.post(f"{ARTICLES}add/", data).status_code == 302
    article = Article.objects.get(slug="allowlisting-acme")
    assert article.status == Article.Status.DRAFT and article.client_sections.count() == 1

    data = form_data(editor.get(article_url(article)), "article_form")
    data["summary"] = "How to get Acme's mail"
    assert editor.post(article_url(article), data).status_code == 302
    assert Article.objects.get(pk=article.pk).summary == "How to get Acme's mail"

    assert editor.get(article_url(article, "preview/")).status_code == 200
    assert paste(editor, acme, "198.51.100.0/24").status_code == 302
    assert acme.ip_ranges.filter(network="198.51.100.0/24").exists()
    assert editor.get("/admin/articles/searchquerylog/report/").status_code == 200
    assert editor.get(f"{ARTICLES}review/").status_code == 200


def test_a_publisher_does_the_daily_publishing_without_a_superuser(publisher, acme, smarttrak):
    draft = make_article(acme, "draft", published=False)
    action(publisher, ARTICLES, "publish_now", draft)
    assert Article.objects.get(pk=draft.pk).is_public
    action(publisher, ARTICLES, "unpublish", draft)
    assert Article.objects.get(pk=draft.pk).status == Article.Status.DRAFT
    action(publisher, RANGES, "retire_today", smarttrak.ip_ranges.first())
    assert smarttrak.ip_ranges.get().retired_on == timezone.localdate()
    assert paste(publisher, smarttrak, "198.51.100.0/24").status_code == 302
    assert smarttrak.ip_ranges.filter(network="198.51.100.0/24").exists()
    published = Article.objects.get(vendor=smarttrak)
    data = {"query": "smarttrak", "article": str(published.pk)}
    assert publisher.post("/admin/articles/promotedresult/add/", data).status_code == 302
    assert PromotedResult.objects.filter(article=published).exists()


def test_editor_adds_steps_for_a_draft_vendor_but_not_generic_ones(editor, publisher, acme):
    yahoo = make_client("yahoo", "Yahoo Mail")
    data = form_data(editor.get("/admin/articles/steplist/add/"), "steplist_form")
    data.update({"mail_client": str(yahoo.pk), "vendor": ""})
    assert editor.post("/admin/articles/steplist/add/", data).status_code == 403
    assert not StepList.objects.exists()
    assert editor.post("/admin/articles/steplist/add/", {**data, "vendor": str(acme.pk)}).status_code == 302
    assert publisher.post("/admin/articles/steplist/add/", data).status_code == 302
    assert set(StepList.objects.values_list("vendor_id", flat=True)) == {acme.pk, None}
