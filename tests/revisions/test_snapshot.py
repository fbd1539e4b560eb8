"""A snapshot of the database and of a revision say the same of the same state, and differ after an edit."""

from __future__ import annotations

import pytest

from articles.content.models import Article, ArticleClient
from articles.facts.models import IPRange, SenderAddress, Vendor
from articles.revisions import snapshot
from tests.conftest import make_article, make_client, make_range
from tests.revisions.edits import edit, in_revision, revisions_of

pytestmark = pytest.mark.django_db


def test_a_revision_keeps_the_vendor_as_the_database_had_it(acme):
    latest = revisions_of(acme)[-1]
    kept = snapshot.of_revision(Vendor, acme.pk, latest)
    assert kept == snapshot.of_database(Vendor, acme.pk)
    assert {row["network"] for row in kept.rows[IPRange].values()} == {"192.0.2.0/24", "198.51.100.7/32"}
    assert [row["address"] for row in kept.rows[SenderAddress].values()] == ["alerts@acme.example"]


def test_derived_fields_are_left_out(acme):
    kept = snapshot.of_database(Vendor, acme.pk)
    assert "edit_version" not in kept.fields and "facts_changed_at" not in kept.fields
    ip_range = next(iter(kept.rows[IPRange].values()))
    assert {"start", "end", "prefixlen", "vendor_id"}.isdisjoint(ip_range)


def test_an_older_revision_differs_from_the_database_after_an_edit(acme):
    before = revisions_of(acme)[-1]
    edit(acme, description="Mail for the whole of Acme")
    assert snapshot.of_revision(Vendor, acme.pk, before).fields["description"] == ""
    assert snapshot.of_database(Vendor, acme.pk).fields["description"] == "Mail for the whole of Acme"


def test_a_revision_keeping_many_roots_gives_each_only_its_own_rows(acme):
    other = Vendor.objects.create(slug="other", name="Other")
    make_range(other, "203.0.113.0/24")
    revision = in_revision(lambda: (edit(acme, name="Acme Mail Co"), edit(other, name="Other Co")))
    assert {
        row["network"] for row in snapshot.of_revision(Vendor, other.pk, revision).rows[IPRange].values()
    } == {"203.0.113.0/24"}
    assert len(snapshot.of_revision(Vendor, acme.pk, revision).rows[IPRange]) == 2


def test_an_article_snapshot_keeps_its_client_sections(acme):
    gmail = make_client("gmail", "Gmail")
    article = make_article(acme, "guide", clients=[gmail], body="One\nTwo")
    kept = snapshot.of_revision(Article, article.pk, revisions_of(article)[-1])
    assert kept.fields["body"] == "One\nTwo"
    assert [row["mail_client_id"] for row in kept.rows[ArticleClient].values()] == [gmail.pk]


def test_a_revision_without_the_object_gives_none(acme):
    article = make_article(acme, "guide")
    vendor_only = revisions_of(acme)[0]
    assert snapshot.of_revision(Article, article.pk, vendor_only) is None
