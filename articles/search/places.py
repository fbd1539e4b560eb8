"""Where in an article a result leads: its matching sections, best first, and the mail program named.

A page of results is ranked by article (ranking.py); within each article the
sections the backend found matching (``SearchSection``) are put in order here:

1. the section of a mail program the query names, by any of its names or a
   synonym of one ("hotmail" is a synonym of "outlook.com", so Outlook.com's
   section; "iphone" is in the name "Apple Mail (Mac, iPhone and iPad)");
2. the section matching more of the query's groups of terms;
3. then more of them in its name (heading, mail program's name);
4. then more matches in all (a few per group at most);
5. then the page's order.

Pure functions over what the backend returned; no database.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from articles.search.backends.base import SectionText, TextQuery
from articles.search.highlights import Highlighter
from articles.search.query import tokenise

#: Words of a mail program's name too general to name it on their own.
_GENERAL = frozenset({"mail", "admin", "online", "new", "web", "and", "on", "the", "for", "microsoft", "365"})
# A mail program's name is several names: "Apple Mail (Mac, iPhone and iPad)", "Exchange Online / Microsoft 365 admin".
_NAME_PARTS = re.compile(r"[()/,]|\band\b")
#: Matches counted per group when comparing sections, so one word repeated does not win.
_MATCHES_PER_GROUP = 3


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
    names = {tuple(tokenise(part)) for part in parts} - {()}
    names |= {(word,) for name in names for word in name if word not in _GENERAL}
    return sorted(names)


def naming(section: SectionText, query: TextQuery) -> tuple:
    """How plainly the query names this section's mail program, comparable; () if it does not.

    Typed beats found by synonym; a longer name beats a shorter ("outlook.com" over
    "outlook"); the whole short name beats a word of it; an earlier synonym beats a later.
    """
    if section.kind != "client":
        return ()
    names = names_of(section)
    short = tuple(tokenise(section.aliases.split(",")[0]))
    best: tuple = ()
    for group in query.groups:
        for number, alternative in enumerate(group):
            words = tuple(tokenise(alternative))
            if words and words in names:
                found = (number == 0, len(words), words == short, -number)
                best = max(best, found)
    return best


def order(sections: Iterable[SectionText], query: TextQuery) -> dict[int, list[Place]]:
    """Each article's matching sections, best first (see the module's docstring)."""
    highlighter = Highlighter(query.groups)
    by_article: dict[int, list[Place]] = defaultdict(list)
    for section in sections:
        matches = highlighter.matches(f"{section.name} · {section.text}")
        counts: dict[int, int] = defaultdict(int)
        for match in matches:
            counts[match.group] = min(counts[match.group] + 1, _MATCHES_PER_GROUP)
        score = (
            len(counts),
            len(highlighter.groups_in(section.name)),
            sum(counts.values()),
            -section.position,
        )
        by_article[section.article_id].append(Place(section, naming(section, query), score))
    return {
        article_id: sorted(places, key=lambda place: (place.named, place.score), reverse=True)
        for article_id, places in by_article.items()
    }
