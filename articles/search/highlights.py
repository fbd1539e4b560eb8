"""One highlighter for both databases: what in a text matches a query, and which passage to show.

SQLite's ``snippet()`` and PostgreSQL's ``ts_headline`` choose passages by
different rules and mark different things: ts_headline marks each word of a
multi-word synonym wherever it stands ("sender" alone for "553 Envelope
sender rejected"), snippet() marks the phrase. Reading the few texts of a page
of results here, in one place, gives both backends the same passages and the
same marks, and a multi-word term is marked as a phrase or not at all.

Words are compared by their Snowball English stem, the stemmer PostgreSQL's
``english`` configuration uses (SQLite's Porter stemmer differs in a few rare
endings), with the query's stop words left out as both databases leave them.
Pure functions, no database.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from articles.search.backends.base import MARK_END, MARK_START
from articles.search.query import STOP_WORDS

#: Words a passage holds at most, as ts_headline's MaxWords and snippet()'s 24 tokens roughly do.
PASSAGE_WORDS = 28
#: Words of context a passage keeps before its first match.
LEAD_WORDS = 4
#: How much of a text is read for matches: a section of a thousand IP ranges is not read
#: to its end on every search, and a passage past this point would be a rare best.
READ_CHARS = 5_000

# "e-mail" is one word to a reader ("email"), though both databases' tokenizers make two of it.
_WORD = re.compile(r"\be-mail\b|[^\W_]+", re.IGNORECASE)
_stemmers = threading.local()


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    # Cached: a page of results stems the same few thousand words on every search.
    if not hasattr(_stemmers, "english"):
        _stemmers.english = snowballstemmer.stemmer("english")  # not thread-safe: one per thread
    return _stemmers.english.stemWord(word)


@dataclass(frozen=True)
class _Token:
    stem: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    """The words of ``text`` that can match, with where each stands; stop words left out."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group().lower().replace("-", "")
        if word not in STOP_WORDS:
            found.append(_Token(_stem(word), match.start(), match.end()))
    return found


def _phrase_end(text: str, position: int, rest: tuple[str, ...]) -> int | None:
    """Where a phrase whose first word ends at ``position`` ends, if the next words of
    ``text`` (stop words skipped) are ``rest``, by their stems; else None."""
    end = position
    if not rest:
        return end
    expected = iter(rest)
    wanted = next(expected)
    for match in _WORD.finditer(text, position):
        word = match.group().lower().replace("-", "")
        if word in STOP_WORDS:
            continue
        if _stem(word) != wanted:
            return None
        end = match.end()
        wanted = next(expected, None)
        if wanted is None:
            return end
    return None


@dataclass(frozen=True)
class Match:
    group: int
    start: int
    end: int


class Highlighter:
    """Built from a query's groups of alternatives (``TextQuery.groups``): each
    alternative is a word or a phrase; a match is a whole alternative."""

    def __init__(self, groups: Sequence[Sequence[str]]):
        terms = []
        for number, group in enumerate(groups):
            for alternative in group:
                stems = tuple(token.stem for token in _tokens(alternative))
                if stems:
                    terms.append((stems, number))
        #: Matches by text: a page's sections are ordered (places.py), then quoted, by one highlighter.
        self._seen: dict[str, list[Match]] = {}
        # By first word, longest first, so that "safe senders" is marked as one rather than
        # "senders" alone.
        self._terms: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for stems, number in sorted(set(terms), key=lambda term: -len(term[0])):
            self._terms.setdefault(stems[0], []).append((stems, number))
        # Words that may begin a match, found by the regex engine rather than by stemming
        # every word of a text: a word starts with its stem, but for the stem's last letter
        # ("repli" of "reply"); "e-mail" is "email".
        prefixes = {stem[:-1] if len(stem) > 3 else stem for stem in self._terms}
        if any(stem.startswith("email") for stem in self._terms):
            prefixes.add("e-mail")
        self._starts = (
            re.compile(
                r"\b(?:" + "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True)) + ")",
                re.IGNORECASE,
            )
            if prefixes
            else None
        )

    def matches(self, text: str) -> list[Match]:
        """The matches in ``text`` (its first ``READ_CHARS`` characters), in order, none overlapping."""
        text = (text or "")[:READ_CHARS]
        if text not in self._seen:
            self._seen[text] = self._find(text)
        return self._seen[text]

    def _find(self, text: str) -> list[Match]:
        found: list[Match] = []
        if self._starts is None:
            return found
        position = 0
        while True:
            candidate = self._starts.search(text, position)
            if candidate is None:
                return found
            word = _WORD.match(text, candidate.start())
            position = word.end()
            stem = _stem(word.group().lower().replace("-", ""))
            for term, group in self._terms.get(stem, ()):
                end = _phrase_end(text, word.end(), term[1:])
                if end is not None:
                    found.append(Match(group, word.start(), end))
                    position = end
                    break

    def groups_in(self, text: str) -> set[int]:
        """Which of the query's groups ``text`` matches."""
        return {match.group for match in self.matches(text)}

    def mark(self, text: str) -> str:
        """``text`` whole, every match between ``MARK_START`` and ``MARK_END``."""
        return _marked(text, self.matches(text), 0, len(text))

    def passage(self, text: str, words: int = PASSAGE_WORDS) -> str:
        """The passage of ``text`` with the most of the query's groups (then matches), the
        earliest of equals, marked, with "…" where it starts or ends inside its paragraph.

        A passage stays inside one paragraph (the lines of ``text``): a summary that
        matches is shown whole rather than run on into the body.
        """
        text = (text or "")[:READ_CHARS]
        found = self.matches(text)
        best: tuple | None = None
        start = 0
        for paragraph in text.split("\n"):
            end = start + len(paragraph)
            inside = [Match(m.group, m.start - start, m.end - start) for m in found if start <= m.start < end]
            # Only paragraphs with a match are weighed; the first one serves when none has.
            if paragraph.strip() and (inside or best is None):
                candidate = _best_window(paragraph, inside, words)
                if best is None or candidate[0] > best[0]:
                    best = candidate
            start = end + 1
        return best[1] if best else ""


def _best_window(text: str, found: list[Match], words: int) -> tuple[tuple[int, int], str]:
    """The window of ``words`` words of one paragraph with the most groups, then matches, marked."""
    spans = [match.span() for match in re.finditer(r"\S+", text)]
    best, first = (0, 0), 0
    for start in sorted({max(0, _word_at(spans, match.start) - LEAD_WORDS) for match in found}):
        start = max(0, min(start, len(spans) - words))
        end = spans[min(start + words, len(spans)) - 1][1]
        inside = [m for m in found if m.start >= spans[start][0] and m.end <= end]
        score = (len({m.group for m in inside}), len(inside))
        if score > best:
            best, first = score, start
    last = min(first + words, len(spans)) - 1
    begin, end = spans[first][0], spans[last][1]
    inside = [m for m in found if m.start >= begin and m.end <= end]
    passage = _marked(text, inside, begin, end)
    return best, ("… " if first > 0 else "") + passage + (" …" if last < len(spans) - 1 else "")


def _word_at(spans: list[tuple[int, int]], offset: int) -> int:
    return next(index for index, (_, end) in enumerate(spans) if end > offset)


def _marked(text: str, matches: list[Match], begin: int, end: int) -> str:
    parts, position = [], begin
    for match in matches:
        parts += [text[position : match.start], MARK_START, text[match.start : match.end], MARK_END]
        position = match.end
    parts.append(text[position:end])
    return "".join(parts)
