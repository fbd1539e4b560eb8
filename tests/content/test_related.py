"""Related articles at the end of an article: what is chosen, what never is, and in how many queries."""

from __future__ import annotations

import pytest

from articles.content.related import RELATED_LIMIT, related_articles
from tests.conftest import make_article, make_client, make_vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients():
    return make_client("gmail", "Gmail"), make_client("outlook", "Outlook"), make_client("yahoo", "Yahoo")


def test_the_vendors_other_articles_and_general_ones_on_the_same_mail_programs(acme, clients):
    gmail, outlook, yahoo = clients
    guide = make_article(acme, "guide", title="Guide", clients=[gmail, outlook])
    sibling = make_article(acme, "bounces", title="Bounces")
    both = make_article(None, "filters", title="Filters in Gmail and Outlook", clients=[gmail, outlook])
    one = make_article(None, "gmail-tabs", title="Gmail tabs", clients=[gmail])
    make_article(None, "yahoo-only", title="Yahoo only", clients=[yahoo])  # no shared program
    every = make_article(
        None, "what-is-allowlisting", title="What is allowlisting?"
    )  # no section: every program
    make_article(make_vendor("other", public=True), "other-guide", clients=[gmail])  # another vendor's
    make_article(acme, "draft", published=False)
    make_article(None, "draft-general", published=False, clients=[gmail])
    related = related_articles(guide, client_ids=[gmail.pk, outlook.pk])
    assert related.from_vendor == [sibling]  # not itself, not the draft
    assert related.general == [both, one, every]  # most programs in common first; not another vendor's


def test_a_general_article_lists_general_ones_only(clients):
    gmail, outlook, _ = clients
    article = make_article(None, "filters", clients=[gmail])
    other = make_article(None, "tabs", clients=[gmail, outlook])
    related = related_articles(article, client_ids=[gmail.pk])
    assert related.from_vendor == [] and related.general == [other]


def test_an_article_without_sections_still_lists_the_general_ones_without_sections(acme):
    troubleshooting = make_article(acme, "bounces", kind="troubleshooting", show_it_section=False)
    explainer = make_article(None, "what-is-allowlisting", kind="explainer")
    make_article(None, "gmail-tabs", clients=[make_client("tabs-client")])
    assert related_articles(troubleshooting, client_ids=[]).general == [explainer]


@pytest.mark.parametrize("count", [2, 15])
def test_two_queries_however_many_articles(acme, clients, django_assert_num_queries, count):
    gmail, outlook, _ = clients
    guide = make_article(acme, "guide", clients=[gmail, outlook])
    for number in range(count):
        make_article(acme, f"v{number}")
        make_article(None, f"g{number}", clients=[gmail, outlook])
    with django_assert_num_queries(2):
        related = related_articles(guide, client_ids=[gmail.pk, outlook.pk])
    assert len(related.from_vendor) == min(count, RELATED_LIMIT)
    assert len(related.general) == min(count, RELATED_LIMIT)


def test_the_page_shows_them_and_no_draft(client, acme, clients):
    gmail, _, _ = clients
    guide = make_article(acme, "guide", clients=[gmail])
    make_article(None, "gmail-tabs", title="Gmail tabs", clients=[gmail])
    make_article(acme, "bounces", title="Why mail bounces")
    make_article(acme, "draft", title="Secret draft", published=False)
    html = client.get(guide.get_absolute_url()).content.decode()
    related = html.split('<nav class="related"', 1)[1].split("</nav>", 1)[0]
    assert "More from Acme Mail" in related and '<a href="/acme/bounces/">Why mail bounces</a>' in related
    assert '<a href="/help/gmail-tabs/">Gmail tabs</a>' in related
    assert "Secret draft" not in html
