"""A mail-client section's HTML is rendered once and kept until one of its inputs changes."""

from __future__ import annotations

import pytest
from django.template import loader

from articles.content import fragments, sections
from articles.content.models import MailClient, Step
from articles.services import changes
from tests.conftest import make_article, make_client, make_range

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(acme):
    gmail = make_client("gmail", "Gmail", steps=["Open **Spam**.", "Trust {{ primary_address }}."])
    outlook = make_client("outlook", "Outlook", steps=["Add {{ primary_domain }} to **Safe senders**."])
    postfix = make_client("postfix", "Postfix", audience="it", steps=["Add the ranges to a cidr table."])
    return make_article(acme, "guide", clients=[gmail, outlook, postfix])


@pytest.fixture
def section_renders(monkeypatch):
    """How many sections were rendered from their template (not taken from the cache)."""
    rendered = []
    real = loader.render_to_string

    def counting(name, context=None, *args, **kwargs):
        if name == sections.TEMPLATE:
            rendered.append(context["section"].anchor)
        elif name == sections.IT_TEMPLATE:
            rendered.append("it")
        return real(name, context, *args, **kwargs)

    monkeypatch.setattr(sections.loader, "render_to_string", counting)
    return rendered


def page(client) -> str:
    response = client.get("/acme/guide/")
    assert response.status_code == 200
    return response.content.decode()


def test_each_section_is_rendered_once_and_then_served_from_the_cache(client, guide, section_renders):
    first = page(client)
    assert sorted(section_renders) == ["gmail", "it", "outlook", "postfix"]
    fragments.forget_local()  # another process: the shared cache has them
    assert page(client) == first
    assert len(section_renders) == 4


def test_a_step_edit_renders_its_section_again_and_only_it(client, guide, section_renders):
    page(client)
    step = Step.objects.get(text="Open **Spam**.")
    step.text = "Open the **Spam** folder."
    step.save()
    html = page(client)
    assert "Open the <strong>Spam</strong> folder." in html and "Open <strong>Spam</strong>." not in html
    # Outlook links to Gmail and Gmail to Outlook: only Gmail's own HTML changed.
    assert section_renders[4:] == ["gmail"]


def test_a_renamed_client_changes_the_links_in_the_other_sections(client, guide, section_renders):
    page(client)
    MailClient.objects.filter(slug="gmail").update(short_name="Gmail on the web")
    html = page(client)
    outlook = html[html.index('id="outlook"') : html.index('id="it"')]
    assert 'data-client-link="gmail">Gmail on the web</a>' in outlook  # its "Not your mail program?"
    assert sorted(section_renders[4:]) == ["gmail", "outlook"]


def test_a_vendor_fact_or_its_support_contact_reaches_the_sections_that_show_it(client, acme, guide):
    page(client)
    address = acme.sender_addresses.get()
    address.address = "news@acme.example"
    address.save()
    changes.written(address)
    assert "Trust news@acme.example." in page(client)
    acme.support_email = "help@acme.example"
    acme.save()
    html = page(client)
    gmail = html[html.index('id="gmail"') : html.index('id="outlook"')]
    assert 'href="mailto:help@acme.example"' in gmail  # its "Still stuck?" names the vendor's support


def test_the_it_section_follows_the_ranges_and_the_it_steps_it_shows(client, acme, guide, section_renders):
    page(client)
    make_range(acme, "203.0.113.0/24")
    html = page(client)
    it = html[html.index('id="it"') :]
    assert "203.0.113.0/24" in it and "3 IP ranges" in it
    assert section_renders[4:] == ["it"]  # its steps are as they were
    Step.objects.filter(text="Add the ranges to a cidr table.").update(text="Add them to a **cidr** table.")
    html = page(client)
    assert "Add them to a <strong>cidr</strong> table." in html[html.index('id="it"') :]
    assert section_renders[5:] == ["postfix", "it"]


def test_the_key_changes_with_the_source_of_any_template_the_section_includes(settings):
    def digest(included: str) -> str:
        settings.TEMPLATES = [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [
                        (
                            "django.template.loaders.locmem.Loader",
                            {"section.html": '{% include "part.html" %}', "part.html": included},
                        )
                    ]
                },
            }
        ]
        return sections.template_digest("section.html")  # the engines are new: so are the templates

    assert digest("Still stuck?") == digest("Still stuck?")
    assert digest("Still stuck?") != digest("Still stuck? Write to us.")
