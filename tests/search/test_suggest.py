"""Suggestions as the reader types, on the demo help center: what each prefix suggests, and at what cost."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.search.models import Synonym
from articles.search.suggest import autocomplete
from tests.conftest import make_article, make_client, make_vendor

ROOT = Path(__file__).resolve().parents[2]
GUIDE = "/smarttrak/allowlisting-guide/"
SUGGEST = reverse("articles:search_suggest")


@pytest.fixture
def demo(db):
    call_command("import_helpcenter", str(ROOT / "fixtures" / "demo.yaml"), verbosity=0)


def found(query: str) -> list[tuple[str, str]]:
    return [(s.kind, s.url) for s in autocomplete(query)]


def marks(query: str, kind: str) -> list[str]:
    """The marked letters of the first suggestion of ``kind``."""
    suggestion = next(s for s in autocomplete(query) if s.kind == kind)
    return [text for text, mark in suggestion.parts if mark]


#: What the issue lists, with the first suggestion of a mail program and the section it leads to.
PROGRAMS = {
    "outl": ("outlook", "Outl"),
    "gmai": ("gmail", "Gmai"),
    "hotm": ("outlook-web", None),
    "yah": ("yahoo", "Yah"),
    "thunder": ("thunderbird", "Thunder"),
    "o365": ("exchange-online", None),
    "cpan": ("cpanel", "cPan"),
}


@pytest.mark.parametrize("query", PROGRAMS)
def test_a_mail_program_is_suggested_by_any_of_its_names_and_synonyms(demo, query):
    slug, marked = PROGRAMS[query]
    suggestions = autocomplete(query)
    client = next(s for s in suggestions if s.kind == "client")
    assert client.url == f"/search/?q={client.url.split('q=')[1].split('&')[0]}&client={slug}"
    assert ("section", f"{GUIDE}#{slug}") in found(query)
    if marked:
        assert marks(query, "client") == [marked]
    else:
        # Found by a synonym: nothing in the name is what was typed, and the synonym is named.
        assert marks(query, "client") == [] and "·" in client.meta


def test_hotmail_leads_to_outlook_com_alone(demo):
    assert [s.title for s in autocomplete("hotm") if s.kind == "client"] == [
        "Outlook on the web and Outlook.com"
    ]
    assert [s.meta for s in autocomplete("hotm") if s.kind == "client"] == ["Mail program · hotmail"]


def test_a_vendor_and_a_program_lead_to_that_section_of_the_vendors_guide(demo):
    assert ("section", f"{GUIDE}#gmail") in found("smarttrak gm")
    assert ("section", f"{GUIDE}#gmail") in found("smart trak gmail")
    assert ("section", f"{GUIDE}#postfix") in found("postfix smarttrak")
    section = next(s for s in autocomplete("smarttrak gm") if s.kind == "section")
    assert section.title == "Make sure SmartTRAK email reaches your inbox › Gmail"
    assert [text for text, mark in section.parts if mark] == ["Gm"]


def test_a_section_without_a_vendor_is_suggested_only_where_one_guide_has_it(demo):
    # Gmail is a section of SmartTRAK's guide and of LeadMaster's troubleshooting page: one guide.
    assert [url for kind, url in found("gmai") if kind == "section"] == [f"{GUIDE}#gmail"]
    # A vendor with no section for the program: no section suggested.
    assert [url for kind, url in found("leadmaster yah") if kind == "section"] == []


def test_vendors_are_suggested_in_any_spacing(demo):
    assert found("smart tr")[0] == ("vendor", "/smarttrak/")
    assert marks("smart tr", "vendor") == ["SmartTR"]
    assert found("smtp 2 g")[0] == ("vendor", "/smtp2go/")
    assert found("lead")[0] == ("vendor", "/leadmaster/")


def test_words_beyond_the_title_suggest_something(demo):
    assert ("heading", "/help/what-is-allowlisting/#why-marking-mail-as-not-spam-helps") in found("spam")
    # junk = spam: the synonym finds the same heading.
    assert ("heading", "/help/what-is-allowlisting/#why-marking-mail-as-not-spam-helps") in found("junk")
    # safe s… = safe senders = allowlist: articles and headings about allowlisting.
    assert ("article", "/help/what-is-allowlisting/") in found("safe s")
    assert ("heading", "/help/what-is-allowlisting/#what-you-can-allowlist") in found("safe s")


def test_headings_link_to_the_anchor_the_page_gives_them(demo, client):
    url = "/leadmaster/email-delivery-troubleshooting/#replies-reach-leadmaster-support-instead-of-you"
    assert ("heading", url) in found("replies")
    page = client.get(url.split("#")[0]).content.decode()
    assert 'id="replies-reach-leadmaster-support-instead-of-you"' in page


def test_suggestions_are_grouped_by_kind_in_a_fixed_order(demo):
    kinds = [s.kind for s in autocomplete("lead")]
    assert kinds == sorted(kinds, key=["vendor", "client", "section", "article", "heading"].index)
    assert {s.group for s in autocomplete("lead")} == {"Vendors", "Articles", "In an article"}
    assert len(autocomplete("s")) == 0 and autocomplete("") == []


def test_nothing_is_suggested_for_what_nothing_has(demo):
    assert autocomplete("qwxyz") == [] and autocomplete("what is") == []


def test_drafts_are_never_suggested(demo):
    vendor = make_vendor("plumbus", "Plumbus Mail")
    make_article(
        vendor, "guide", published=False, title="Plumbus guide", body="## Plumbus heading\n\nplumbus"
    )
    assert autocomplete("plumb") == []


def test_staff_text_comes_back_as_text_parts(demo):
    vendor = make_vendor("tags", "Tags <b>Mail</b>")
    make_article(vendor, "guide", title="<script>alert(1)</script> tags", body="## <img src=x> tags\n\ntags")
    suggestions = autocomplete("tags")
    assert suggestions and all(isinstance(text, str) for s in suggestions for text, _ in s.parts)
    assert "<script>alert(1)</script> " in [s.title for s in suggestions if s.kind == "article"][0]


QUERIES = {
    # Vendors, mail programs, synonyms, articles by title, by body (with their sections' anchors).
    "globex sm": 5,
    # … and guides with a named program's section.
    "gmai": 6,
    "smarttrak gm": 6,
    "qwxyz": 5,
    # A lone word of two letters: vendors, synonyms, mail programs; titles and bodies wait for a third.
    "gm": 4,
    "safe s": 5,
}


@pytest.mark.parametrize("query", QUERIES)
def test_query_count_is_fixed_and_does_not_grow_with_the_data(demo, client, django_assert_num_queries, query):
    with django_assert_num_queries(QUERIES[query]):
        assert client.get(SUGGEST, {"q": query}).status_code == 200
    for number in range(6):
        vendor = make_vendor(f"more-{number}", f"Globex Smart {number}")
        gmail = make_client(f"gmail-{number}", f"Gmail clone {number}", steps=["Open Gmail."])
        make_article(
            vendor,
            "guide",
            clients=[gmail],
            title=f"Globex smtp guide {number}",
            body=f"## Gmail smtp {number}\n\nglobex smtp gmail",
        )
    with django_assert_num_queries(QUERIES[query]):
        assert client.get(SUGGEST, {"q": query}).status_code == 200


def test_synonyms_staff_wrote_with_any_characters_are_safe_to_suggest_with(demo):
    Synonym.objects.create(terms="at&t, c++ :* !, att's (mail)")
    Synonym.objects.create(terms="5.7.1, relay denied")
    for query in ("at", "c", "att", "5 7", "rel", "mail", "'&|!:*"):
        assert isinstance(autocomplete(query), list)
