"""``import_helpcenter FILE`` keeps its changes as one revision, "Imported from FILE", by no user."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from reversion.models import Revision

from articles.content.models import Article, MailClient
from articles.facts.models import IPRange, Vendor
from articles.revisions import snapshot
from tests.revisions.edits import revisions_of

pytestmark = pytest.mark.django_db

FILE = """\
format: safelist-helpcenter/1
mail_clients:
  - slug: gmail
    name: Gmail
    audience: person
    steps: [Open Gmail.]
vendors:
  - slug: acme
    name: Acme Mail
    ip_ranges:
      - network: 192.0.2.0/24
        added_on: 2024-05-01
articles:
  - vendor: acme
    slug: guide
    title: Allowlist Acme
    clients: [gmail]
"""


def import_file(tmp_path, text: str, *args: str):
    path = tmp_path / "helpcenter.yaml"
    path.write_text(text, encoding="utf-8")
    call_command("import_helpcenter", str(path), *args, stdout=io.StringIO())
    return path


def test_an_import_is_one_revision_with_its_file_named_and_no_user(tmp_path):
    path = import_file(tmp_path, FILE)
    assert Revision.objects.count() == 1
    revision = Revision.objects.get()
    assert revision.comment == f"Imported from {path}"
    assert revision.user is None
    acme = Vendor.objects.get(slug="acme")
    for obj in (acme, Article.objects.get(slug="guide"), MailClient.objects.get(slug="gmail")):
        assert revisions_of(obj) == [revision]
    kept = snapshot.of_revision(Vendor, acme.pk, revision)
    assert [row["network"] for row in kept.rows[IPRange].values()] == ["192.0.2.0/24"]


def test_a_dry_run_keeps_no_revision(tmp_path):
    import_file(tmp_path, FILE, "--dry-run")
    assert not Revision.objects.exists()


def test_reimporting_the_same_file_adds_no_revision(tmp_path):
    import_file(tmp_path, FILE)
    import_file(tmp_path, FILE)
    assert Revision.objects.count() == 1
