"""The search page, autocomplete and click endpoints: what readers get, and at what cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.content.models import Article
from articles.search import log_buffer, read_buffer
from articles.search.models import ArticleReadCount, SearchClick, SearchQueryLog
from tests.conftest import make_article, make_client
from tests.search.conftest import HIGHLIGHTS

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "x" * 10_000,
        "' OR 1=1 --",
        "'; DROP TABLE articles_article; --",
        '"',
        "'",
        '"unclosed phrase',
        "NEAR(a b) OR AND NOT * ^ {title}: -",
        "1.2.3.4/99",
        "300.1.1.1",
        "::::",
        "@",
        "a@",
        "\x00nul\x00",
        "日本語のメール 🙂 Ünïcödé",
        "<img src=x onerror=alert(1)>",
        "%s %(name)s {0}",
    ],
)
def test_malformed_input_gives_a_page_never_an_error(client, help_center, query):
    for page in ("2x", "²", "-1", "99999999999", "0"):
        params = {"q": query, "page": page, "kind": "<b>", "vendor": "' or 1", "client": "%"}
        response = client.get(SEARCH, params)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<img src=x" not in html and "onerror=alert(1)>" not in html


def test_the_query_is_shown_back_escaped(client, help_center):
    html = client.get(SEARCH, {"q": '<script>alert("x")</script> acme'}).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; acme" in html


def test_results_have_highlighted_snippets_and_shareable_filter_links(client, help_center):
    html = client.get(SEARCH, {"q": "newsletters", "vendor": "globex"}).content.decode()
    assert '<a href="/globex/allowlisting-guide/"' in html and "<mark>newsletters</mark>" in html
    assert '<option value="globex" selected>' in html
    assert "Acme" not in html.split('id="results-heading"')[1]


def test_pagination_links_keep_the_query_and_filters(client, acme, help_center):
    for number in range(11):
        make_article(acme, f"zebra-{number}", title=f"Zebra {number}", body="zebra")
    html = client.get(SEARCH, {"q": "zebra", "kind": "guide"}).content.decode()
    assert "11 articles for “zebra”" in html
    assert 'href="?q=zebra&amp;kind=guide&amp;page=2" rel="next"' in html
    page_two = client.get(SEARCH, {"q": "zebra", "kind": "guide", "page": "2"}).content.decode()
    assert '<ol class="result-list" start="11">' in page_two and 'rel="prev"' in page_two


def test_an_ip_address_answers_vendor_range_and_tier_with_a_link_to_it(client, help_center):
    html = client.get(SEARCH, {"q": "[192.0.2.77]"}).content.decode()
    assert "Who sends from 192.0.2.77" in html
    assert '<code>192.0.2.0/24</code> <span class="meta">Primary: allow these first</span>' in html
    assert 'href="/acme/allowlisting-guide/#it"' in html


def test_an_impossible_address_says_why(client, help_center):
    html = client.get(SEARCH, {"q": "1.2.3.4/99"}).content.decode()
    assert "The prefix length /99 is too long: IPv4 allows at most /32." in html
    assert "Most-read articles" in html


def test_no_result_offers_did_you_mean_and_the_most_read(client, help_center):
    for _ in range(3):
        client.get(help_center["relay"].get_absolute_url())
    read_buffer.flush()
    html = client.get(SEARCH, {"q": "newsltrs"}).content.decode()
    assert "No articles found for “newsltrs”" in html
    assert '<a href="?q=newsletters">newsletters</a>' in html
    popular = html.split('id="popular-heading"')[1]
    first = popular.split("<li>")[1]
    assert "553 Envelope sender rejected" in first


def test_reading_an_article_counts_each_readers_view_not_a_head(client, help_center):
    # Once a day per reader: tests/search/test_privacy.py.
    article = help_center["relay"]
    client.get(article.get_absolute_url())
    client.get(article.get_absolute_url(), REMOTE_ADDR="192.0.2.8")
    client.head(article.get_absolute_url(), REMOTE_ADDR="192.0.2.9")
    read_buffer.flush()
    assert ArticleReadCount.objects.get(article=article).count == 2


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # filter choices (2), vendors named, synonyms, spelling candidates, ranking, the page's
        # articles (+ sections); the search is logged in a buffer, with no query
        ("newsletters acme", 7 + HIGHLIGHTS),
        # filter choices (2), ranges, the vendors and their articles
        ("192.0.2.10", 4),
        # filter choices (2), ranges, most-read
        ("8.8.8.8", 4),
        # filter choices (2), most-read
        ("", 3),
    ],
)
def test_search_page_queries_do_not_grow_with_the_data(
    client, acme, help_center, django_assert_num_queries, query, queries
):
    with django_assert_num_queries(queries):
        assert client.get(SEARCH, {"q": query}).status_code == 200
    for number in range(15):
        make_article(acme, f"more-{number}", title=f"Acme newsletters {number}", body="newsletters")
    with django_assert_num_queries(queries):
        assert client.get(SEARCH, {"q": query}).status_code == 200


def test_autocomplete_answers_json_in_a_fixed_number_of_queries(
    client, help_center, django_assert_num_queries
):
    # Vendors, mail programs, synonyms, articles by title, and by body with their sections' anchors.
    with django_assert_num_queries(5):
        response = client.get(reverse("articles:search_suggest"), {"q": "globex sm"})
    assert response["Content-Type"] == "application/json"
    assert response.json()["suggestions"][0] == {
        "kind": "article",
        "group": "Articles",
        "title": "Globex SMTP settings",
        "parts": [
            {"text": "Globex", "mark": True},
            {"text": " ", "mark": False},
            {"text": "SM", "mark": True},
            {"text": "TP settings", "mark": False},
        ],
        "url": "/globex/smtp-settings/",
        "meta": "Settings reference · Globex Mailer",
    }
    assert client.get(reverse("articles:search_suggest"), {"q": "\x00'\""}).json() == {"suggestions": []}


def test_the_page_works_without_javascript_and_loads_the_enhancement(client, help_center):
    html = client.get(SEARCH).content.decode()
    assert 'action="/search/" method="get"' in html and 'name="q"' in html
    assert 'data-suggest-url="/search/suggest/"' in html


def test_a_click_on_a_result_is_counted_against_its_search(client, help_center):
    html = client.get(SEARCH, {"q": "newsletters"}).content.decode()
    token = html.split('data-click-token="')[1].split('"')[0]
    article = help_center["globex-guide"]
    url = reverse("articles:search_click")
    assert client.post(url, {"token": token, "article": article.pk, "position": 1}).status_code == 204
    assert client.post(url, {"token": token, "article": article.pk, "position": 1}).status_code == 204
    assert not SearchQueryLog.objects.exists()  # buffered: the search and its clicks wrote nothing
    log_buffer.flush()
    # One search, so one click: the second on the same result of the same search is not counted.
    [click] = SearchClick.objects.all()
    assert click.article == article and click.log == SearchQueryLog.objects.get()
    assert (click.position, click.log.query) == (1, "newsletters")


def test_a_click_with_a_bad_token_or_article_changes_nothing(client, help_center):
    url = reverse("articles:search_click")
    draft = Article.objects.get(slug="draft-secret")
    assert client.post(url, {"token": "forged", "article": draft.pk, "position": 1}).status_code == 204
    assert client.post(url, {"token": "x", "article": "one", "position": 1}).status_code == 400
    assert client.post(url, {"token": "x", "article": "²", "position": "1"}).status_code == 400
    assert client.get(url).status_code == 405
    log_buffer.flush()
    assert not SearchClick.objects.exists()


def test_words_only_in_drafts_or_scheduled_articles_are_never_suggested(client, acme):
    gmail = make_client("gmail", "Gmail", steps=["Open Gmail."])
    make_article(acme, "public", clients=[gmail], title="Gmail steps", body="Open Gmail and check Spam.")
    make_article(acme, "secret", published=False, body="Zenbrightly launches soon.")
    make_article(acme, "later", published_at=timezone.now() + dt.timedelta(days=3), body="Blorptastic plans.")
    for query in ("zanbrigtly", "gmail zenbrigtly", "blorptastc gmail", "zenbrightly"):
        html = client.get("/search/", {"q": query}).content.decode().lower()
        assert "zenbrightly" not in html.replace(query, "")
        assert "blorptastic" not in html.replace(query, "")


def test_ipv4_written_in_ipv6_form_is_looked_up_as_ipv4(client, acme):
    make_article(acme, "guide")
    html = client.get("/search/", {"q": "::ffff:192.0.2.10"}).content.decode()
    assert "Acme Mail" in html
    assert "192.0.2.0/24" in html
