"""Typos without harm, on the demo help center: what is corrected, and what never is."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from articles.search import spelling
from articles.search.engine import search

ROOT = Path(__file__).resolve().parents[2]

#: A misspelt mail program or synonym, what it is corrected to, and the article it then finds first.
MISSPELLINGS = {
    "hotmial": "hotmail",
    "hotmal": "hotmail",
    "yaho": "yahoo",
    "gmal": "gmail",
    "outlok": "outlook",
    "gmial": "gmail",
    "thunderbrid": "thunderbird",
    "whitelsit": "whitelist",
    "spma": "spam",
    "junck": "junk",
}

#: Real words (in the content, a synonym, or a vendor's name written apart): never corrected.
NOT_TYPOS = [
    "smart trak",
    "Smart Trak gmail",
    "not getting password reset email",
    "emails getting blocked",
    "safe senders",
    "o365",
    "smtp 2go",
    "lead master bounces",
    "junk",
    "spam",
    "mail",
    # Four-letter English words one changed letter away from a word of the content.
    "cant find email",
    "wont arrive",
    "my boss says mail is lost",
    "best way",
    # In the content in another form: "fails".
    "dkim fail",
]


@pytest.fixture
def demo(db):
    call_command("import_helpcenter", str(ROOT / "fixtures" / "demo.yaml"), verbosity=0)


def test_misspelt_mail_programs_and_synonyms_are_corrected_and_said(demo):
    found = {typed: search(typed).corrections.get(typed) for typed in MISSPELLINGS}
    assert found == MISSPELLINGS
    assert all(search(typed).total for typed in MISSPELLINGS)


def test_office365_written_as_one_word_searches_office_365(demo):
    results = search("office365")
    assert results.corrections == {"office365": "office 365"}
    written_apart = search("office 365")
    assert results.total and [h.article for h in results.hits] == [h.article for h in written_apart.hits]


def test_real_words_are_never_corrected_into_others(demo):
    corrections = {query: search(query).corrections for query in NOT_TYPOS}
    assert corrections == {query: {} for query in NOT_TYPOS}
    assert {query: search(query).suggestion for query in NOT_TYPOS} == {query: "" for query in NOT_TYPOS}


def test_words_of_four_letters_are_checked_and_three_are_not():
    assert spelling.MIN_LENGTH == 4
    assert spelling.needs_checking("yaho") and not spelling.needs_checking("yah")
    assert not spelling.needs_checking("o365")


def test_other_forms_of_a_word_are_what_the_content_may_hold():
    assert spelling.forms("getting") == ["gett", "get", "gette"]
    assert "sender" in spelling.forms("senders")
    assert spelling.forms("mail") == []
    assert spelling.joined(["smart", "trak", "gmail"]) == [(0, "smarttrak"), (1, "trakgmail")]
    assert spelling.split("office365") == "office 365" and spelling.split("gmail") == "gmail"


def test_a_synonym_or_program_name_wins_a_tie_over_another_word():
    # "postfx": one letter left out of postfix, or one changed in "postex"; the name wins.
    assert spelling.correct("postfx", ["postex", "postfix"], preferred=frozenset({"postfix"})) == "postfix"
    assert spelling.correct("postfx", ["postex", "postfix"]) == "postex"


def test_a_short_word_is_corrected_only_by_a_missing_or_swapped_letter():
    assert spelling.correct("yaho", ["yahoo"]) == "yahoo"
    assert spelling.correct("spma", ["spam"]) == "spam"
    assert spelling.correct("cant", ["want", "cannot"]) is None
    assert spelling.correct("lost", ["last"], slack=1) is None
    assert spelling.correct("outlok", ["outlook"]) == "outlook"
