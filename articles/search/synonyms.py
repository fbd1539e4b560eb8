"""Synonyms: staff say which words mean the same, and a search for one finds all.

Applied to the query, not to the index, so an edit in the admin counts from
the next search on and nothing has to be rebuilt. Terms match the query's
words in their base form ("senders" matches "sender", "whitelisting"
matches "whitelist") and may be several words long ("safe senders").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from articles.search.models import Synonym
from articles.search.query import STOP_WORDS, tokenise


def base(word: str) -> str:
    """A rough base form, enough to match a synonym: plural, -ing and -ed endings off."""
    for suffix, keep in (("ing", 4), ("ed", 4), ("es", 4), ("s", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def key(text: str) -> tuple[str, ...]:
    """A term as the base forms of its words, stop words left out."""
    return tuple(base(word) for word in tokenise(text) if word not in STOP_WORDS)


@dataclass(frozen=True)
class SynonymGroup:
    terms: tuple[str, ...]

    @property
    def keys(self) -> list[tuple[str, ...]]:
        return [k for k in (key(term) for term in self.terms) if k]


def load() -> list[SynonymGroup]:
    """Every synonym group staff have written: one query."""
    return [SynonymGroup(tuple(group.term_list)) for group in Synonym.objects.all()]


def known_words(groups: Sequence[SynonymGroup]) -> set[str]:
    """Words that appear in some synonym: never "corrected" into something else."""
    return {word for group in groups for term in group.terms for word in term.lower().split()}


def expand(words: Sequence[str], groups: Sequence[SynonymGroup]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Where synonyms match ``words``: (start, end, every term of the group), longest match first."""
    index: dict[tuple[str, ...], tuple[str, ...]] = {}
    for group in groups:
        for term_key in group.keys:
            merged = index.get(term_key, ())
            index[term_key] = tuple(dict.fromkeys(merged + group.terms))
    longest = max((len(k) for k in index), default=0)
    bases = [base(word) for word in words]
    matches = []
    position = 0
    while position < len(words):
        for length in range(min(longest, len(words) - position), 0, -1):
            found = index.get(tuple(bases[position : position + length]))
            if found:
                matches.append((position, position + length, found))
                position += length
                break
        else:
            position += 1
    return matches
