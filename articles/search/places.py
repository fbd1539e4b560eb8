"""Where in an article a result leads: its matching sections, best first, and the mail program named.

A page of results is ranked by article (ranking.py); within each article the
sections the backend found matching (``SearchSection``) are put in order here:

1. the section of a mail program the query names, by any of its names or a
   synonym of one ("hotmail" is a synonym of "outlook.com", so Outlook.com's
   section; "iphone" is in the name "Apple Mail (Mac, iPhone and iPad)");
2. the section matching more of the query's groups of terms, those in its name
   (a heading, a mail program's name) counted twice; the top of the article
   counts only its text before the first heading, as its title and summary
   (which sums up every section, and would always win) have counted in the
   article's rank already;
3. then the page's order.

Pure functions over what the backend returned; no database.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from articles.search.backends.base import SectionText, TextQuery
from articles.search.highlights import Highlighter
from articles.search.query import STOP_WORDS, tokenise

#: Words of a mail program's name too general to name it on their own.
_GENERAL = frozenset({"mail", "admin", "online", "new", "web", "and", "on", "the", "for", "microsoft", "365"})
# A mail program's name is several names: "Apple Mail (Mac, iPhone and iPad)", "Exchange Online / Microsoft 365 admin".
_NAME_PARTS = re.compile(r"[()/,]|\band\b")
#: Most of the query's terms one mail program's name is read from ("microsoft 365 admin").
_MAX_NAME_TERMS = 3


@dataclass(frozen=True)
class Place:
    """A matching section and how well it matches."""

    section: SectionText
    named: tuple
    score: tuple


def names_of(section: SectionText) -> list[tuple[str, ...]]:
    """The names a mail program's section answers to, as words: each part of its name, its
    short name and its slug (``aliases``), and each distinctive word of them on its own."""
    parts = _NAME_PARTS.split(f"{section.name}, {section.aliases}")
    names = {_words(part) for part in parts} - {()}
    names |= {(word,) for name in names for word in name if word not in _GENERAL}
    return sorted(names)


def _words(text: str) -> tuple[str, ...]:
    return tuple(word for word in tokenise(text) if word not in STOP_WORDS)


def in_query_order(query: TextQuery) -> list[tuple[str, ...]]:
    """The query's groups in the order their typed terms stand in the query (``TextQuery``
    puts those widened by synonyms first)."""
    words = tokenise(query.phrase)

    def place(group: tuple[str, ...]) -> int:
        first = tokenise(group[0])[:1]
        return words.index(first[0]) if first and first[0] in words else len(words)

    return sorted(query.groups, key=place)


def name_candidates(query: TextQuery) -> dict[tuple[str, ...], tuple]:
    """Every name the query may be naming a mail program by, with how plainly: once per search.

    A name may run over several of the query's terms ("classic outlook"), each typed or
    one of its synonyms ("office 365 admin" as "microsoft 365 admin"). Typed beats found
    by synonym; a longer name beats a shorter ("outlook.com" over "outlook"); earlier
    synonyms beat later ones.
    """
    groups = in_query_order(query)
    found: dict[tuple[str, ...], tuple] = {}
    for start in range(len(groups)):
        for end in range(start + 1, min(start + _MAX_NAME_TERMS, len(groups)) + 1):
            run = [list(enumerate(group)) for group in groups[start:end]]
            for choice in itertools.product(*run):
                words = _words(" ".join(alternative for _, alternative in choice))
                numbers = [number for number, _ in choice]
                plainness = (not any(numbers), len(words), -sum(numbers))
                if words and plainness > found.get(words, ()):
                    found[words] = plainness
    return found


def naming(section: SectionText, candidates: dict[tuple[str, ...], tuple]) -> tuple:
    """How plainly the query (its ``name_candidates``) names this section's mail program,
    comparable; () if it does not. Of equals, the whole short name beats a word of it."""
    if section.kind != "client":
        return ()
    short = _words(section.aliases.split(",")[0])
    named = [(*candidates[name], name == short) for name in names_of(section) if name in candidates]
    return max(named, default=())


def order(
    sections: Iterable[SectionText], query: TextQuery, highlighter: Highlighter | None = None
) -> dict[int, list[Place]]:
    """Each article's matching sections, best first (see the module's docstring)."""
    highlighter = highlighter or Highlighter(query.groups)
    candidates = name_candidates(query)
    by_article: dict[int, list[Place]] = defaultdict(list)
    for section in sections:
        text, name = section.text, section.name
        if section.kind == "top":
            # Its name is the article's title, and its summary (the first line, index.py) sums
            # up every section: the article's rank has counted both already.
            text, name = text.partition("\n")[2], ""
        in_name = highlighter.groups_in(name)
        score = (len(in_name) + len(in_name | highlighter.groups_in(text)), -section.position)
        by_article[section.article_id].append(Place(section, naming(section, candidates), score))
    return {
        article_id: sorted(places, key=lambda place: (place.named, place.score), reverse=True)
        for article_id, places in by_article.items()
    }
