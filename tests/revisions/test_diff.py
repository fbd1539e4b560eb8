"""The diff between two revisions: changed fields side by side, long text by line, rows added and removed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from articles.content.models import Article, StepList
from articles.facts.models import IPRange, Vendor
from articles.revisions import snapshot
from articles.revisions.diff import Line, diff, line_diff
from articles.services import changes
from tests.conftest import make_article, make_client, make_range
from tests.revisions.edits import edit, in_revision, revisions_of


def test_line_diff_marks_added_and_removed_lines_with_context():
    before = "\n".join(f"line {n}" for n in range(1, 11))
    after = before.replace("line 5", "line five")
    lines = line_diff(before, after)
    assert Line("removed", "line 5") in lines and Line("added", "line five") in lines
    assert lines[0] == Line("skipped", "…") and lines[-1] == Line("skipped", "…")
    assert [line.text for line in lines if line.change == "unchanged"] == [
        "line 2", "line 3", "line 4", "line 6", "line 7", "line 8",
    ]  # fmt: skip


def test_line_diff_of_an_empty_text_adds_every_line():
    assert line_diff("", "a\nb") == (Line("added", "a"), Line("added", "b"))


@pytest.mark.django_db
def test_diff_of_two_article_revisions_shows_the_title_and_the_body_by_line(acme):
    article = make_article(acme, "guide", title="Allowlist Acme", body="Intro\nOpen Gmail\nDone")
    first = revisions_of(article)[-1]
    second = edit(article, title="Allowlist Acme mail", body="Intro\nOpen Gmail settings\nDone")
    snapshots = snapshot.of_revisions(Article, article.pk, [first, second])
    changed = diff(snapshots[first.pk], snapshots[second.pk])
    by_label = {change.label: change for change in changed.fields}
    assert set(by_label) == {"Title", "Body"}
    assert (by_label["Title"].before, by_label["Title"].after) == ("Allowlist Acme", "Allowlist Acme mail")
    assert by_label["Title"].lines == ()
    assert by_label["Body"].lines == (
        Line("unchanged", "Intro"),
        Line("removed", "Open Gmail"),
        Line("added", "Open Gmail settings"),
        Line("unchanged", "Done"),
    )


@pytest.mark.django_db
def test_diff_of_vendor_revisions_shows_a_range_added_and_one_retired(acme):
    first = revisions_of(acme)[-1]
    old = IPRange.objects.get(vendor=acme, network="198.51.100.7/32")

    def change_ranges():
        make_range(acme, "203.0.113.5")
        old.retired_on = timezone.localdate()
        old.full_clean()
        old.save()
        changes.written(old)

    second = in_revision(change_ranges)
    snapshots = snapshot.of_revisions(Vendor, acme.pk, [first, second])
    changed = diff(snapshots[first.pk], snapshots[second.pk])
    summaries = [row.summary for row in changed.rows]
    assert "IP range 203.0.113.5/32 added" in summaries
    assert "IP range 198.51.100.7/32 changed" in summaries
    retired = next(row for row in changed.rows if row.kind == "changed")
    assert [(f.label, f.before, f.after) for f in retired.fields] == [
        ("Retired on", "(empty)", timezone.localdate().isoformat())
    ]
    assert changed.publication == (
        "takes 198.51.100.7/32 out of the published lists",
        "adds 203.0.113.5/32 to the published lists",
    )


@pytest.mark.django_db
def test_diff_names_related_objects_in_a_fixed_number_of_queries(django_assert_num_queries):
    gmail = make_client("gmail", "Gmail", steps=["Open settings"])
    step_list = StepList.objects.get(mail_client=gmail)
    first = snapshot.of_database(StepList, step_list.pk)
    vendor = Vendor.objects.create(slug="beta", name="Beta")
    step_list.vendor = vendor
    step_list.save()
    second = snapshot.of_database(StepList, step_list.pk)
    with django_assert_num_queries(2):  # the mail clients, the vendors
        changed = diff(first, second)
    assert [(f.label, f.before, f.after) for f in changed.fields] == [("Vendor", "(empty)", "Beta")]


def test_identical_snapshots_have_no_diff():
    same = snapshot.Snapshot(model=Vendor, pk=1, fields={"name": "A"}, rows={})
    assert not diff(same, same)
