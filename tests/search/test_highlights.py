"""The one highlighter both backends share (articles/search/highlights.py): pure, no database."""

from __future__ import annotations

from articles.search.backends.base import MARK_END, MARK_START
from articles.search.highlights import PASSAGE_WORDS, Highlighter


def shown(text: str) -> str:
    return text.replace(MARK_START, "[").replace(MARK_END, "]")


def test_a_multi_word_synonym_is_marked_as_one_phrase():
    highlighter = Highlighter([("553",), ("envelope sender", "sender address")])
    marked = highlighter.mark("The bounce 553 Envelope sender rejected names the envelope sender.")
    assert shown(marked) == "The bounce [553] [Envelope sender] rejected names the [envelope sender]."


def test_a_multi_word_term_whose_words_stand_apart_is_not_marked_at_all():
    highlighter = Highlighter([("safe senders",)])
    assert shown(highlighter.mark("Senders you trust are safe.")) == "Senders you trust are safe."


def test_words_match_by_their_stem_and_stop_words_are_not_marked():
    highlighter = Highlighter([("whitelisting",), ("the",), ("filters",)])
    assert shown(highlighter.mark("Whitelist the sender in your filter.")) == (
        "[Whitelist] the sender in your [filter]."
    )


def test_e_mail_is_read_as_email():
    assert shown(Highlighter([("email",)]).mark("Junk E-mail Options")) == "Junk [E-mail] Options"


def test_a_long_text_gives_the_passage_with_most_terms_marked_inside():
    filler = " ".join(f"word{number}" for number in range(40))
    text = f"gmail alone here. {filler} gmail spam together. {filler}"
    passage = shown(Highlighter([("gmail",), ("spam",)]).passage(text))
    assert passage.startswith("… ") and passage.endswith(" …")
    assert "[gmail] [spam] together" in passage
    assert len(passage.split()) <= PASSAGE_WORDS + 2


def test_a_passage_stays_inside_one_paragraph_and_a_whole_one_has_no_ellipsis():
    text = "A summary about the beluga.\n" + " ".join(f"word{number}" for number in range(60))
    assert shown(Highlighter([("beluga",)]).passage(text)) == "A summary about the [beluga]."


def test_without_a_match_the_passage_is_the_start_of_the_text():
    text = " ".join(f"word{number}" for number in range(60))
    assert Highlighter([("narwhal",)]).passage(text).startswith("word0 ")
