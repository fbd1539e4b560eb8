"""The end of an article page: "Still stuck?" with and without support fields, and the "no longer supported" banner."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from articles.content.support import support_contact
from tests.conftest import make_article, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(acme):
    gmail = make_client("gmail", "Gmail", steps=["Open **Settings**."])
    postfix = make_client("postfix", "Postfix", audience="it", steps=["Edit `main.cf`."])
    return make_article(acme, "allowlisting-guide", clients=[gmail, postfix])


def block(html: str, uid: str) -> str:
    return re.search(rf'<div class="still-stuck" data-still-stuck="{uid}">(.*?)\n</div>', html, re.S).group(1)


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_with_support_fields_every_block_names_the_vendors_support(client, guide, acme):
    acme.support_email = "help@acme.example"
    acme.support_url = "https://acme.example/support/"
    acme.support_hours = "Monday to Friday, 9:00–17:00 UK time"
    acme.save()
    html = page(client, guide)
    gmail = block(html, "gmail")
    assert "in Gmail" in gmail and "Acme Mail's support can help" in gmail
    assert '<a href="mailto:help@acme.example">help@acme.example</a>' in gmail
    assert '<a href="https://acme.example/support/">Acme Mail\'s support page</a>' in gmail
    assert "Hours: Monday to Friday, 9:00–17:00 UK time" in gmail
    it = block(html, "it")
    assert "write to Acme Mail's support team and send:" in it
    for what in (
        "the bounce message in full",
        "full headers",
        "the IP address it was sent from",
        "time zone",
    ):
        assert what in it
    assert "mailto:help@acme.example" in block(html, "article")
    assert 'data-still-stuck="postfix"' not in html  # the IT section has one block, not one per gateway


def test_without_support_fields_no_one_is_made_up(client, guide, settings):
    settings.HELP_CENTER_SUPPORT_EMAIL = ""
    settings.HELP_CENTER_SUPPORT_URL = ""
    html = page(client, guide)
    gmail = block(html, "gmail")
    assert "reply to the person or team who sent you the link to this page" in gmail
    assert "mailto:" not in gmail and "support page" not in gmail and "Hours" not in gmail
    assert "ask whoever sent you the link to this page and send:" in block(html, "it")


def test_without_support_fields_the_help_centers_own_contact_is_named_as_such(client, guide, settings):
    settings.HELP_CENTER_SUPPORT_EMAIL = "help@helpcenter.example"
    settings.HELP_CENTER_SUPPORT_URL = ""
    gmail = block(page(client, guide), "gmail")
    assert "the help center can help" in gmail and "Acme Mail" not in gmail
    assert '<a href="mailto:help@helpcenter.example">' in gmail


def test_a_general_article_ends_with_the_block_too(client, settings):
    settings.HELP_CENTER_SUPPORT_EMAIL = ""
    settings.HELP_CENTER_SUPPORT_URL = ""
    html = page(client, make_article(None, "what-is-allowlisting", kind="explainer", show_it_section=False))
    assert "Still stuck?" in block(html, "article")
    assert support_contact(None) is None


def test_support_text_staff_type_is_escaped(client, guide, acme):
    acme.support_email = "help@acme.example"
    acme.support_hours = '<img src=x onerror="alert(1)">'
    acme.save()
    html = page(client, guide)
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html and "<img src=x" not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("support_email", "not an address", "Enter a valid email address."),
        ("support_url", "http://acme.example/support/", "The support page must be an https:// address."),
        ("support_url", "javascript:alert(1)", "The support page must be an https:// address."),
        ("support_hours", "x" * 121, "at most 120 characters"),
    ],
)
def test_bad_support_fields_are_refused_with_a_clear_message(acme, field, value, message):
    setattr(acme, field, value)
    with pytest.raises(ValidationError) as refused:
        acme.full_clean()
    assert any(message in text for text in refused.value.message_dict[field])


def test_no_banner_unless_flagged(client, guide):
    assert "unsupported-banner" not in page(client, guide)


def test_a_vendor_flagged_as_no_longer_supported_shows_a_banner_on_its_articles(client, guide, acme):
    acme.unsupported = True
    acme.unsupported_note = "Acme Mail closed on 1 March 2026; <b>use</b> Acme Mail 2."
    acme.save()
    html = page(client, guide)
    banner = html.split('<div class="callout legacy unsupported-banner" role="note">', 1)[1].split(
        "</div>", 1
    )[0]
    assert "Acme Mail is no longer supported" in banner
    assert "Acme Mail closed on 1 March 2026; &lt;b&gt;use&lt;/b&gt; Acme Mail 2." in banner
    assert html.index("unsupported-banner") < html.index('id="article-title"') + 200  # at the top


def test_a_vendor_flagged_as_no_longer_supported_shows_the_banner_on_its_hub_too(client, guide, acme):
    hub = client.get(acme.get_absolute_url()).content.decode()
    assert "unsupported-banner" not in hub
    acme.unsupported = True
    acme.unsupported_note = "Use <i>Acme Mail 2</i>."
    acme.save()
    hub = client.get(acme.get_absolute_url()).content.decode()
    banner = hub.split('<div class="callout legacy unsupported-banner" role="note">', 1)[1].split(
        "</div>", 1
    )[0]
    assert "Acme Mail is no longer supported" in banner
    assert "Use &lt;i&gt;Acme Mail 2&lt;/i&gt;." in banner
    assert hub.index("unsupported-banner") < hub.index("<h1>")


def test_an_article_flagged_shows_its_own_banner_without_a_note(client, acme):
    article = make_article(acme, "old-plugin", unsupported=True)
    html = page(client, article)
    assert "What this article describes is no longer supported" in html


def test_the_admin_has_the_new_fields(admin_client, guide, acme):
    vendor_form = admin_client.get(f"/admin/articles/vendor/{acme.pk}/change/").content.decode()
    for name in ("support_email", "support_url", "support_hours", "unsupported", "unsupported_note"):
        assert f'name="{name}"' in vendor_form
    article_form = admin_client.get(f"/admin/articles/article/{guide.pk}/change/").content.decode()
    assert 'name="unsupported"' in article_form and 'name="unsupported_note"' in article_form
