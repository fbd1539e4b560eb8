"""The search index: rebuilt from scratch, re-indexed once per block of writes, and from the command line.

``index.rebuild()`` (and ``manage.py search_index``, and ``migrate`` on a
database whose articles have no documents) recreates every document and the
word list typos are corrected towards. Inside ``changes.recording()`` writes
only say what they reach; each article they reach is re-indexed once, when
the block ends.
"""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_migrate

from articles.content.models import Article, Step
from articles.facts.models import SenderAddress
from articles.search import index
from articles.search.engine import search
from articles.search.models import SearchDocument, SearchTerm
from articles.services import changes
from tests.conftest import make_article

pytestmark = pytest.mark.django_db

_FIELDS = ["article_id", "title", "vendor_name", "summary", "sections", "body", "details", "public_from"]


def documents() -> list[tuple]:
    return list(SearchDocument.objects.order_by("article_id").values_list(*_FIELDS))


def terms() -> set[str]:
    return set(SearchTerm.objects.values_list("term", flat=True))


def wipe_index() -> None:
    SearchDocument.objects.all().delete()
    SearchTerm.objects.all().delete()


@pytest.fixture
def built_documents(monkeypatch) -> list[list[int]]:
    """The ids of the articles each call of ``index.build_documents`` built, call by call."""
    calls: list[list[int]] = []
    build = index.build_documents

    def counting(article_ids):
        ids = sorted(article_ids)
        calls.append(ids)
        return build(ids)

    monkeypatch.setattr(index, "build_documents", counting)
    return calls


# rebuild()


def test_rebuild_recreates_every_document_and_search_finds_the_articles_again(help_center):
    before = documents()
    wipe_index()
    assert search("newsletters").total == 0
    assert index.rebuild() == Article.objects.count() == 8
    assert documents() == before
    assert search("newsletters").hits[0].article == help_center["globex-guide"]


def test_rebuild_replaces_a_stale_document(help_center):
    before = documents()
    SearchDocument.objects.filter(article=help_center["acme-guide"]).update(title="Stale", body="stale")
    index.rebuild()
    assert documents() == before
    assert search("stale").total == 0


def test_rebuild_makes_the_word_list_from_public_articles_only(help_center):
    SearchTerm.objects.create(term="zzyzxword")  # a word no document holds any more
    index.rebuild()
    found = terms()
    assert {"newsletters", "allowlist", "globex", "envelope"} <= found
    assert "zzyzxword" not in found
    # "plumbus" is only in a draft and in an article scheduled for later.
    assert "plumbus" not in found


def test_rebuild_in_small_chunks_builds_the_same_index(help_center):
    index.rebuild()
    whole, words = documents(), terms()
    wipe_index()
    index.rebuild(chunk_size=3)
    assert documents() == whole
    assert terms() == words


def test_reindex_costs_the_same_queries_for_one_article_as_for_all(help_center, django_assert_num_queries):
    # Seven to build the documents, one to write them, two to replace their sections, one for
    # the words, two for the savepoint.
    every = list(Article.objects.values_list("pk", flat=True))
    with django_assert_num_queries(13):
        index.reindex([help_center["acme-guide"].pk])
    with django_assert_num_queries(13):
        index.reindex(every)


# One re-index per block of writes.


def test_writes_in_a_recording_block_are_indexed_once_when_it_ends(help_center, acme, built_documents):
    guide = help_center["acme-guide"]
    with changes.recording():
        guide.title = "Keep Acme Mail out of the narwhal folder"
        guide.save()
        changes.written(guide)
        guide.summary = "Steps for narwhal keepers."
        guide.save()
        changes.written(guide)
        changes.written(
            SenderAddress.objects.create(vendor=acme, address="tusk@acme.example", used_for="narwhal alerts")
        )
        step = Step.objects.get(step_list__mail_client__slug="gmail", step_list__vendor=None)
        step.text = "Mark mail about narwhals as not spam."
        step.save()
        changes.written(step)
        assert built_documents == []
        assert search("narwhal").total == 0
    # Acme's facts reach all its articles, drafts too; the generic Gmail step reaches Globex's guide.
    reached = {
        *Article.objects.filter(vendor=acme).values_list("pk", flat=True),
        help_center["globex-guide"].pk,
    }
    assert built_documents == [sorted(reached)]
    assert search("narwhal").hits[0].article == guide
    assert search("narwhals").total == 2


def test_a_write_outside_a_block_is_indexed_at_once(help_center, built_documents):
    guide = help_center["globex-settings"]
    guide.summary = "Server, port, authentication and the walrus relay."
    guide.save()
    changes.written(guide)
    assert built_documents == [[guide.pk]]
    assert search("walrus").hits[0].article == guide


# Long texts: what is indexed has a size PostgreSQL's tsvector always takes.


def distinct_words(count: int) -> str:
    """``count`` different words of letters ("bbbbb", "cbbbb", ...), as the index sees them."""
    letters = "bcdfghjklmnpqrstvwxz"
    words = []
    for number in range(count):
        word = ""
        for _ in range(5):
            number, letter = divmod(number, len(letters))
            word += letters[letter]
        words.append(word)
    return " ".join(words)


def test_a_text_is_cut_to_the_budget_between_characters_earlier_parts_first():
    assert index.within_index_budget(["title", "body"], budget=20) == ["title", "body"]
    assert index.within_index_budget(["title", "long body", "steps"], budget=10) == ["title", "long ", ""]
    # "é" is two bytes and "中" three: a cut never keeps half of one.
    assert index.within_index_budget(["ééé"], budget=5) == ["éé"]
    assert index.within_index_budget(["a", "中中"], budget=5) == ["a", "中"]


def test_a_one_and_a_half_megabyte_body_written_past_validation_is_indexed_found_and_shown(acme, client):
    article = make_article(acme, "huge", title="Huge guide", body="Short for now.")
    body = "Zanzibar " + distinct_words(250_000) + " Timbuktu"
    assert len(body) > 1_500_000
    Article.objects.filter(pk=article.pk).update(body=body)  # past full_clean() and the length limit
    assert index.reindex([article.pk]) == 1
    document = SearchDocument.objects.get(article=article)
    assert len(document.body.encode()) <= index.MAX_INDEXED_BYTES
    assert document.body.startswith("Zanzibar bbbbb cbbbb")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_column_size(search_vector) FROM articles_searchdocument WHERE article_id = %s",
                [article.pk],
            )
            assert cursor.fetchone()[0] < 1024 * 1024
    assert [hit.article for hit in search("zanzibar").hits] == [article]
    assert search("timbuktu").total == 0  # past the budget: kept on the page, not in the index
    assert client.get(article.get_absolute_url()).status_code == 200
    assert index.rebuild() == 1


# From the command line, and on migrate.


def test_the_search_index_command_rebuilds_every_document(help_center):
    before = documents()
    wipe_index()
    out = io.StringIO()
    call_command("search_index", stdout=out)
    assert "Indexed 8 articles." in out.getvalue()
    assert documents() == before
    assert "newsletters" in terms()


def test_the_search_index_command_counts_one_article_in_the_singular(acme):
    make_article(acme, "only")
    out = io.StringIO()
    call_command("search_index", stdout=out)
    assert "Indexed 1 article." in out.getvalue()


def test_migrate_indexes_articles_that_have_no_document(help_center, built_documents):
    config = apps.get_app_config("articles")
    post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default")
    assert built_documents == []  # every article has its document: nothing to do
    SearchDocument.objects.filter(article=help_center["relay"]).delete()
    post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default")
    assert len(built_documents) == 1 and help_center["relay"].pk in built_documents[0]
    assert search("envelope sender rejected").hits[0].article == help_center["relay"]
