"""The admin's history pages: the list of revisions, the diff of two, the revert with its preview and its rules."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Revision

from articles.content.models import Article, MailClient, StepList
from articles.facts.models import IPRange, SenderAddress
from articles.search.models import PromotedResult, Synonym
from articles.services import changes
from tests.admin.forms import article_url, form_data, vendor_form, vendor_url
from tests.conftest import make_article, make_client, make_range, make_vendor, publish
from tests.revisions.edits import edit, in_revision, revisions_of

pytestmark = pytest.mark.django_db


def member_of(group: str, username: str) -> Client:
    user = User.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(db) -> Client:
    return member_of("Editor", "editor")


@pytest.fixture
def publisher(db) -> Client:
    return member_of("Publisher", "publisher")


def compare_url(obj_url: str, before: Revision, after: Revision) -> str:
    return f"{obj_url}history/compare/?before={before.pk}&after={after.pk}"


def revert_url(obj_url: str, revision: Revision) -> str:
    return f"{obj_url}history/{revision.pk}/revert/"


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def changed_ranges(acme):
    """Acme's revision before a range was added and another retired, and the one after."""
    first = revisions_of(acme)[-1]
    old = IPRange.objects.get(vendor=acme, network="198.51.100.7/32")

    def change_ranges():
        make_range(acme, "203.0.113.5")
        old.retired_on = timezone.localdate()
        old.save()
        changes.written(old)

    return first, in_revision(change_ranges, comment="New range, old one retired")


# The history -------------------------------------------------------------------------------------


def test_an_admin_save_is_a_revision_listed_in_the_history_newest_first(acme, publisher):
    data = vendor_form(publisher, acme)
    data["description"] = "Sends Acme's mail"
    assert publisher.post(vendor_url(acme), data).status_code == 302
    response = publisher.get(vendor_url(acme, "history/"))
    html = response.content.decode()
    rows = re.findall(r"<tr>\s*<td><input type=\"radio\" name=\"before\".*?</tr>", html, re.S)
    assert len(rows) == len(revisions_of(acme)) >= 2
    assert "publisher" in rows[0] and "Changed Short description." in rows[0]
    assert f'action="{vendor_url(acme, "history/compare/")}"' in html and 'method="get"' in html
    assert "Revert to this revision" in rows[0]


def test_the_history_asks_the_same_number_of_queries_however_many_revisions(acme, publisher):
    url = vendor_url(acme, "history/")
    few = queries(publisher, url)
    for number in range(6):
        edit(acme, description=f"Edit {number}")
    assert queries(publisher, url) == few


def test_the_history_needs_the_view_permission(acme):
    stranger = Client()
    stranger.force_login(User.objects.create_user("stranger", is_staff=True))
    assert stranger.get(vendor_url(acme, "history/")).status_code == 403


# The diff ----------------------------------------------------------------------------------------


def test_compare_shows_the_title_side_by_side_and_the_body_by_line(acme, editor):
    article = make_article(
        acme, "guide", title="Allowlist Acme", body="Intro\nOpen Gmail\nDone", published=False
    )
    first = revisions_of(article)[-1]
    second = edit(article, title="Allowlist Acme mail", body="Intro\nOpen Gmail settings\nDone")
    html = editor.get(compare_url(article_url(article, ""), first, second)).content.decode()
    assert re.search(
        r"<th scope=\"row\">Title</th>\s*<td><del>Allowlist Acme</del></td>\s*<td><ins>Allowlist Acme mail</ins>",
        html,
    )
    assert re.search(r"<td>Removed</td>\s*<td><del>Open Gmail</del></td>", html)
    assert re.search(r"<td>Added</td>\s*<td><ins>Open Gmail settings</ins></td>", html)
    assert '<th scope="col">Change</th>' in html


def test_compare_names_the_ranges_added_and_taken_out(acme, editor, changed_ranges):
    first, second = changed_ranges
    # Picked in either order, the older revision is the "before".
    html = editor.get(compare_url(vendor_url(acme, ""), second, first)).content.decode()
    assert "IP range 203.0.113.5/32 added" in html
    assert "Takes 198.51.100.7/32 out of the published lists." in html


def test_compare_asks_the_same_number_of_queries_however_many_ranges(acme, editor):
    url = vendor_url(acme, "")
    first = revisions_of(acme)[-1]
    second = in_revision(lambda: make_range(acme, "203.0.113.1"))
    few = queries(editor, compare_url(url, first, second))
    third = in_revision(lambda: [make_range(acme, f"203.0.113.{n}") for n in range(10, 30)])
    assert queries(editor, compare_url(url, first, third)) == few


@pytest.mark.parametrize("query", ["", "?before=1", "?before=x&after=2", "?before=3&after=3"])
def test_compare_without_two_revisions_says_what_to_pick(acme, editor, query):
    response = editor.get(vendor_url(acme, "history/compare/") + query, follow=True)
    assert "Pick two different revisions to compare" in response.content.decode()


def test_compare_of_another_objects_revision_is_not_found(acme, editor):
    article = make_article(acme, "guide", published=False)
    other = revisions_of(article)[-1]
    assert editor.get(compare_url(vendor_url(acme, ""), revisions_of(acme)[0], other)).status_code == 404


# The revert --------------------------------------------------------------------------------------


def test_revert_preview_says_which_ranges_it_re_adds_and_takes_out_then_reverts(
    acme, publisher, changed_ranges
):
    first, _second = changed_ranges
    url = revert_url(vendor_url(acme, ""), first)
    preview = publisher.get(url)
    html = preview.content.decode()
    assert "Re-adds 198.51.100.7/32 to the published lists." in html
    assert "Takes 203.0.113.5/32 out of the published lists." in html
    assert IPRange.objects.get(network="203.0.113.5/32").retired_on is None  # a preview writes nothing

    response = publisher.post(url, form_data(preview))
    assert response.status_code == 302 and response["Location"] == vendor_url(acme, "history/")
    ranges = dict(IPRange.objects.filter(vendor=acme).values_list("network", "retired_on"))
    assert ranges == {"192.0.2.0/24": None, "198.51.100.7/32": None, "203.0.113.5/32": timezone.localdate()}
    latest = revisions_of(acme)[-1]
    assert latest.comment.startswith("Reverted to the revision of ") and latest.user.username == "publisher"


def test_a_stale_revert_is_refused_with_a_message_and_writes_nothing(acme, publisher, changed_ranges):
    first, _second = changed_ranges
    url = revert_url(vendor_url(acme, ""), first)
    data = form_data(publisher.get(url))
    edit(acme, description="Saved by someone else meanwhile")
    count = Revision.objects.count()
    response = publisher.post(url, data, follow=True)
    assert "saved by someone else since the preview was shown" in response.content.decode()
    assert Revision.objects.count() == count
    assert IPRange.objects.get(network="203.0.113.5/32").retired_on is None


def test_an_editor_cannot_revert_a_published_article(acme, editor, publisher):
    article = make_article(acme, "guide", title="Published title")
    first = revisions_of(article)[-1]
    edit(article, title="Changed title")
    assert "Revert to this revision" not in editor.get(article_url(article, "history/")).content.decode()
    url = revert_url(article_url(article, ""), first)
    preview = editor.get(url).content.decode()
    assert 'name="edit_version"' not in preview
    assert "a publisher must apply it" in preview
    article.refresh_from_db()
    forged = editor.post(url, {"edit_version": article.edit_version})
    assert forged.status_code == 403
    article.refresh_from_db()
    assert article.title == "Changed title"
    assert publisher.post(url, form_data(publisher.get(url))).status_code == 302
    assert Article.objects.get(pk=article.pk).title == "Published title"


def test_an_editor_cannot_revert_a_public_vendor(acme, editor, changed_ranges):
    publish(acme)
    first, _second = changed_ranges
    url = revert_url(vendor_url(acme, ""), first)
    acme.refresh_from_db()
    assert editor.post(url, {"edit_version": acme.edit_version}).status_code == 403
    assert IPRange.objects.get(network="203.0.113.5/32").retired_on is None
    assert IPRange.objects.get(network="198.51.100.7/32").retired_on == timezone.localdate()


def test_an_editor_reverts_a_draft_article(acme, editor):
    article = make_article(acme, "guide", title="Draft title", published=False)
    first = revisions_of(article)[-1]
    edit(article, title="Changed draft")
    assert "Revert to this revision" in editor.get(article_url(article, "history/")).content.decode()
    url = revert_url(article_url(article, ""), first)
    assert editor.post(url, form_data(editor.get(url))).status_code == 302
    assert Article.objects.get(pk=article.pk).title == "Draft title"


def test_an_editor_cannot_publish_by_reverting_a_draft_to_a_published_revision(acme, editor):
    article = make_article(acme, "guide", title="Once published")
    first = revisions_of(article)[-1]
    edit(article, status=Article.Status.DRAFT)
    article.refresh_from_db()
    url = revert_url(article_url(article, ""), first)
    assert editor.post(url, {"edit_version": article.edit_version}).status_code == 403
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


# Every root, and the query counts of the revert ------------------------------------------------


def test_every_edited_object_has_a_history_and_reverts(acme, publisher):
    """A mail client, a step list, a synonym group and a promotion: history, compare and revert."""
    client = make_client("gmail", "Gmail", steps=["Open settings"])
    step_list = StepList.objects.get(mail_client=client)
    article = make_article(acme, "guide")
    objects = [
        (client, "name", "Gmail (web)"),
        (step_list, "intro", "Changed intro"),
        (Synonym.objects.create(terms="allowlist, whitelist"), "terms", "allowlist, safelist"),
        (PromotedResult.objects.create(query="gmail", article=article), "query", "gmail settings"),
    ]
    for obj, field, value in objects:
        first = in_revision(lambda obj=obj: changes.edited(type(obj), obj.pk))
        second = edit(obj, **{field: value})
        url = f"/admin/articles/{obj._meta.model_name}/{obj.pk}/"
        assert publisher.get(url + "history/").status_code == 200
        assert value in publisher.get(compare_url(url, first, second)).content.decode()
        revert = revert_url(url, first)
        assert publisher.post(revert, form_data(publisher.get(revert))).status_code == 302
        obj.refresh_from_db()
        assert getattr(obj, field) != value, obj
    assert MailClient.objects.get(pk=client.pk).name == "Gmail"


def test_the_revert_preview_and_the_revert_ask_the_same_number_of_queries_however_many_ranges(
    acme, publisher
):
    def measure(vendor, first, method):
        url = revert_url(vendor_url(vendor, ""), first)
        data = form_data(publisher.get(url))
        with CaptureQueriesContext(connection) as captured:
            response = publisher.get(url) if method == "get" else publisher.post(url, data)
        assert response.status_code == (200 if method == "get" else 302)
        return len(captured)

    counts = []
    for slug, unchanged in (("few", 1), ("many", 20)):
        vendor = make_vendor_with_ranges(slug, unchanged)
        first = revisions_of(vendor)[-1]
        edit(vendor, description="Changed")
        in_revision(lambda vendor=vendor: make_range(vendor, "203.0.113.5"))
        counts.append((measure(vendor, first, "get"), measure(vendor, first, "post")))
    assert counts[0] == counts[1]


def make_vendor_with_ranges(slug: str, count: int):
    vendor = make_vendor(slug)
    in_revision(lambda: [make_range(vendor, f"192.0.2.{n}") for n in range(count)])
    return vendor


def test_a_revert_that_would_delete_an_address_readers_see_is_refused_in_the_preview(acme, publisher):
    publish(acme)
    first = revisions_of(acme)[-1]
    in_revision(
        lambda: changes.written(SenderAddress.objects.create(vendor=acme, address="news@acme.example"))
    )
    url = revert_url(vendor_url(acme, ""), first)
    preview = publisher.get(url).content.decode()
    assert "This revert cannot be applied" in preview and "news@acme.example" in preview
    assert 'name="edit_version"' not in preview
    acme.refresh_from_db()
    response = publisher.post(url, {"edit_version": acme.edit_version}, follow=True)
    assert "the revert is refused" in response.content.decode()
    assert SenderAddress.objects.filter(address="news@acme.example").exists()


def test_an_editor_cannot_retire_a_range_of_a_draft_vendor_by_reverting(acme, editor, changed_ranges):
    first, _second = changed_ranges
    url = revert_url(vendor_url(acme, ""), first)
    assert "permission to retire ranges" in editor.get(url).content.decode()
    acme.refresh_from_db()
    assert editor.post(url, {"edit_version": acme.edit_version}).status_code == 403
    assert IPRange.objects.get(network="203.0.113.5/32").retired_on is None
