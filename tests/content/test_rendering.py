"""Rendering: placeholders reach only the vendor's facts; Markdown is sanitised; a guide shows its senders."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe

from articles.content.models import Article, StepList
from articles.content.placeholders import (
    PLACEHOLDERS,
    substitute,
    unknown_placeholders,
    validate_placeholders,
)
from articles.content.rendering import (
    ArticlePage,
    choose_step_lists,
    markdownify_preview,
    render_markdown,
    vendor_facts,
)
from articles.facts.models import SenderAddress, SenderDomain, Vendor


def test_placeholders_are_filled_from_facts():
    assert substitute(
        "Add {{ primary_address }} to {{vendor}}.", {"primary_address": "a@b.example", "vendor": "B"}
    ) == ("Add a@b.example to B.")


def test_missing_fact_falls_back_to_plain_words():
    assert substitute("Add {{ primary_address }}.", {}) == "Add the sender's address."


def test_unknown_placeholder_is_a_validation_error_naming_it():
    with pytest.raises(ValidationError) as caught:
        validate_placeholders("Hello {{ vendor }} {{ secret_key }} {{ settings }}")
    message = caught.value.messages[0]
    assert "{{ secret_key }}" in message and "{{ settings }}" in message
    assert "{{ primary_address }}" in message  # lists what is allowed
    assert caught.value.code == "unknown_placeholder"
    assert unknown_placeholders("{{ vendor }} {{ nope }} {{ nope }}") == ["nope"]


def test_rendering_reaches_nothing_but_the_facts():
    # Template syntax is not evaluated: there is no template engine behind it.
    html = render_markdown("{{ vendor.delete }} {% debug %} {{ request }}", {"vendor": "Acme"})
    assert "{{ vendor.delete }}" in html
    assert "{% debug %}" in html
    assert "{{ request }}" in html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="#" onclick="x()">x</a>', "onclick"),
        ("![logo](https://cdn.example/logo.png)", "<img"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
    ],
)
def test_markdown_is_sanitised(source, forbidden):
    assert forbidden not in render_markdown(source)


def test_markdown_keeps_useful_formatting():
    html = render_markdown("1. **Settings** > *Mail*\n2. `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>Settings</strong>" in html
    assert "<code>code</code>" in html
    assert "<table>" in html


def test_fact_values_cannot_inject_markup():
    facts = {"vendor": "<script>x</script>", "primary_address": "<img src=x onerror=alert(1)>"}
    html = render_markdown("{{ vendor }} {{ primary_address }}", facts)
    assert "<script" not in html and "onerror" not in html


def test_vendor_facts_escape_markdown_and_list_everything():
    vendor = Vendor(name="Under_score*Co", website="https://u.example")
    facts = vendor_facts(
        vendor,
        [
            SenderAddress(address="first_last@u.example", used_for="resets"),
            SenderAddress(address="b@u.example"),
        ],
        [SenderDomain(domain="xn--bcher-kva.example")],
    )
    assert set(facts) <= set(PLACEHOLDERS)
    html = render_markdown(
        "{{ vendor }} / {{ primary_address }} / {{ domains }}\n\n{{ address_list }}", facts
    )
    assert "Under_score*Co" in html
    assert "first_last@u.example" in html
    assert "bücher.example" in html
    assert "<li><code>b@u.example</code></li>" in html


def test_preview_uses_example_facts_and_is_sanitised():
    html = markdownify_preview("Add {{ primary_address }} <script>x</script>")
    assert "alerts@example.com" in html
    assert "<script" not in html


def test_a_vendor_override_replaces_the_generic_steps():
    generic = StepList(pk=1, mail_client_id=7, vendor_id=None)
    override = StepList(pk=2, mail_client_id=7, vendor_id=3)
    other = StepList(pk=3, mail_client_id=8, vendor_id=None)
    assert choose_step_lists([override, generic, other]) == {7: override, 8: other}
    assert choose_step_lists([generic, override]) == {7: override}


@pytest.mark.parametrize(
    ("kind", "addresses", "domains", "shown"),
    [
        (Article.Kind.GUIDE, ["alerts@acme.example"], ["acme.example"], True),
        (Article.Kind.GUIDE, ["alerts@acme.example"], [], True),
        (Article.Kind.GUIDE, [], ["acme.example"], True),
        (Article.Kind.GUIDE, [], [], False),
        (Article.Kind.TROUBLESHOOTING, ["alerts@acme.example"], ["acme.example"], False),
        (Article.Kind.EXPLAINER, ["alerts@acme.example"], ["acme.example"], False),
    ],
)
def test_a_guide_shows_its_senders_and_other_kinds_do_not(kind, addresses, domains, shown):
    vendor = Vendor(name="Acme", slug="acme")
    page = ArticlePage(
        article=Article(vendor=vendor, slug="page", title="Page", kind=kind),
        vendor=vendor,
        body=mark_safe(""),
        addresses=[SenderAddress(vendor=vendor, address=address) for address in addresses],
        domains=[SenderDomain(vendor=vendor, domain=domain) for domain in domains],
        tiers=[],
    )
    assert page.shows_senders is shown
