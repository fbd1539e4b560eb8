"""The reader's page (issue 12): callouts, heading links and contents, tables, the IT summary,
honest empty states, the 404 page's most-read list and the favicon."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings

from articles.content.models import Article
from articles.content.rendering import INLINE_RANGE_LIMIT
from articles.facts.models import SenderDomain
from articles.search.models import ArticleReadCount
from articles.services import changes
from tests.conftest import make_article, make_client, make_range, make_vendor

pytestmark = pytest.mark.django_db

CALLOUTS = """\
!!! warning "Do not mark it as spam"
    Company filters learn from what staff report.

!!! legacy "Classic Outlook 2010"
    Microsoft no longer supports it.

!!! danger "Not a kind we style"
    Kept as a plain callout.
"""


def test_callouts_reach_the_page_styled_and_titled(client, acme):
    make_article(acme, "guide", body=CALLOUTS)
    html = client.get("/acme/guide/").content.decode()
    # role="note": the page's own markup, which staff cannot type (the sanitiser drops role).
    assert '<div class="admonition warning" role="note">' in html
    assert '<p class="admonition-title">Do not mark it as spam</p>' in html
    assert '<div class="admonition legacy" role="note">' in html
    # A kind outside the four keeps the callout's frame, not its own class.
    assert '<div class="admonition" role="note">' in html and "danger" not in html


def test_callouts_render_in_the_admin_preview_and_admin_css_styles_them(admin_client):
    response = admin_client.post("/admin/markdownx/markdownify/", {"content": CALLOUTS})
    html = response.content.decode()
    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Classic Outlook 2010</p>' in html
    admin_css = (Path(settings.BASE_DIR) / "static" / "css" / "admin.css").read_text()
    for kind in ("tip", "warning", "legacy"):
        assert f".markdownx-preview .admonition.{kind} " in admin_css
    site_css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    for kind in ("note", "tip", "warning", "legacy"):
        assert re.search(rf"\.admonition\.{kind}\b[^{{}}]*\{{[^}}]*border-left-color", site_css), kind


def test_a_callout_title_is_escaped(client, acme):
    make_article(acme, "guide", body='!!! note "<img src=x onerror=alert(1)>"\n    Body.')
    html = client.get("/acme/guide/").content.decode()
    assert '<div class="admonition note" role="note">' in html
    assert "<img" not in html and "onerror" not in html


def test_headings_get_a_named_link_and_three_make_contents(client, acme):
    body = '## First step\n\nText.\n\n## Fish & "chips" {#fish}\n\nMore.\n\n### Third\n\nEnd.'
    make_article(acme, "guide", body=body, show_it_section=False)
    html = client.get("/acme/guide/").content.decode()
    assert (
        '<h2 id="first-step">First step <a class="heading-link" href="#first-step" data-copy-link>'
        '<span aria-hidden="true">#</span><span class="visually-hidden">Link to the section “First step”</span>'
        "</a></h2>"
    ) in html
    assert "Link to the section “Fish &amp; &quot;chips&quot;”" in html
    contents = html.split('<nav class="contents"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="#([a-z0-9-]+)"', contents) == ["first-step", "fish", "third", "senders"]


def test_an_article_with_fewer_than_three_entries_has_no_contents(client, acme):
    make_article(acme, "guide", body="## Only one\n\nText.", show_it_section=False)
    html = client.get("/acme/guide/").content.decode()
    assert 'class="contents"' not in html and "has-contents" not in html


def test_body_tables_are_keyboard_reachable_scroll_regions(client, acme):
    body = "| Setting | Default <b>x</b> |\n|---|---|\n| Port | 25 |\n"
    make_article(acme, "reference", body=body, kind=Article.Kind.REFERENCE, show_it_section=False)
    html = client.get("/acme/reference/").content.decode()
    assert (
        '<div class="table-scroll" role="region" tabindex="0" aria-label="Table: Setting, Default x">' in html
    )


def test_guide_picker_shows_each_clients_description_and_each_section_the_other_choices(client, acme):
    gmail = make_client("gmail", "Gmail", steps=["Open Spam."])
    gmail.description = "Gmail on the web & in the app"
    gmail.save()
    outlook = make_client("outlook", "Outlook", steps=["Open Junk."])
    make_article(acme, "guide", clients=[outlook, gmail])
    html = client.get("/acme/guide/").content.decode()
    picker = html.split('<nav class="picker"', 1)[1].split("</nav>", 1)[0]
    assert "Which mail program do you use?" in picker
    assert '<span class="choice-description">Gmail on the web &amp; in the app</span>' in picker
    assert html.index('class="picker"') < html.index('id="mail-programs"')
    gmail_section = html.split('<section id="gmail"', 1)[1].split("</section>", 1)[0]
    assert "Steps for Gmail" in gmail_section
    assert '<a href="#outlook" data-client-link="outlook">Outlook</a>' in gmail_section
    assert 'href="#gmail" data-client-link' not in gmail_section


def test_it_summary_counts_the_facts_and_inlines_a_short_range_table(client, acme):
    make_article(acme, "guide", clients=[make_client("postfix", audience="it", steps=["Allow."])])
    html = client.get("/acme/guide/").content.decode()
    it = html.split('id="it"', 1)[1]
    assert "Acme Mail sends from 1 sender address, 1 sender domain and 2 IP ranges" in it
    assert '<details class="it-details" id="it-details">' in it
    details = it.split("<details", 1)[1]
    assert "192.0.2.0/24" in details and 'id="postfix"' in details


def test_a_guide_with_many_ranges_summarises_them_and_links_the_for_it_page(client, acme):
    for number in range(INLINE_RANGE_LIMIT):
        make_range(acme, f"203.0.113.{number * 4}/30", "additional")
    make_article(acme, "guide")
    html = client.get("/acme/guide/").content.decode()
    assert f"and {INLINE_RANGE_LIMIT + 2} IP ranges" in html
    assert 'href="/acme/for-it/#ranges"' in html
    assert 'class="ranges' not in html and "203.0.113.4/30" not in html


def test_a_vendor_without_facts_gets_no_sentence_about_them_and_no_empty_files(client):
    bare = make_vendor("bare", "Bare Relay")
    make_article(bare, "guide", clients=[make_client("gmail", "Gmail", steps=["Open Spam."])])
    pages = {path: client.get(path).content.decode() for path in ("/bare/guide/", "/bare/")}
    for path, html in pages.items():
        for file in ("allowlist.txt", "allowlist.csv", "allowlist.json", "contact.vcf", "gmail-filter.xml"):
            assert f"/bare/{file}" not in html, (path, file)
        assert "above" not in html.split('id="it"')[-1], path
        assert "None listed" not in html and "0 primary" not in html, path
        assert 'href="/bare/for-it/"' in html, path
    assert "Bare Relay lists no sender addresses, domains or IP ranges" in pages["/bare/guide/"]
    assert "Who sends the mail" not in pages["/bare/guide/"]
    assert "contact card" not in pages["/bare/guide/"]
    # The files themselves still answer, as documented.
    for file in ("allowlist.txt", "allowlist.csv", "allowlist.json", "contact.vcf", "gmail-filter.xml"):
        assert client.get(f"/bare/{file}").status_code == 200, file


def test_a_vendor_with_only_a_domain_links_the_gmail_filter_but_not_the_contact_card(client):
    relay = make_vendor("relay", "Relay")
    changes.written(SenderDomain.objects.create(vendor=relay, domain="relay.example"))
    make_article(relay, "guide", clients=[make_client("gmail", "Gmail", steps=["Open Spam."])])
    html = client.get("/relay/guide/").content.decode()
    assert "/relay/gmail-filter.xml" in html
    assert "/relay/contact.vcf" not in html and "/relay/allowlist.txt" not in html
    assert "Relay sends from 1 sender domain; the addresses and domains are listed above." in html


@pytest.mark.parametrize("count", [2, 8])
def test_404_lists_the_most_read_articles_in_a_fixed_number_of_queries(
    client, acme, django_assert_num_queries, count
):
    for number in range(count):
        article = make_article(acme, f"article-{number}", title=f"Article {number}")
        ArticleReadCount.objects.create(article=article, day=dt.date.today(), count=number + 1)
    # Four before the 404 (the article, its vendor, the old slugs that might redirect), one for the list.
    with django_assert_num_queries(5):
        response = client.get("/acme/no-such-article/")
    assert response.status_code == 404
    html = response.content.decode()
    popular = html.split('aria-labelledby="popular-heading"', 1)[1].split("</section>", 1)[0]
    titles = re.findall(r">(Article \d+)</a>", popular)
    assert titles == [f"Article {n}" for n in range(count - 1, max(count - 6, -1), -1)]


def test_favicon_answers(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".ico") and "favicon" in response["Location"]
    assert (Path(settings.BASE_DIR) / "static" / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    home = client.get("/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f.]*svg" type="image/svg\+xml">', home)


def test_search_filters_fold_behind_one_control_open_when_one_is_set(client, acme):
    make_article(acme, "guide")
    closed = client.get("/search/?q=guide").content.decode()
    assert '<details class="search-filters-fold">' in closed
    opened = client.get("/search/?q=guide&vendor=acme").content.decode()
    assert '<details class="search-filters-fold" open>' in opened
