"""What the reader is typing, matched against a name: by prefix of any word, or run together.

Pure functions, no database. The last word typed is unfinished, so it
matches a word of the name that starts with it; the words before it must be
whole words of the name (in their base form, "senders" for "sender"). Typed
without spaces or with too many ("smart tr", "smtp 2 g"), the words still
match a name whose letters and digits they begin ("SmartTRAK", "SMTP2GO").

``wanted()`` says what to look for in titles and bodies: each finished word
with its synonyms, and the unfinished one with the synonym terms it begins.

A match says which characters of the name to mark, as ``(start, end)`` spans;
``marked()`` turns a name and its spans into the parts search.js shows, marked
and unmarked text apart, so nothing is ever written as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from articles.search import synonyms
from articles.search.query import tokenise
from articles.search.synonyms import base

_WORD = re.compile(r"[^\W_]+")

Spans = list[tuple[int, int]]


def compact(text: str) -> str:
    """Letters and digits only, in lower case: "SMTP-2-GO" → ``smtp2go``."""
    return "".join(_WORD.findall(text.lower()))


def match(words: Sequence[str], name: str, *, prefix: bool = True) -> Spans | None:
    """Where ``words`` (lower case, the last one unfinished if ``prefix``) occur in ``name``; None if not all do."""
    if not words:
        return None
    tokens = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(name)]
    spans: Spans = []
    used: set[int] = set()
    for position, word in enumerate(words):
        last = prefix and position == len(words) - 1
        for index, (start, end, token) in enumerate(tokens):
            if index in used:
                continue
            if last and token.startswith(word):
                spans.append((start, start + len(word)))
            elif token == word or base(token) == base(word):
                spans.append((start, end))
            else:
                continue
            used.add(index)
            break
        else:
            return _run_together(words, name, tokens, prefix=prefix)
    return sorted(spans)


def _run_together(words: Sequence[str], name: str, tokens, *, prefix: bool) -> Spans | None:
    """The words written without spaces begin the name's letters and digits: one span over them."""
    typed, whole = "".join(words), "".join(token for _, _, token in tokens)
    if not (whole.startswith(typed) if prefix else whole == typed):
        return None
    # Walk the name's characters until as many letters and digits as were typed are covered.
    remaining, spans = len(typed), []
    for start, end, _token in tokens:
        if remaining <= 0:
            break
        take = min(remaining, end - start)
        spans.append((start, start + take))
        remaining -= take
    return spans


def marked(text: str, spans: Spans) -> list[tuple[str, bool]]:
    """``text`` in parts, each with whether it is a match: what search.js shows, in <mark> or not."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for start, end in sorted(spans):
        if start < position:
            continue
        if start > position:
            parts.append((text[position:start], False))
        parts.append((text[start:end], True))
        position = end
    if position < len(text):
        parts.append((text[position:], False))
    return parts


def shifted(spans: Spans, by: int) -> Spans:
    """``spans`` in a longer text that starts ``by`` characters earlier."""
    return [(start + by, end + by) for start, end in spans]


def wanted(words: list[str], groups: list[synonyms.SynonymGroup]) -> list[tuple[str, ...]]:
    """What to look for in titles and bodies: each finished word with its synonyms, then the unfinished
    word (or the last two) with the synonym terms it begins ("safe s" → safe senders, allowlist …)."""
    tail, begun = words[-2:], _begun(words[-2:], groups) if len(words) > 1 else []
    if not begun:
        tail = words[-1:]
        begun = _begun(tail, groups) if len(tail[0]) >= 3 else []
    done = words[: len(words) - len(tail)]
    found: list[tuple[str, ...]] = []
    expanded = {start: (end, terms) for start, end, terms in synonyms.expand(done, groups)}
    position = 0
    while position < len(done):
        end, terms = expanded.get(position, (position + 1, ()))
        found.append(tuple(dict.fromkeys((" ".join(done[position:end]), *terms))))
        position = end
    found.append(tuple(dict.fromkeys((" ".join(tail), *begun))))
    return found


def _begun(tail: list[str], groups: list[synonyms.SynonymGroup]) -> list[str]:
    """Every term of the synonym groups that have a term ``tail`` begins."""
    return [
        term for group in groups if any(_begins(tail, term) for term in group.terms) for term in group.terms
    ]


def _begins(tail: list[str], term: str) -> bool:
    """Whether the words ``tail``, the last unfinished, begin ``term``."""
    words = tokenise(term)
    return (
        len(words) >= len(tail)
        and words[: len(tail) - 1] == tail[:-1]
        and words[len(tail) - 1].startswith(tail[-1])
    )


def group_spans(wanted: list[tuple[str, ...]], text: str) -> Spans:
    """What to mark in ``text``: each group's first alternative found in it (the typed word as a prefix)."""
    spans: Spans = []
    for number, group in enumerate(wanted):
        for index, alternative in enumerate(group):
            typing = number == len(wanted) - 1 and index == 0
            found = match(tokenise(alternative), text, prefix=typing)
            if found:
                spans += found
                break
    return spans
