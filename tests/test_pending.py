"""Pending changes: an editor's save of a published article waits; readers see it once a publisher publishes it."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from articles.admin.pending import store_pending
from articles.content.models import Article, ArticleClient
from articles.revisions.models import PendingChange
from articles.revisions.pending import body_diff, pending_diff
from articles.search.models import SearchDocument
from articles.services import changes
from tests.admin.forms import add_inline_row, article_url, form_data
from tests.conftest import make_article, make_client

pytestmark = pytest.mark.django_db

LIVE_BODY = "Allow our addresses.\nThen check your spam folder.\nThat is all."
PENDING_BODY = "Allow our addresses.\nThen check your junk folder for the word quokkabird.\nThat is all."


def member_of(group: str, username: str) -> Client:
    user = User.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor() -> Client:
    return member_of("Editor", "edna")


@pytest.fixture
def publisher() -> Client:
    return member_of("Publisher", "pablo")


@pytest.fixture
def gmail():
    return make_client("gmail", "Gmail", steps=["Open Gmail settings."])


@pytest.fixture
def outlook():
    return make_client("outlook", "Outlook", steps=["Open Outlook options."])


@pytest.fixture
def guide(acme, gmail):
    return make_article(acme, "guide", clients=[gmail], body=LIVE_BODY, summary="How to allowlist Acme")


def edit(client: Client, article: Article, **values) -> tuple[dict, object]:
    """Open the article's change page, change ``values``, save; the posted data and the response."""
    data = form_data(client.get(article_url(article)), "article_form")
    data.update(values)
    return data, client.post(article_url(article), {**data, "_save": "Save"})


def editor_prepares(editor: Client, article: Article, outlook=None) -> PendingChange:
    data = form_data(editor.get(article_url(article)), "article_form")
    data.update(title="Allowlisting Acme mail", body=PENDING_BODY)
    if outlook is not None:
        add_inline_row(data, "client_sections", mail_client=str(outlook.pk), position="5")
    response = editor.post(article_url(article), {**data, "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return PendingChange.objects.get(article=article)


def public_surfaces(client: Client, article: Article) -> dict:
    """Everything readers get that could show the article: page, search, API, sitemap."""
    search = client.get("/search/", {"q": "quokkabird"})
    return {
        "page": client.get(article.get_absolute_url()).content,
        "search": [hit.article.pk for hit in search.context["results"].hits],
        "api": json.loads(client.get("/api/articles").content),
        "api_vendor": json.loads(client.get("/api/vendors/acme/articles").content),
        "sitemap": client.get("/sitemap.xml").content,
        "vendor hub": client.get("/acme/").content,
        "downloads": [client.get(url).content for url in ("/acme/allowlist.json", "/allowlist.json")],
    }


def main_content(html: bytes) -> str:
    """The article element of a page, with the exact time of "last updated" left out."""
    article = re.search(r'<article class="article".*?</article>', html.decode(), re.S).group(0)
    return re.sub(r'datetime="[^"]*"', "", article)


# An editor's save waits -------------------------------------------------------------------------


def test_an_editors_save_of_a_published_article_is_kept_as_pending_and_readers_see_nothing_of_it(
    client, editor, guide, outlook
):
    before = public_surfaces(client, guide)
    stored = Article.objects.filter(pk=guide.pk).values().get()
    sections = list(ArticleClient.objects.filter(article=guide).values_list())
    document = SearchDocument.objects.values().get(pk=guide.pk)

    pending = editor_prepares(editor, guide, outlook)

    assert pending.data["title"] == ["Allowlisting Acme mail"]
    assert pending.base_edit_version == stored["edit_version"]
    assert pending.author.username == "edna"
    assert pending.comment == "Changed Title and Body. Added mail client section “Outlook”."
    assert Article.objects.filter(pk=guide.pk).values().get() == stored
    assert list(ArticleClient.objects.filter(article=guide).values_list()) == sections
    assert SearchDocument.objects.values().get(pk=guide.pk) == document
    after = public_surfaces(client, guide)
    assert after == before  # the page byte for byte, and every other surface
    assert after["search"] == []


def test_the_editor_is_told_the_change_is_pending_and_the_page_says_so(editor, guide):
    editor_prepares(editor, guide)
    page = editor.get(article_url(guide))
    html = page.content.decode()
    assert "Saved as a pending change: readers still see the published version" in html
    assert "Published, with unpublished changes" in html
    assert f"/admin/articles/article/{guide.pk}/pending/" in html
    assert f"/admin/articles/article/{guide.pk}/pending/preview/" in html
    # An editor is offered no button to publish.
    assert "Publish the pending change now" not in html
    assert "Publish the pending change at" not in html


def test_a_second_save_by_an_editor_replaces_the_pending_change(editor, guide):
    editor_prepares(editor, guide)
    edit(editor, guide, summary="A second try")
    pending = PendingChange.objects.get(article=guide)
    assert pending.data["summary"] == ["A second try"]
    assert PendingChange.objects.count() == 1


def test_an_editors_invalid_save_shows_the_error_and_keeps_nothing(editor, guide):
    _data, response = edit(editor, guide, title="")
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not PendingChange.objects.exists()


def test_an_editors_save_of_a_draft_is_saved_as_usual(editor, acme):
    draft = make_article(acme, "draft", published=False)
    edit(editor, draft, title="Draft, retitled")
    draft.refresh_from_db()
    assert draft.title == "Draft, retitled"
    assert not PendingChange.objects.exists()


def test_a_publishers_save_of_a_published_article_is_live_at_once(publisher, guide):
    edit(publisher, guide, title="Retitled by a publisher")
    guide.refresh_from_db()
    assert guide.title == "Retitled by a publisher"
    assert not PendingChange.objects.exists()


def test_the_article_list_shows_and_filters_articles_with_pending_changes(editor, publisher, acme, guide):
    other = make_article(acme, "other")
    editor_prepares(editor, guide)
    listed = publisher.get("/admin/articles/article/", {"pending": "yes"})
    assert [a.pk for a in listed.context["cl"].result_list] == [guide.pk]
    listed = publisher.get("/admin/articles/article/", {"pending": "no"})
    assert guide.pk not in [a.pk for a in listed.context["cl"].result_list]
    assert other.pk in [a.pk for a in listed.context["cl"].result_list]
    assert "Pending changes" in publisher.get("/admin/articles/article/").content.decode()


def test_the_article_list_queries_do_not_grow_with_pending_changes(editor, publisher, acme, guide):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert publisher.get("/admin/articles/article/").status_code == 200
        return len(queries)

    editor_prepares(editor, guide)
    one = count()
    for n in range(3):
        article = make_article(acme, f"more-{n}")
        edit(editor, article, summary=f"Pending {n}")
    assert PendingChange.objects.count() == 4
    assert count() == one


# The diff and the preview -----------------------------------------------------------------------


def test_the_diff_shows_changed_fields_the_body_by_line_and_sections_added(publisher, editor, guide, outlook):
    editor_prepares(editor, guide, outlook)
    html = publisher.get(article_url(guide, "pending/")).content.decode()
    assert "Allowlisting Acme mail" in html and guide.title in html
    assert "<del>Then check your spam folder.</del>" in html
    assert "<ins>Then check your junk folder for the word quokkabird.</ins>" in html
    assert "Added: Outlook" in html
    assert "Publish the pending change now" in html


def test_the_diff_page_queries_do_not_grow_with_the_sections(publisher, editor, guide, gmail):
    editor_prepares(editor, guide)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert publisher.get(article_url(guide, "pending/")).status_code == 200
        return len(queries)

    one = count()
    for n in range(3):
        ArticleClient.objects.create(article=guide, mail_client=make_client(f"c{n}"), position=20 + n)
    changes.written(guide)
    PendingChange.objects.update(base_edit_version=Article.objects.get(pk=guide.pk).edit_version)
    # The pending data keeps one section; the live rows the formset binds to are read in one query.
    assert count() == one


def test_body_diff_pairs_changed_lines_and_keeps_context():
    rows = body_diff("a\nb\nc\nd\ne\nf\ng", "a\nb\nc\nD\ne\nf\ng")
    assert [(r.kind, r.live, r.pending) for r in rows] == [
        ("same", "b", "b"),
        ("same", "c", "c"),
        ("changed", "d", "D"),
        ("same", "e", "e"),
        ("same", "f", "f"),
    ]
    assert body_diff("same\ntext", "same\ntext") == []


def test_pending_diff_names_sections_added_removed_and_reordered(acme, gmail, outlook):
    live, pending = Article(title="T", body=""), Article(title="T", body="")
    yahoo = make_client("yahoo", "Yahoo Mail")
    diff = pending_diff(live, [gmail, outlook, yahoo], pending, [outlook, gmail])
    assert diff.sections_removed == ["Yahoo Mail"]
    assert diff.sections_added == []
    assert diff.sections_reordered
    assert not pending_diff(live, [gmail], pending, [gmail])


def test_the_preview_of_a_pending_change_is_what_readers_see_once_it_is_published(
    client, publisher, editor, guide, outlook
):
    pending = editor_prepares(editor, guide, outlook)
    preview = publisher.get(article_url(guide, "pending/preview/"))
    assert preview.status_code == 200
    assert preview["X-Robots-Tag"] == "noindex"
    assert "quokkabird" in preview.content.decode()
    assert 'id="outlook"' in preview.content.decode()

    response = publisher.post(
        article_url(guide, "pending/publish/"), {"seen": pending.updated_at.isoformat()}
    )
    assert response.status_code == 302
    assert main_content(client.get(guide.get_absolute_url()).content) == main_content(preview.content)


def test_an_editor_may_open_the_diff_and_preview_of_a_pending_change(editor, guide):
    editor_prepares(editor, guide)
    assert editor.get(article_url(guide, "pending/")).status_code == 200
    assert editor.get(article_url(guide, "pending/preview/")).status_code == 200


# Publishing -------------------------------------------------------------------------------------


def test_publishing_shows_the_change_on_every_surface_at_once_and_keeps_a_revision(
    client, publisher, editor, guide, outlook
):
    pending = editor_prepares(editor, guide, outlook)
    before = public_surfaces(client, guide)
    response = publisher.post(
        article_url(guide, "pending/publish/"), {"seen": pending.updated_at.isoformat()}
    )
    assert response.status_code == 302
    assert not PendingChange.objects.exists()

    guide.refresh_from_db()
    assert guide.title == "Allowlisting Acme mail" and guide.body == PENDING_BODY
    assert list(guide.client_sections.values_list("mail_client__slug", flat=True)) == ["gmail", "outlook"]
    after = public_surfaces(client, guide)
    assert b"quokkabird" in after["page"] and b"quokkabird" not in before["page"]
    assert after["search"] == [guide.pk]
    titles = [a["title"] for a in after["api"]["articles"]]
    assert "Allowlisting Acme mail" in titles and guide.title not in [
        a["title"] for a in before["api"]["articles"]
    ]
    assert "Allowlisting Acme mail" in [a["title"] for a in after["api_vendor"]["articles"]]
    assert b"/acme/guide/" in after["sitemap"]
    assert (
        b"Allowlisting Acme mail" in after["vendor hub"]
        and b"Allowlisting Acme mail" not in before["vendor hub"]
    )
    version = Version.objects.get_for_object(guide).first()
    assert version.revision.comment == "Published the pending change by edna"
    assert version.revision.user.username == "pablo"
    assert version.field_dict["title"] == "Allowlisting Acme mail"


def test_a_stale_pending_change_is_refused_and_nothing_is_written(publisher, editor, guide):
    pending = editor_prepares(editor, guide)
    edit(publisher, guide, summary="A publisher's own change")
    guide.refresh_from_db()
    stored = Article.objects.filter(pk=guide.pk).values().get()

    response = publisher.post(
        article_url(guide, "pending/publish/"), {"seen": pending.updated_at.isoformat()}, follow=True
    )
    assert "The live article was saved since edna made this change" in response.content.decode()
    assert Article.objects.filter(pk=guide.pk).values().get() == stored
    assert PendingChange.objects.filter(pk=pending.pk).exists()
    assert "cannot be published as it is" in publisher.get(article_url(guide, "pending/")).content.decode()


def test_a_pending_change_saved_again_since_the_publisher_saw_it_is_not_published(publisher, editor, guide):
    pending = editor_prepares(editor, guide)
    seen = pending.updated_at.isoformat()
    edit(editor, guide, summary="Changed after the publisher looked")
    response = publisher.post(article_url(guide, "pending/publish/"), {"seen": seen}, follow=True)
    assert "saved again since you opened it" in response.content.decode()
    assert Article.objects.get(pk=guide.pk).title == guide.title


@pytest.mark.parametrize("action", ["publish/", "schedule/"])
def test_a_forged_publish_by_an_editor_is_refused_and_writes_nothing(editor, guide, action):
    pending = editor_prepares(editor, guide)
    stored = Article.objects.filter(pk=guide.pk).values().get()
    kept = PendingChange.objects.filter(pk=pending.pk).values().get()
    response = editor.post(
        article_url(guide, f"pending/{action}"),
        {"seen": pending.updated_at.isoformat(), "publish_at": "2030-01-01T10:00"},
    )
    assert response.status_code == 403
    assert Article.objects.filter(pk=guide.pk).values().get() == stored
    assert PendingChange.objects.filter(pk=pending.pk).values().get() == kept


def test_publishing_refuses_a_get(publisher, editor, guide):
    editor_prepares(editor, guide)
    assert publisher.get(article_url(guide, "pending/publish/")).status_code == 405
    assert PendingChange.objects.exists()


def test_publishing_twice_publishes_once(publisher, editor, guide):
    pending = editor_prepares(editor, guide)
    publisher.post(article_url(guide, "pending/publish/"), {"seen": pending.updated_at.isoformat()})
    versions = Version.objects.get_for_object(guide).count()
    response = publisher.post(
        article_url(guide, "pending/publish/"), {"seen": pending.updated_at.isoformat()}, follow=True
    )
    assert "no pending change" in response.content.decode()
    assert Version.objects.get_for_object(guide).count() == versions


def test_a_publisher_discards_a_pending_change_and_the_live_article_is_as_it_was(publisher, editor, guide):
    pending = editor_prepares(editor, guide)
    stored = Article.objects.filter(pk=guide.pk).values().get()
    assert publisher.post(article_url(guide, "pending/discard/")).status_code == 302
    assert not PendingChange.objects.filter(pk=pending.pk).exists()
    assert Article.objects.filter(pk=guide.pk).values().get() == stored


def test_another_editor_may_not_discard_someone_elses_pending_change(editor, guide):
    pending = editor_prepares(editor, guide)
    other = member_of("Editor", "eddie")
    assert other.post(article_url(guide, "pending/discard/")).status_code == 403
    assert PendingChange.objects.filter(pk=pending.pk).exists()
    assert editor.post(article_url(guide, "pending/discard/")).status_code == 302
    assert not PendingChange.objects.exists()


def test_publishing_costs_a_fixed_number_of_queries_over_a_publishers_own_save(
    publisher, editor, acme, gmail
):
    # The change form's own save reads each section row (Django's inline formset); publishing
    # adds only its checks, the same few queries whatever the article holds.
    def counted(post) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert post().status_code == 302
        return len(queries)

    def extra(article) -> int:
        data = form_data(publisher.get(article_url(article)), "article_form")
        own_save = counted(lambda: publisher.post(article_url(article), {**data, "_save": "Save"}))
        pending = editor_prepares(editor, article)
        published = counted(
            lambda: publisher.post(
                article_url(article, "pending/publish/"), {"seen": pending.updated_at.isoformat()}
            )
        )
        assert not PendingChange.objects.filter(article=article).exists()
        return published - own_save

    small = make_article(acme, "small", clients=[gmail])
    large = make_article(acme, "large", clients=[gmail, *(make_client(f"m{n}") for n in range(4))])
    assert extra(large) == extra(small)


def test_publishing_replays_only_the_fields_the_editors_form_had(publisher, editor, guide):
    pending = editor_prepares(editor, guide)
    # As if the editor's form had no summary field (a field only publishers may edit).
    pending.form_fields.remove("summary")
    pending.data["summary"] = ["Not the editor's to change"]
    PendingChange.objects.filter(pk=pending.pk).update(form_fields=pending.form_fields, data=pending.data)
    publisher.post(article_url(guide, "pending/publish/"))
    guide.refresh_from_db()
    assert guide.title == "Allowlisting Acme mail"
    assert guide.summary == "How to allowlist Acme"


def test_store_pending_keeps_a_form_for_another_write_path(rf, guide):
    request = rf.post("/")
    request.user = User.objects.create_user("edna", is_staff=True)
    request.user.groups.add(Group.objects.get(name="Editor"))
    pending = store_pending(request, guide, {"title": ["Another path"]})
    assert pending.data == {"title": ["Another path"]}
    assert "title" in pending.form_fields and "body" in pending.form_fields
    assert pending.base_edit_version == Article.objects.get(pk=guide.pk).edit_version
    assert Article.objects.get(pk=guide.pk).title == guide.title


def test_an_editors_pending_save_costs_no_more_than_a_publishers_own_save_however_many_sections(
    publisher, editor, acme, gmail
):
    # Both validate the same forms (Django's inline formset reads each section row); keeping the
    # change instead of saving it adds nothing that grows.
    def counted(client, article) -> int:
        data = form_data(client.get(article_url(article)), "article_form")
        data["summary"] = f"Changed by {client}"
        with CaptureQueriesContext(connection) as queries:
            assert client.post(article_url(article), {**data, "_save": "Save"}).status_code == 302
        return len(queries)

    small = make_article(acme, "small", clients=[gmail])
    large = make_article(acme, "large", clients=[gmail, *(make_client(f"m{n}") for n in range(4))])
    pending_small, pending_large = counted(editor, small), counted(editor, large)
    assert PendingChange.objects.count() == 2
    assert pending_large - pending_small <= counted(publisher, large) - counted(publisher, small)
    assert pending_small < counted(publisher, small)


def test_an_editor_goes_on_from_the_pending_version_and_a_second_save_keeps_the_first(editor, guide, outlook):
    editor_prepares(editor, guide, outlook)
    page = editor.get(article_url(guide))
    assert "The form below shows the pending version" in page.content.decode()
    data = form_data(page, "article_form")
    assert data["title"] == "Allowlisting Acme mail" and data["body"] == PENDING_BODY
    assert str(outlook.pk) in [v for k, v in data.items() if k.endswith("-mail_client")]
    data["summary"] = "A second edit"
    assert editor.post(article_url(guide), {**data, "_save": "Save"}).status_code == 302
    pending = PendingChange.objects.get(article=guide)
    assert pending.data["title"] == ["Allowlisting Acme mail"]
    assert pending.data["summary"] == ["A second edit"]
    assert Article.objects.get(pk=guide.pk).summary == "How to allowlist Acme"


def test_a_publisher_edits_from_the_published_version(publisher, editor, guide):
    editor_prepares(editor, guide)
    page = publisher.get(article_url(guide))
    assert "The form below shows the published version" in page.content.decode()
    assert form_data(page, "article_form")["title"] == guide.title
