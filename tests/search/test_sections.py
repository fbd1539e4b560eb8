"""Sections as search units: indexed with their anchors, shown under their article, linked to."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from articles.content.models import MailClient, Step
from articles.search.engine import search
from articles.search.index import _index_articles_written_before_search
from articles.search.models import SearchSection, Synonym
from articles.services import changes
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def anchors(article) -> list[tuple[str, str]]:
    return list(SearchSection.objects.filter(article=article).values_list("kind", "anchor"))


def test_every_place_of_a_page_is_indexed_with_the_anchor_the_page_gives_it(help_center, client):
    guide = help_center["acme-guide"]
    assert anchors(guide) == [
        ("top", ""),
        ("client", "outlook"),
        ("client", "gmail"),
        ("it", "it"),
        ("client", "postfix"),
    ]
    bounces = help_center["acme-bounces"]
    assert anchors(bounces) == [("top", ""), ("heading", "relay-access-denied")]
    html = client.get(bounces.get_absolute_url()).content.decode()
    assert 'id="relay-access-denied"' in html


def test_a_heading_whose_anchor_the_page_owns_gets_the_same_suffix_in_the_index(acme, client):
    article = make_article(acme, "clash", body="## Gmail\n\nText.\n\n## IT\n\nMore.", clients=[])
    assert [anchor for _, anchor in anchors(article)] == ["", "gmail", "it-2", "it"]
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'id="it-2"' in html and 'id="gmail"' in html


def test_a_result_names_links_to_and_quotes_the_section_that_matches(help_center):
    [hit] = [hit for hit in search("postfix cidr").hits if hit.article == help_center["acme-guide"]]
    assert hit.url == "/acme/allowlisting-guide/#postfix"
    assert hit.place.plain_name == "Postfix"
    assert "<mark>cidr</mark>" in hit.snippet


def test_several_matching_sections_are_grouped_under_their_article(help_center):
    hits = search("spam safe senders").hits
    guides = [hit for hit in hits if hit.article == help_center["acme-guide"]]
    assert len(guides) == 1
    assert {section.anchor for section in guides[0].sections} >= {"gmail", "outlook"}


def test_a_section_changes_with_its_steps_in_the_same_write(help_center):
    step = Step.objects.get(step_list__mail_client__slug="postfix")
    step.text = "Add the ranges to a narwhal table."
    step.save()
    changes.written(step)
    assert search("narwhal").hits[0].url == "/acme/allowlisting-guide/#postfix"
    assert search("cidr").total == 0


def test_a_section_removed_from_an_article_leaves_the_index(help_center):
    guide = help_center["acme-guide"]
    guide.clients.remove(MailClient.objects.get(slug="postfix"))
    changes.article_changed(guide.pk)
    assert ("client", "postfix") not in anchors(guide)


def test_a_multi_word_synonym_is_highlighted_as_a_phrase_or_not_at_all(help_center):
    Synonym.objects.create(terms="sender address, envelope sender")
    hit = search("sender address").hits[0]
    assert hit.article == help_center["relay"]
    assert "<mark>Envelope sender</mark> rejected" in hit.snippet
    assert "<mark>sender</mark>" not in hit.snippet.lower().replace("<mark>envelope sender</mark>", "")


def test_the_results_page_shows_the_place_and_links_to_it(client, help_center):
    html = client.get(reverse("articles:search"), {"q": "postfix cidr"}).content.decode()
    assert 'href="/acme/allowlisting-guide/#postfix"' in html
    assert '<span class="result-place"> › <mark>Postfix</mark></span>' in html


def test_staff_text_in_a_section_name_is_escaped_in_results(acme, client):
    make_article(acme, "tags", body="## <b>Narwhal</b> & co\n\nNarwhal text.", clients=[])
    html = client.get(reverse("articles:search"), {"q": "narwhal"}).content.decode()
    assert "<b>" not in html.split('class="result-list"')[1]
    assert "&amp; co" in html


def test_both_databases_quote_the_same_passage_with_the_same_marks(help_center):
    # Pinned exactly, and the suite runs on SQLite and PostgreSQL: one rule for both.
    [hit] = search("cidr").hits
    assert hit.snippet == "Add the ranges to a <mark>cidr</mark> table."
    [hit] = search("relay access denied").hits[:1]
    assert hit.url == "/acme/bounces/#relay-access-denied"
    assert hit.snippet == (
        "A bounce reading 550 5.7.1 <mark>Relay</mark> <mark>access</mark> <mark>denied</mark> means your "
        "server refuses mail it does not host."
    )


def test_a_database_indexed_before_sections_gets_them_on_migrate(help_center):
    SearchSection.objects.all().delete()
    _index_articles_written_before_search(sender=None, app_config=apps.get_app_config("articles"))
    assert ("client", "postfix") in anchors(help_center["acme-guide"])
