"""Matching what a reader is typing against names, and the parts to mark: pure functions."""

from __future__ import annotations

from articles.search import prefixes
from articles.search.synonyms import SynonymGroup


def test_the_last_word_matches_as_a_prefix_of_any_word():
    assert prefixes.match(["outl"], "Classic Outlook for Windows") == [(8, 12)]
    assert prefixes.match(["safe", "s"], "Add to Safe senders") == [(7, 11), (12, 13)]
    assert prefixes.match(["senders", "saf"], "Safe sender list") == [(0, 3), (5, 11)]
    assert prefixes.match(["outl"], "Gmail") is None
    assert prefixes.match(["outl"], "Outlook", prefix=False) is None


def test_words_run_together_match_a_name_in_any_spacing():
    assert prefixes.match(["smart", "tr"], "SmartTRAK") == [(0, 7)]
    assert prefixes.match(["smtp", "2", "go"], "SMTP2GO") == [(0, 7)]
    assert prefixes.match(["lead", "master"], "Lead-Master", prefix=False) == [(0, 4), (5, 11)]
    assert prefixes.match(["smart", "trak"], "SmartTRAK", prefix=False) == [(0, 9)]
    assert prefixes.match(["smart", "tr"], "SmartTRAK", prefix=False) is None


def test_marked_parts_cover_the_text_in_order():
    assert prefixes.marked("Outlook.com", [(0, 4)]) == [("Outl", True), ("ook.com", False)]
    assert prefixes.marked("<b>x</b>", [(3, 4)]) == [("<b>", False), ("x", True), ("</b>", False)]
    assert prefixes.marked("abc", []) == [("abc", False)]
    assert prefixes.shifted([(0, 2)], 5) == [(5, 7)]


def test_the_unfinished_words_bring_the_synonyms_they_begin():
    groups = [SynonymGroup(("whitelist", "allowlist", "safe senders")), SynonymGroup(("spam", "junk"))]
    assert prefixes.wanted(["safe", "s"], groups) == [("safe s", "whitelist", "allowlist", "safe senders")]
    assert prefixes.wanted(["junk", "fol"], groups) == [("junk", "spam"), ("fol",)]
    assert prefixes.wanted(["junk", "whitel"], groups) == [
        ("junk", "spam"),
        ("whitel", "whitelist", "allowlist", "safe senders"),
    ]
    # Too short to stand for a synonym on its own.
    assert prefixes.wanted(["sa"], groups) == [("sa",)]
    assert prefixes.group_spans([("junk", "spam"), ("fol",)], "Spam folder") == [(0, 4), (5, 8)]
