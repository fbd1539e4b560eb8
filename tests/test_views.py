"""Public pages: what readers see, what they must not see, and at what cost."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.content.models import Article, MailClient, Step, StepList
from tests.conftest import make_article, make_client, make_range, make_vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(acme):
    gmail = make_client(
        "gmail", "Gmail", steps=["Open **Spam**.", "Mark mail from {{ primary_address }} as not spam."]
    )
    outlook = make_client("outlook", "Outlook", steps=["Add {{ primary_domain }} to **Safe senders**."])
    postfix = make_client("postfix", "Postfix", audience="it", steps=["Add the ranges to a cidr table."])
    return make_article(
        acme,
        "allowlisting-guide",
        clients=[outlook, gmail, postfix],
        title="Get Acme mail",
        summary="Keep Acme out of spam.",
        body="Why it matters: {{ vendor }} sends password resets.",
        reviewed_on=dt.date(2026, 11, 1),
    )


def test_guide_shows_facts_sections_anchors_and_it_section(client, guide):
    html = client.get("/acme/allowlisting-guide/").content.decode()
    assert "Why it matters: Acme Mail sends password resets." in html
    assert "alerts@acme.example" in html and "password resets" in html
    assert html.index('id="outlook"') < html.index('id="gmail"')
    assert 'href="#gmail"' in html
    assert "Mark mail from alerts@acme.example as not spam." in html
    assert 'id="it"' in html and 'id="postfix"' in html
    assert "192.0.2.0/24" in html and "198.51.100.7" in html
    assert "Primary: allow these first" in html and "Additional: if mail is still blocked" in html
    assert "Last updated" in html and "Last reviewed" in html
    assert '<link rel="canonical" href="http://testserver/acme/allowlisting-guide/">' in html


def test_vendor_override_replaces_generic_steps_for_that_vendor_only(client, guide, acme):
    gmail = MailClient.objects.get(slug="gmail")
    override = StepList.objects.create(mail_client=gmail, vendor=acme)
    Step.objects.create(step_list=override, position=1, text="Acme's own Gmail step.")
    other = make_vendor("other")
    make_article(other, "guide", clients=[gmail])
    assert "Acme's own Gmail step." in client.get("/acme/allowlisting-guide/").content.decode()
    other_html = client.get("/other/guide/").content.decode()
    assert "Acme's own" not in other_html and "Open <strong>Spam</strong>." in other_html


def test_it_section_can_be_hidden(client, acme):
    make_article(acme, "explainer", show_it_section=False, kind=Article.Kind.EXPLAINER)
    html = client.get("/acme/explainer/").content.decode()
    assert 'id="it"' not in html and "192.0.2.0/24" not in html


def test_retired_ranges_are_not_shown(client, guide):
    from articles.facts.models import IPRange

    IPRange.objects.filter(network="192.0.2.0/24").update(retired_on=dt.date(2020, 1, 1))
    assert "192.0.2.0/24" not in client.get("/acme/allowlisting-guide/").content.decode()


@pytest.mark.parametrize(
    "fields",
    [
        {"published": False},
        {"published_at": timezone.now() + dt.timedelta(days=1)},
    ],
    ids=["draft", "future-dated"],
)
def test_drafts_and_future_articles_answer_404(client, acme, fields):
    make_article(acme, "secret", **fields)
    response = client.get("/acme/secret/")
    assert response.status_code == 404
    assert b"Secret" not in response.content
    assert b"secret" not in client.get("/acme/").content
    assert b"/acme/secret/" not in client.get("/sitemap.xml").content
    assert b"/acme/secret/" not in client.get("/").content


def test_draft_is_not_visible_to_staff_on_the_public_url_either(admin_client, acme):
    make_article(acme, "secret", published=False)
    assert admin_client.get("/acme/secret/").status_code == 404


def test_general_article_lives_under_help(client):
    make_article(None, "what-is-allowlisting", title="What is allowlisting?", show_it_section=False)
    response = client.get("/help/what-is-allowlisting/")
    assert response.status_code == 200
    assert b"What is allowlisting?" in response.content


def test_vendor_hub_lists_articles_and_facts(client, guide):
    make_article(guide.vendor, "draft-one", published=False, title="Draft One")
    html = client.get("/acme/").content.decode()
    assert "Get Acme mail" in html and "Draft One" not in html
    assert "alerts@acme.example" in html and "acme.example" in html
    assert "1 primary, 1 additional" in html


def test_unknown_vendor_and_article_answer_404_with_a_search_box(client, guide):
    for path in ("/nobody/", "/acme/nothing/", "/help/nothing/"):
        response = client.get(path)
        assert response.status_code == 404
        assert b'role="search"' in response.content
        assert b"We could not find that page" in response.content


def test_home_has_search_vendors_and_articles(client, guide):
    make_vendor("empty", "Empty Vendor")
    html = client.get("/").content.decode()
    assert 'role="search"' in html
    assert "Acme Mail" in html and "Get Acme mail" in html
    assert "Empty Vendor" not in html  # no public article yet


def test_sitemap_and_robots(client, guide):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/acme/allowlisting-guide/" in sitemap and "/acme/</loc>" in sitemap
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in robots.content.decode()


def test_reader_input_is_escaped(client, guide):
    response = client.get("/search/", {"q": '<script>alert("x")</script>'})
    assert response.status_code == 200
    assert b"<script>alert" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_pages_refuse_post(client, guide):
    assert client.post("/acme/allowlisting-guide/").status_code == 405


def _article_with(count: int):
    vendor = make_vendor(f"v{count}")
    clients = []
    for number in range(count):
        clients.append(
            make_client(
                f"c{count}-{number}", f"Client {count}-{number}", steps=[f"Step {i}" for i in range(3)]
            )
        )
        make_range(vendor, f"45.{count}.{number}.0/24", "primary" if number % 2 else "additional")
    it_client = make_client(f"it{count}", f"IT {count}", audience="it", steps=["Allow."])
    override = StepList.objects.create(mail_client=clients[0], vendor=vendor)
    Step.objects.create(step_list=override, position=0, text="Override step")
    return make_article(vendor, "guide", clients=[*clients, it_client])


@pytest.mark.parametrize("count", [2, 20])
def test_article_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    article = _article_with(count)
    url = article.get_absolute_url()
    # article+vendor, addresses, domains, ranges, sections+clients, step lists, steps;
    # the read is counted in the cache (articles/search/read_buffer.py);
    # and the related articles: the vendor's others, general ones (articles/content/related.py)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="client-section"') == count + 1


@pytest.mark.parametrize("count", [2, 20])
def test_article_page_with_its_fragments_kept_asks_for_no_facts(client, django_assert_num_queries, count):
    article = _article_with(count)
    url = article.get_absolute_url()
    first = client.get(url).content
    # The vendor's facts of the day are kept with the rendered fragments (content/selectors.py):
    # article+vendor, sections+clients, step lists, steps and the two related lists remain.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content == first


@pytest.mark.parametrize("count", [2, 20])
def test_vendor_hub_and_home_query_counts_do_not_grow(client, django_assert_num_queries, count):
    article = _article_with(count)
    with django_assert_num_queries(5):
        assert client.get(article.vendor.get_absolute_url()).status_code == 200
    with django_assert_num_queries(2):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/acme/", "/acme/guide/", "/search/?q=gmail", "/robots.txt"])
def test_head_is_answered_on_pages(client, acme, path):
    make_article(acme, "guide")
    response = client.head(path)
    assert response.status_code == 200
