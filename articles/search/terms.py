"""What a text search looks for: each of the query's terms with its synonyms and its correction.

A term a reader typed is widened to the terms of any synonym group it
matches (synonyms.py) and to the known word it most likely misspells
(spelling.py, from the backend's candidates and the synonyms' own words, so
"hotmial" finds hotmail). A correction close enough is searched as well; one
a little further off only becomes the "did you mean" suggestion. A word of
letters and digits that staff wrote apart in a synonym ("office365" for
"office 365") is searched as they wrote it. Two queries at the most: the
synonyms, and the spelling candidates.

Nothing real is corrected: a word the content or a synonym holds, in that
form or another ("getting" for "get", a stop word the index leaves out), or that makes a known word with its
neighbour ("smart trak" for SmartTRAK), stays as typed. The backend is asked
about those forms in the same query as the candidates.
"""

from __future__ import annotations

from articles.search import spelling, synonyms
from articles.search.backends import get_backend
from articles.search.backends.base import TextQuery
from articles.search.query import STOP_WORDS, ParsedQuery, tokenise
from articles.search.results import SearchResults


def _typos(words: list[str], known: set[str]) -> dict[str, list[str]]:
    """The backend's candidates for each word that may be a typo, real words left out: one query."""
    unchecked = [word for word in words if spelling.needs_checking(word) and word not in known]
    pairs = [(i, pair) for i, pair in spelling.joined(words) if pair not in known]
    if not unchecked:
        return {}
    asked = {word: [word, *spelling.forms(word)] for word in unchecked}
    lookups = list(
        dict.fromkeys([form for forms in asked.values() for form in forms] + [p for _, p in pairs])
    )
    found = get_backend().spelling_candidates(lookups)
    # A word that is itself content (the index leaves stop words out: "get" of "getting"),
    # or whose pair with a neighbour is, is no typo.
    real = {lookup for lookup in lookups if lookup in found.get(lookup, ()) or lookup in STOP_WORDS}
    real |= known & set(lookups)
    joined_real = {i for i, pair in pairs if pair in real} | {
        i for i, pair in spelling.joined(words) if pair in known
    }
    beside_real = {words[i] for i in joined_real} | {words[i + 1] for i in joined_real}
    # Nor is a word the content holds with an ending ("fail" where the articles say "fails").
    inflected = {
        word for word, forms in asked.items() if any(word in spelling.forms(c) for c in found.get(word, ()))
    }
    return {
        word: found.get(word, [])
        for word, forms in asked.items()
        if word not in beside_real | inflected and not real.intersection(forms)
    }


def text_query(parsed: ParsedQuery, results: SearchResults) -> TextQuery:
    """Each term with its synonyms and spelling correction; records corrections and suggestions."""
    groups = synonyms.load()
    known = synonyms.known_words(groups)
    phrases = {term for group in groups for term in group.terms}
    for term in parsed.terms:
        written_apart = spelling.split(term.text)
        if not term.exact and term.text not in known and written_apart in phrases:
            results.corrections[term.text] = written_apart
    preferred = frozenset(known)
    typed = [term.text for term in parsed.terms if not term.exact and term.text not in results.corrections]
    loose: dict[str, str] = {}
    for word, found in _typos(typed, known).items():
        correction = spelling.correct(word, [*found, *known], preferred=preferred)
        if correction:
            results.corrections[word] = correction
        else:
            guess = spelling.correct(word, [*found, *known], slack=1, preferred=preferred)
            if guess:
                loose[word] = guess
    # The query's words after correction, each with the term it came from: a correction may be two words.
    sequence: list[str] = []
    origin: list[int] = []
    for position, term in enumerate(parsed.terms):
        for word in results.corrections.get(term.text, term.text).split():
            sequence.append(word)
            origin.append(position)
    alternatives: list[tuple[str, ...]] = []
    covered: set[int] = set()
    for start, end, terms in synonyms.expand(sequence, groups):
        alternatives.append(tuple(dict.fromkeys((" ".join(sequence[start:end]), *terms))))
        covered.update(origin[start:end])
    for position, term in enumerate(parsed.terms):
        if position not in covered:
            alternatives.append(
                tuple(dict.fromkeys((term.text, results.corrections.get(term.text, term.text))))
            )
    if loose:
        replaced = {**results.corrections, **loose}
        results.suggestion = " ".join(replaced.get(word, word) for word in tokenise(parsed.text))
    return TextQuery(groups=tuple(alternatives), phrase=parsed.phrase)
