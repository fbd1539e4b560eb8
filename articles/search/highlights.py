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

import snowballstemmer

from articles.search.backends.base import MARK_END, MARK_START
from articles.search.query import STOP_WORDS

#: Words a passage holds at most, as ts_headline's MaxWords and snippet()'s 24 tokens roughly do.
PASSAGE_WORDS = 28
#: Words of context a passage keeps before its first match.
LEAD_WORDS = 4

# "e-mail" is one word to a reader ("email"), though both databases' tokenizers make two of it.
_WORD = re.compile(r"\be-mail\b|[^\W_]+", re.IGNORECASE)
_stemmers = threading.local()


def _stem(word: str) -> str:
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
        # Longest first, so that "safe senders" is marked as one rather than "senders" alone.
        self._terms = sorted(set(terms), key=lambda term: -len(term[0]))
        self.size = len(groups)

    def matches(self, text: str) -> list[Match]:
        tokens = _tokens(text or "")
        stems = [token.stem for token in tokens]
        found, position = [], 0
        while position < len(tokens):
            for term, group in self._terms:
                if tuple(stems[position : position + len(term)]) == term:
                    last = tokens[position + len(term) - 1]
                    found.append(Match(group, tokens[position].start, last.end))
                    position += len(term)
                    break
            else:
                position += 1
        return found

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
        best: tuple | None = None
        for paragraph in (text or "").split("\n"):
            paragraph = " ".join(paragraph.split())
            if paragraph:
                candidate = self._best_window(paragraph, words)
                if best is None or candidate[0] > best[0]:
                    best = candidate
        return best[1] if best else ""

    def _best_window(self, text: str, words: int) -> tuple[tuple[int, int], str]:
        spans = [match.span() for match in re.finditer(r"\S+", text)]
        found = self.matches(text)
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
