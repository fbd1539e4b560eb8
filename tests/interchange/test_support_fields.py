"""Import and export of the vendor's support contact and the "no longer supported" flags."""

from __future__ import annotations

import pytest

from articles.content.models import Article
from articles.facts.models import Vendor
from tests.conftest import make_article, make_vendor
from tests.interchange.test_interchange import empty_database, import_error, run_export, run_import

pytestmark = pytest.mark.django_db

HEAD = "format: safelist-helpcenter/1\n"


def test_support_fields_and_flags_survive_export_and_import(tmp_path):
    vendor = make_vendor(
        "acme",
        "Acme Mail",
        support_email="help@acme.example",
        support_url="https://acme.example/support/",
        support_hours="Monday to Friday, 9:00–17:00 UK time",
        unsupported=True,
        unsupported_note="Closed on 1 March 2026: use Acme Mail 2.",
    )
    make_article(vendor, "old-plugin", unsupported=True, unsupported_note="The plug-in was withdrawn.")
    make_vendor("plain", "Plain")
    first = run_export()
    assert (
        "support_email: help@acme.example" in first and "support_url: https://acme.example/support/" in first
    )
    assert "unsupported: true" in first
    plain_part = first.split("slug: plain", 1)[1].split("articles:", 1)[0]
    assert "support" not in plain_part  # empty fields are left out of the file
    empty_database()
    run_import(first, tmp_path=tmp_path)
    acme = Vendor.objects.get(slug="acme")
    assert (acme.support_email, acme.support_url, acme.support_hours) == (
        "help@acme.example",
        "https://acme.example/support/",
        "Monday to Friday, 9:00–17:00 UK time",
    )
    assert (acme.unsupported, acme.unsupported_note) == (True, "Closed on 1 March 2026: use Acme Mail 2.")
    article = Article.objects.get(slug="old-plugin")
    assert (article.unsupported, article.unsupported_note) == (True, "The plug-in was withdrawn.")
    plain = Vendor.objects.get(slug="plain")
    assert (plain.support_email, plain.support_url, plain.unsupported) == ("", "", False)
    assert run_export() == first


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("support_email: not-an-address", "support_email: Enter a valid email address."),
        (
            "support_url: http://acme.example/help",
            "support_url: The support page must be an https:// address.",
        ),
        ("unsupported: maybe", "unsupported:"),
    ],
)
def test_bad_support_fields_in_a_file_are_named_and_change_nothing(tmp_path, line, message):
    make_vendor("acme", "Acme", support_email="old@acme.example")
    message_text = import_error(HEAD + f"vendors:\n  - slug: acme\n    name: Acme\n    {line}\n", tmp_path)
    assert "vendors[0] (acme) > " + message in message_text
    assert Vendor.objects.get(slug="acme").support_email == "old@acme.example"
