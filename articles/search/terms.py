"""What a text search looks for: each of the query's terms with its synonyms and its correction.

A term a reader typed is widened to the terms of any synonym group it
matches (synonyms.py) and to the known word it most likely misspells
(spelling.py, from the backend's candidates). A correction close enough is
searched as well; one a little further off only becomes the "did you mean"
suggestion. Two queries at the most: the synonyms, and the spelling candidates.
"""

from __future__ import annotations

from articles.search import spelling, synonyms
from articles.search.backends import get_backend
from articles.search.backends.base import TextQuery
from articles.search.query import ParsedQuery, tokenise
from articles.search.results import SearchResults


def text_query(parsed: ParsedQuery, results: SearchResults) -> TextQuery:
    """Each term with its synonyms and spelling correction; records corrections and suggestions."""
    groups = synonyms.load()
    known = synonyms.known_words(groups)
    unchecked = [
        term.text
        for term in parsed.terms
        if not term.exact and spelling.needs_checking(term.text) and term.text not in known
    ]
    candidates = get_backend().spelling_candidates(unchecked) if unchecked else {}
    loose: dict[str, str] = {}
    for word, found in candidates.items():
        if word in found:
            continue
        correction = spelling.correct(word, found)
        if correction:
            results.corrections[word] = correction
        else:
            guess = spelling.correct(word, found, slack=1)
            if guess:
                loose[word] = guess
    sequence = [results.corrections.get(term.text, term.text) for term in parsed.terms]
    alternatives: list[tuple[str, ...]] = []
    covered: set[int] = set()
    for start, end, terms in synonyms.expand(sequence, groups):
        alternatives.append(tuple(dict.fromkeys((" ".join(sequence[start:end]), *terms))))
        covered.update(range(start, end))
    for position, term in enumerate(parsed.terms):
        if position not in covered:
            alternatives.append(tuple(dict.fromkeys((term.text, sequence[position]))))
    if loose:
        replaced = {**results.corrections, **loose}
        results.suggestion = " ".join(replaced.get(word, word) for word in tokenise(parsed.text))
    return TextQuery(groups=tuple(alternatives), phrase=parsed.phrase)
