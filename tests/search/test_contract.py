"""The contract every search backend keeps, run against the database in use.

CI runs this module on SQLite and on PostgreSQL, so both backends pass the
same tests. What a backend cannot do is declared in its ``known_gaps`` with
the reason, and the matching test skips with that reason, nothing else.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from articles.content.models import Article, MailClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, Vendor
from articles.search.engine import SearchFilters, autocomplete, search
from articles.search.index import plain_text
from articles.search.models import PromotedResult, SearchDocument, Synonym
from articles.services import changes
from tests.conftest import make_article, make_range
from tests.search.conftest import HIGHLIGHTS

pytestmark = pytest.mark.django_db


def slugs(query: str, **filters) -> list[str]:
    return [
        f"{hit.article.vendor.slug if hit.article.vendor else 'help'}/{hit.article.slug}"
        for hit in search(query, SearchFilters(**filters)).hits
    ]


def top(query: str, **filters) -> str | None:
    found = slugs(query, **filters)
    return found[0] if found else None


def skip_if_gap(backend, name: str) -> None:
    if name in backend.known_gaps:
        pytest.skip(backend.known_gaps[name])


# Words, stemming, weights, phrases.


def test_stemmed_words_find_the_page(help_center):
    assert top("bouncing") == "acme/bounces"
    assert "acme/allowlisting-guide" in slugs("passwords reset")


def test_a_match_in_the_title_ranks_above_one_in_the_body(help_center):
    make_article(None, "body-only", title="Unrelated notes", body="Newsletters, newsletters, newsletters.")
    assert slugs("newsletters")[0] == "globex/allowlisting-guide"


def test_articles_with_every_word_come_before_articles_with_some(help_center):
    assert top("globex smtp port") == "globex/smtp-settings"


def test_a_bounce_message_finds_the_article_that_explains_it(help_center):
    assert top("553 Envelope sender rejected") == "help/envelope-sender-rejected"
    assert top("550 5.7.1") == "acme/bounces"
    assert top("sender rejected") == "help/envelope-sender-rejected"


def test_words_split_by_a_slash_are_found(help_center):
    assert top("dkim") == "help/envelope-sender-rejected"


def test_steps_and_sender_facts_are_searchable(help_center):
    assert top("cidr table") == "acme/allowlisting-guide"
    assert top("newsletters") == "globex/allowlisting-guide"


def test_drafts_and_future_articles_are_never_found(help_center):
    assert search("plumbus").total == 0
    assert search("plumbus", SearchFilters(kind="guide")).total == 0


def test_an_article_is_found_from_when_it_is_published_until_it_is_withdrawn(acme):
    article = make_article(acme, "walrus", body="walrus", published=False)
    assert search("walrus").total == 0
    article.status, article.published_at = Article.Status.PUBLISHED, timezone.now() + dt.timedelta(hours=1)
    article.save()
    changes.written(article)
    assert search("walrus").total == 0  # scheduled
    article.published_at = timezone.now() - dt.timedelta(minutes=1)
    article.save()
    changes.written(article)
    assert slugs("walrus") == ["acme/walrus"]
    article.status = Article.Status.DRAFT
    article.save()
    changes.written(article)
    assert search("walrus").total == 0


# Synonyms and typos.


def test_seeded_synonyms_find_each_other(help_center):
    assert top("whitelist") == "help/what-is-allowlisting"
    assert {"help/what-is-allowlisting", "acme/allowlisting-guide"} <= set(slugs("bulk"))
    assert "acme/allowlisting-guide" in slugs("hotmail")


def test_synonyms_staff_add_count_from_the_next_search(help_center):
    assert search("frobnicate").total == 0
    synonym = Synonym(terms="frobnicate, allowlist")
    synonym.full_clean()
    synonym.save()
    assert top("frobnicate") == "help/what-is-allowlisting"


def test_multi_word_synonyms_match_as_phrases(help_center):
    Synonym.objects.create(terms="relay access denied, relay blocked")
    assert top("relay blocked") == "acme/bounces"


def test_typos_are_corrected_towards_words_the_documents_hold(help_center):
    results = search("gmial")
    assert results.corrections == {"gmial": "gmail"}
    assert results.total >= 2
    assert top("globx newsletters") == "globex/allowlisting-guide"


def test_typo_in_first_letter(help_center, backend):
    skip_if_gap(backend, "typo_in_first_letter")
    assert search("nlobex").corrections == {"nlobex": "globex"}


def test_a_query_too_far_off_gets_a_did_you_mean_instead(help_center):
    results = search("newsltrs")
    assert results.total == 0
    assert results.suggestion == "newsletters"


# Highlighting.


def test_matches_are_highlighted_and_everything_else_is_escaped(help_center):
    make_article(None, "html", title="Tags <b>in</b> titles", body="Filter `<script>` tags & mail.")
    hit = search("tags mail").hits[0]
    assert "<mark>Tags</mark>" in hit.title and "&lt;b&gt;" in hit.title
    assert "<script>" not in hit.snippet and "&amp;" in hit.snippet and "<mark>" in hit.snippet


def test_a_passage_from_inside_the_text_says_so_and_a_whole_one_does_not(help_center):
    words = " ".join(f"word{number}" for number in range(60))
    make_article(None, "long", title="Long notes", summary="", body=f"{words} narwhal {words}.")
    make_article(None, "short", title="Short notes", summary="All about the beluga.")
    middle = search("narwhal").hits[0].snippet
    assert middle.startswith("…") and middle.endswith("…") and "<mark>narwhal</mark>" in middle
    whole = search("beluga").hits[0].snippet
    assert "beluga" in whole and "…" not in whole


# IP addresses and ranges.


def test_an_address_inside_a_range_names_vendor_range_and_tier(help_center):
    results = search("192.0.2.200")
    [answer] = results.networks
    [entry] = answer.vendors
    assert entry.vendor.slug == "acme"
    assert [(r.network, r.tier) for r in entry.covering] == [("192.0.2.0/24", "primary")]
    assert entry.url == "/acme/allowlisting-guide/#it"
    assert results.hits[0].url == "/acme/allowlisting-guide/#it"


def test_additional_tier_and_ipv6_are_answered(help_center):
    [entry] = search("198.51.100.7").networks[0].vendors
    assert entry.covering[0].tier == "additional"
    [entry] = search("2001:db8:100:5::1").networks[0].vendors
    assert entry.vendor.slug == "globex" and entry.covering[0].network == "2001:db8:100::/48"


def test_a_wide_range_lists_the_ranges_inside_it(help_center):
    [entry] = search("203.0.113.0/24").networks[0].vendors
    assert entry.covering == [] and [r.network for r in entry.inside] == ["203.0.113.0/28"]


def test_retired_ranges_and_unknown_addresses_answer_no_vendor(help_center, acme):
    IPRange.objects.filter(network="198.51.100.7/32").update(retired_on="2000-01-01")
    assert search("198.51.100.7").networks[0].vendors == []
    assert search("8.8.8.8").networks[0].vendors == []


# Email addresses and domains.


def test_an_email_address_or_domain_finds_its_vendor(help_center):
    results = search("news@globex.example")
    assert [m.vendor.slug for m in results.sender.vendors] == ["globex"]
    assert results.sender.vendors[0].by_address
    assert top("news@globex.example") == "globex/allowlisting-guide"
    assert [m.vendor.slug for m in search("mail.acme.example").sender.vendors] == ["acme"]
    assert search("someone@elsewhere.example").sender.vendors == []


def test_a_vendor_is_found_by_its_website_domain(help_center):
    assert [m.vendor.slug for m in search("globex.example").sender.vendors] == ["globex"]


# Filters, pagination, promotions.


def test_filters_narrow_by_vendor_kind_and_mail_client(help_center):
    assert set(slugs("mail", vendor="globex")) <= {"globex/allowlisting-guide", "globex/smtp-settings"}
    assert slugs("mail", kind="troubleshooting") == ["acme/bounces"]
    assert set(slugs("mail", client="outlook")) == {"acme/allowlisting-guide"}


def test_pages_hold_ten_results_and_count_them_all(help_center, acme):
    for number in range(12):
        make_article(acme, f"paged-{number}", title=f"Paging article {number}", body="zebra crossing")
    first, second = search("zebra", page=1), search("zebra", page=2)
    assert first.total == second.total == 12
    assert len(first.hits) == 10 and len(second.hits) == 2 and second.first_position == 11
    assert not set(h.article.pk for h in first.hits) & set(h.article.pk for h in second.hits)
    assert search("zebra", page=5).past_the_end


def test_a_promoted_article_comes_first_even_without_matching(help_center):
    PromotedResult.objects.create(query="zebra newsletters", article=help_center["relay"])
    results = search("Zebra   Newsletters")
    assert results.hits[0].article == help_center["relay"] and results.hits[0].promoted
    assert results.hits[1].article == help_center["globex-guide"]


# Autocomplete.


def test_autocomplete_suggests_titles_by_prefix(help_center):
    def articles(query):
        return [s for s in autocomplete(query) if s.kind == "article"]

    assert [s.title for s in articles("globex sm")] == ["Globex SMTP settings"]
    assert {s.url for s in articles("acme")} == {"/acme/allowlisting-guide/", "/acme/bounces/"}
    assert [s.title for s in articles("what is allowl")] == ["What is allowlisting?"]
    assert autocomplete("a") == [] and autocomplete("what is") == [] and autocomplete("plumb") == []


# The index stays current, in the same transaction as the change.


def test_a_new_sender_address_is_searchable_at_once(help_center, acme):
    changes.written(
        SenderAddress.objects.create(
            vendor=acme, address="billing@acme.example", used_for="quarterly invoices"
        )
    )
    assert top("quarterly invoices") == "acme/allowlisting-guide"


def test_a_new_range_updates_the_documents_that_count_ranges(help_center, acme):
    guide = help_center["acme-guide"]
    guide.body = "Acme Mail sends from {{ range_count }} networks."
    guide.save()
    changes.written(guide)
    assert "sends from 2 networks" in SearchDocument.objects.get(article=guide).body
    make_range(acme, "45.64.0.0/16", "additional")
    assert "sends from 3 networks" in SearchDocument.objects.get(article=guide).body
    assert search("45.64.9.9").networks[0].vendors[0].vendor == acme


def test_a_generic_step_change_reaches_every_article_that_shows_it(help_center):
    step = Step.objects.get(step_list__mail_client__slug="gmail", step_list__vendor=None)
    step.text = "Drag the message to the Primary tab with {{ vendor }}."
    step.save()
    changes.written(step)
    assert set(slugs("primary tab")) == {"acme/allowlisting-guide", "globex/allowlisting-guide"}
    assert (
        "Drag the message to the Primary tab with Globex Mailer."
        in SearchDocument.objects.get(article=help_center["globex-guide"]).details
    )


def test_a_vendor_override_reaches_only_that_vendors_articles(help_center, acme):
    override = StepList.objects.create(mail_client=MailClient.objects.get(slug="gmail"), vendor=acme)
    changes.written(Step.objects.create(step_list=override, position=0, text="Acme's own starfish step."))
    assert slugs("starfish") == ["acme/allowlisting-guide"]


def test_renaming_a_vendor_and_deleting_an_article_update_the_index(help_center, acme):
    acme.name = "Initech Mail"
    acme.save()
    changes.written(acme, fields=["name"])
    assert "acme/allowlisting-guide" in slugs("initech")
    help_center["acme-bounces"].delete()
    assert "acme/bounces" not in slugs("bounce")
    assert not SearchDocument.objects.filter(article_id=help_center["acme-bounces"].pk).exists()


def test_a_change_rolled_back_leaves_the_index_as_it_was(help_center, acme):
    with pytest.raises(RuntimeError), transaction.atomic():
        Vendor.objects.filter(pk=acme.pk).get().save()
        changes.written(
            SenderAddress.objects.create(vendor=acme, address="kraken@acme.example", used_for="kraken alerts")
        )
        assert top("kraken") == "acme/allowlisting-guide"
        raise RuntimeError("roll back")
    assert search("kraken").total == 0


def test_a_section_removed_from_an_article_leaves_its_steps_unsearchable(help_center):
    help_center["acme-guide"].clients.remove(MailClient.objects.get(slug="postfix"))
    changes.article_changed(help_center["acme-guide"].pk)
    assert "acme/allowlisting-guide" not in slugs("cidr")


# Cost: constant whatever the data.


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # vendors named, synonyms, spelling candidates, ranking, the page's articles (+ sections)
        ("newsletters acme", 5 + HIGHLIGHTS),
        ("550 5.7.1", 3 + HIGHLIGHTS),  # codes are not spell-checked
        ("192.0.2.10", 2),  # covering ranges, the vendors and their articles
        ("news@globex.example", 5 + HIGHLIGHTS),  # + the vendors sending from it
    ],
)
def test_queries_per_search_do_not_grow_with_the_data(
    help_center, acme, django_assert_num_queries, query, queries
):
    with django_assert_num_queries(queries):
        search(query)
    for number in range(15):
        make_article(acme, f"more-{number}", title=f"Acme newsletters {number}", body="550 5.7.1 newsletters")
        make_range(acme, f"45.{number}.0.0/16", "additional")
    Synonym.objects.create(terms="newsletter, bulletin")
    with django_assert_num_queries(queries):
        search(query)


def test_a_named_vendor_comes_before_articles_of_no_vendor(help_center):
    # An article without a vendor has no vendor to compare: it must not sort as "unknown, so first".
    results = search("news@globex.example relay")
    assert results.hits[0].article.vendor.slug == "globex"


def test_document_text_reads_as_the_page_does():
    assert plain_text("<p><strong>Allowlist</strong>, then <code>x</code>.</p><p>Next&amp;more</p>") == (
        "Allowlist, then x. Next&more"
    )
