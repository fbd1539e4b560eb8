"""PostgreSQL's highlights: ts_headline's options, and the SQL around the passages it marks.

ts_headline marks matches in a text and cuts passages from it; these build
the pieces of the ranking statement (postgres_ranking.py) that call it: its
option strings, text it can read safely, and the "…" where a passage starts
or ends inside its source, as SQLite's snippet() writes it.
"""

from __future__ import annotations

from functools import cache

from django.db import connection

from articles.search.backends.base import MARK_END, MARK_START

TITLE = (("StartSel", MARK_START), ("StopSel", MARK_END), ("HighlightAll", True))
PASSAGES = (
    ("StartSel", MARK_START),
    ("StopSel", MARK_END),
    ("MaxWords", 28),
    ("MinWords", 12),
    ("MaxFragments", 2),
    ("FragmentDelimiter", " … "),
)


@cache
def options(pairs: tuple[tuple[str, object], ...]) -> str:
    """ts_headline's option string, each value quoted as Django's SearchHeadline quotes it."""
    return ", ".join(connection.ops.compose_sql(f"{name}=%s", [value]) for name, value in pairs)


def excerpt(passage: str, config: str) -> str:
    """The LATERAL ``passage``'s marked text, with "…" where it starts or ends inside its source
    (as SQLite's snippet() has). ts_headline trims stop words and punctuation off a passage's
    edges, so a passage is taken to reach an edge if what it left out there is under 40
    characters with no word the index keeps (under ``config``, the text search configuration).
    The marks are U+E000 and U+E001 (base.py)."""
    source, marked = f"{passage}.source", f"{passage}.marked"
    unmarked = f"translate({marked}, chr({ord(MARK_START)}) || chr({ord(MARK_END)}), '')"
    first, last = f"split_part({unmarked}, ' … ', 1)", f"split_part({unmarked}, ' … ', -1)"
    before = f"left({source}, strpos({source}, {first}) - 1)"
    after = f"substr({source}, strpos({source}, {last}) + length({last}))"

    def left_out(text: str) -> str:
        return f"(length({text}) < 40 AND to_tsvector('{config}', {text}) = ''::tsvector)"

    return (
        f"CASE WHEN strpos({source}, {first}) > 0 AND {left_out(before)} THEN '' ELSE '… ' END"
        f" || {marked} || CASE WHEN strpos({source}, {last}) > 0 AND {left_out(after)} THEN '' ELSE ' …' END"
        f" AS {passage}_marked"
    )


def readable(column: str) -> str:
    """Text without angle brackets, which ts_headline's parser would take for HTML tags."""
    return f"translate({column}, '<>', '  ')"
