"""Reverting to a revision: what the preview says it will change is what the revert changes, as a new revision."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from reversion.models import Revision

from articles.content.models import Article, ArticleClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, Vendor
from articles.revisions import revert, snapshot
from articles.revisions.diff import diff
from articles.services import changes
from tests.conftest import make_article, make_client, make_range, make_vendor, publish
from tests.revisions.edits import edit, in_revision, revisions_of

pytestmark = pytest.mark.django_db


def preview(model, obj, revision):
    plan = revert.plan_revert(
        current=snapshot.of_database(model, obj.pk), target=snapshot.of_revision(model, obj.pk, revision)
    )
    return plan, diff(plan.current, plan.result, reverting=True)


def apply(model, obj, revision, *, user=None, edit_version=None):
    obj.refresh_from_db()
    with changes.recording():
        revert.revert(
            model=model,
            pk=obj.pk,
            revision=revision,
            edit_version=obj.edit_version if edit_version is None else edit_version,
            user=user,
            written=changes.written,
        )


@pytest.fixture
def support(db) -> User:
    return User.objects.create_user("support", is_staff=True)


@pytest.fixture
def clients(db):
    return make_client("gmail", "Gmail"), make_client("outlook", "Outlook")


def test_revert_of_an_article_restores_title_body_and_sections_as_a_new_revision(acme, clients, support):
    gmail, outlook = clients
    article = make_article(acme, "guide", title="Allowlist Acme", body="Intro\nOpen Gmail", clients=[gmail])
    first = revisions_of(article)[-1]

    def rewrite():
        edit(article, title="Acme mail", body="Intro\nOpen Outlook")
        section = ArticleClient.objects.get(article=article)
        section.delete()
        changes.written(section)
        changes.written(ArticleClient.objects.create(article=article, mail_client=outlook))

    in_revision(rewrite, user=support, comment="Rewritten for Outlook")

    _plan, changed = preview(Article, article, first)
    assert [(f.label, f.before, f.after) for f in changed.fields][0] == (
        "Title",
        "Acme mail",
        "Allowlist Acme",
    )
    body = next(f for f in changed.fields if f.label == "Body")
    assert [(line.change, line.text) for line in body.lines if line.change != "unchanged"] == [
        ("removed", "Open Outlook"),
        ("added", "Open Gmail"),
    ]
    assert sorted(row.summary for row in changed.rows) == [
        "Mail client section Gmail added",
        "Mail client section Outlook removed",
    ]

    apply(Article, article, first, user=support)
    article.refresh_from_db()
    assert (article.title, article.body) == ("Allowlist Acme", "Intro\nOpen Gmail")
    assert list(article.client_sections.values_list("mail_client__slug", flat=True)) == ["gmail"]
    latest = revisions_of(article)[-1]
    when = timezone.localtime(first.date_created).strftime("%Y-%m-%d %H:%M")
    assert latest.comment == f"Reverted to the revision of {when} by a command"
    assert latest.user == support
    assert not diff(
        snapshot.of_revision(Article, article.pk, first), snapshot.of_revision(Article, article.pk, latest)
    )


def test_revert_of_a_vendors_ranges_retires_the_new_one_and_relists_the_retired_one(acme):
    first = revisions_of(acme)[-1]
    old = IPRange.objects.get(vendor=acme, network="198.51.100.7/32")

    def change_ranges():
        make_range(acme, "203.0.113.5")
        old.retired_on = timezone.localdate()
        old.save()
        changes.written(old)

    in_revision(change_ranges)

    _plan, changed = preview(Vendor, acme, first)
    assert changed.publication == (
        "re-adds 198.51.100.7/32 to the published lists",
        "takes 203.0.113.5/32 out of the published lists",
    )
    assert changed.retires

    apply(Vendor, acme, first)
    ranges = dict(IPRange.objects.filter(vendor=acme).values_list("network", "retired_on"))
    assert ranges == {"192.0.2.0/24": None, "198.51.100.7/32": None, "203.0.113.5/32": timezone.localdate()}


def test_a_stale_revert_is_refused_and_writes_nothing(acme, clients):
    article = make_article(acme, "guide", title="First")
    first = revisions_of(article)[-1]
    edit(article, title="Second")
    article.refresh_from_db()
    loaded_at = article.edit_version
    edit(article, title="Third, by someone else")
    count = Revision.objects.count()
    with pytest.raises(revert.RevertRefused, match="saved by someone else"):
        apply(Article, article, first, edit_version=loaded_at)
    article.refresh_from_db()
    assert article.title == "Third, by someone else"
    assert Revision.objects.count() == count


def test_a_revert_the_validation_refuses_writes_nothing(acme):
    article = make_article(acme, "guide", title="Guide")
    first = revisions_of(article)[-1]
    edit(article, slug="renamed")
    make_article(acme, "guide", title="A newer guide that took the slug")
    count = Revision.objects.count()
    with pytest.raises(revert.RevertRefused, match="already has an article with that slug"):
        apply(Article, article, first)
    article.refresh_from_db()
    assert article.slug == "renamed"
    assert Revision.objects.count() == count


def test_a_sender_address_readers_see_is_not_deleted_by_a_revert(acme):
    publish(acme)
    first = revisions_of(acme)[-1]
    changes.written(SenderAddress.objects.create(vendor=acme, address="news@acme.example", used_for="news"))
    plan, _changed = preview(Vendor, acme, first)
    assert "news@acme.example" in plan.problems[0]
    before = list(SenderAddress.objects.values_list("address", flat=True))
    with pytest.raises(revert.RevertRefused, match="news@acme.example"):
        apply(Vendor, acme, first)
    assert list(SenderAddress.objects.values_list("address", flat=True)) == before


def test_a_sender_address_of_a_draft_vendor_is_deleted_by_a_revert(db):
    vendor = make_vendor("draft")
    first = in_revision(lambda: changes.written(vendor))
    changes.written(SenderAddress.objects.create(vendor=vendor, address="news@draft.example"))
    apply(Vendor, vendor, first)
    assert not SenderAddress.objects.filter(vendor=vendor).exists()


def test_steps_absent_from_the_revision_are_deleted_and_changed_ones_restored(db):
    client = make_client("gmail", "Gmail", steps=["Open settings", "Add the address"])
    step_list = StepList.objects.get(mail_client=client)
    first = in_revision(lambda: changes.written(step_list))

    def rewrite():
        step = step_list.steps.get(position=0)
        step.text = "Open the settings page"
        step.save()
        changes.written(step)
        changes.written(Step.objects.create(step_list=step_list, position=2, text="Save"))

    in_revision(rewrite)
    apply(StepList, step_list, first)
    assert list(step_list.steps.values_list("text", flat=True)) == ["Open settings", "Add the address"]
