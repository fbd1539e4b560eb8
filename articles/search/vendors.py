"""Vendors a query names, in any spacing, case or punctuation: ``smtp 2 go``, ``lead-master``, ``Smart Trak``.

A reader types a vendor's name the way they heard it. Its words run
together, capitals and punctuation aside, are compared with each vendor's
name and slug run together the same way; the words that spell a vendor's
name are then searched as that name, exactly (so "smart" in "smart trak" is
not taken for a typo of another word), and the vendor's articles rank first,
as they do for a vendor named by address or domain (engine.py). A close
misspelling of a one-word name ("trakerrms") is corrected towards the name by
spelling.py like any word; ``vendor_ids`` then finds the vendor by the
corrected word.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django.db import connection

from articles.facts.models import Vendor
from articles.search.query import ParsedQuery, Term

#: Most words one vendor's name is read from ("smtp 2 go" is three).
MAX_NAME_WORDS = 4
_PUNCTUATION = (" ", "-", ".", "_", "&", "'")


def run_together(text: str) -> str:
    """``SMTP-2-GO`` and ``smtp 2 go`` alike as ``smtp2go``."""
    text = text.lower()
    for character in _PUNCTUATION:
        text = text.replace(character, "")
    return text


def _key(column: str) -> str:
    """``run_together()`` in SQL both databases run, on a column of the vendor table."""
    sql = f"lower({column})"
    for character in _PUNCTUATION:
        quoted = character.replace("'", "''")  # SQL's own quoting of a literal
        sql = f"replace({sql}, '{quoted}', '')"
    return sql


def vendors_named(keys: Iterable[str]) -> dict[str, tuple[int, str]]:
    """The vendors whose name or slug, run together, is one of ``keys``: {key: (id, name)}. One query.

    Plain SQL: compiling the same SELECT through the ORM costs more than running it
    (see rows.py). The table holds a row per vendor, a few thousand at most.
    """
    keys = sorted(set(keys))
    if not keys:
        return {}
    table = connection.ops.quote_name(Vendor._meta.db_table)
    placeholders = ", ".join(["%s"] * len(keys))
    # Names are the model's and this module's; the keys are parameters.
    sql = (
        f"SELECT id, name, {_key('name')}, {_key('slug')} FROM {table} "  # noqa: S608
        f"WHERE {_key('name')} IN ({placeholders}) OR {_key('slug')} IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*keys, *keys])
        rows = cursor.fetchall()
    found: dict[str, tuple[int, str]] = {}
    for pk, name, name_key, slug_key in sorted(rows):
        for key in (name_key, slug_key):
            found.setdefault(key, (pk, name))
    return found


def spans(terms: tuple[Term, ...]) -> dict[str, tuple[int, int]]:
    """Runs of words that may spell a vendor's name, run together: {key: (start, end)}, longest first."""
    found: dict[str, tuple[int, int]] = {}
    for length in range(min(MAX_NAME_WORDS, len(terms)), 0, -1):
        for start in range(len(terms) - length + 1):
            run = terms[start : start + length]
            if any(term.exact for term in run):
                continue
            found.setdefault(run_together("".join(term.text for term in run)), (start, start + length))
    return found


def read_vendor_names(parsed: ParsedQuery) -> tuple[ParsedQuery, set[int]]:
    """The query with each vendor's name it spells searched as that name, exactly, and those vendors' ids."""
    runs = spans(parsed.terms)
    named = vendors_named(runs)
    if not named:
        return parsed, set()
    terms, taken, ids = list(parsed.terms), set(), set()
    for key, (start, end) in runs.items():  # longest runs first
        if key not in named or taken & set(range(start, end)):
            continue
        taken |= set(range(start, end))
        pk, name = named[key]
        ids.add(pk)
        terms[start] = Term(name.lower(), exact=True)
        for position in range(start + 1, end):
            terms[position] = None
    kept = tuple(dict.fromkeys(term for term in terms if term is not None))
    return dataclasses.replace(parsed, terms=kept), ids


def vendor_ids(words: Iterable[str]) -> set[int]:
    """The vendors named by these words (a correction, say), each run together."""
    return {pk for pk, _ in vendors_named(run_together(word) for word in words).values()}
