"""PostgreSQL: weighted tsvectors with GIN indexes, ts_rank, pg_trgm.

A trigger keeps two vectors per ``SearchDocument`` (migration 0002):
``search_vector`` holds everything, title and vendor name weighted A,
summary and section names B, body C, steps and facts D; ``head_vector``
holds only the A and B parts, a few hundred bytes. Every term is searched
with ``phraseto_tsquery`` under the ``english`` configuration, so words are
stemmed, stop words dropped, and a multi-word synonym ("safe senders") must
appear as a phrase. Typo candidates come from the ``SearchTerm`` list by
trigram distance (a GiST index with ``gist_trgm_ops`` answers ``<->``).

Ranking and counting a page is one statement, written by
postgres_ranking.py; why it ranks a bounded pool of candidates is said there.
The bounds are this module's (``HEAD_LIMIT``, ``POOL``, ``COUNT_LIMIT``).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet

from articles.search.backends.base import Ranking, SearchBackend, SectionText, TextQuery
from articles.search.backends.postgres_ranking import CONFIG, ranking_statement
from articles.search.models import SearchSection, SearchTerm

#: Candidates fetched per unknown word; spelling.correct() chooses among them.
CANDIDATES_PER_WORD = 12
#: Head matches ranked per search (see postgres_ranking.py).
HEAD_LIMIT = 1000
#: How many of the head-ranked matches, the body-only ones and a named vendor's are ranked in full;
#: the first POOL of the ranking fill the first pages.
POOL = 30
#: Matches counted before the total becomes "more than": a hundred pages of ten.
COUNT_LIMIT = 1000


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    known_gaps: dict[str, str] = {}

    def ranked(self, articles, query, *, promoted, boost, offset, limit) -> Ranking:
        count_limit = max(COUNT_LIMIT, offset + limit)
        statement = ranking_statement(
            articles,
            query,
            promoted=promoted,
            boosted=sorted(boost),
            pool=POOL,
            count_limit=count_limit,
            head_limit=HEAD_LIMIT,
            offset=offset,
            limit=limit,
        )
        with connection.cursor() as cursor:
            cursor.execute("\n".join(statement.parts), statement.params)
            rows = cursor.fetchall()
        if not rows:
            return Ranking(page=[], total=0)
        total = rows[0][2]
        return Ranking(
            page=[(pk, is_promoted) for pk, is_promoted, *_ in rows],
            total=min(total, count_limit),
            at_least=total > count_limit,
        )

    def sections(self, article_ids: list[int], query: TextQuery) -> list[SectionText]:
        alternatives = query.alternatives
        if not article_ids or not alternatives:
            return []
        table = connection.ops.quote_name(SearchSection._meta.db_table)
        tsquery = " || ".join(["phraseto_tsquery(%s::regconfig, %s)"] * len(alternatives))
        # Found by article (the foreign key's index) and tested against the row's own vector:
        # a page holds ten articles of a few dozen sections each. Names are the model's.
        sql = (
            f"SELECT s.article_id, s.position, s.kind, s.anchor, s.name, s.aliases, s.text FROM {table} s "  # noqa: S608
            f"WHERE s.article_id = ANY(%s) AND s.vector @@ ({tsquery}) ORDER BY s.article_id, s.position"
        )
        params = [article_ids, *(value for text in alternatives for value in (CONFIG, text))]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [SectionText(*row) for row in cursor.fetchall()]

    def title_prefix(self, articles: QuerySet, words: list[str], limit: int) -> QuerySet:
        # A raw tsquery of letters and digits only (query.tokenise() guarantees it),
        # restricted to weight A: the title and the vendor's name.
        raw = " & ".join([f"{word}:A" for word in words[:-1]] + [f"{words[-1]}:*A"])
        prefix = SearchQuery(raw, config=CONFIG, search_type="raw")
        return (
            articles.filter(search_document__head_vector=prefix)
            .annotate(rank=SearchRank(F("search_document__head_vector"), prefix))
            .order_by("-rank", "title")[:limit]
        )

    def spelling_candidates(self, words: list[str]) -> dict[str, list[str]]:
        table = connection.ops.quote_name(SearchTerm._meta.db_table)
        # The table name comes from the model; the words are parameters.
        sql = (
            f"SELECT w.word, t.term FROM unnest(%s::text[]) AS w(word) "  # noqa: S608
            f"CROSS JOIN LATERAL (SELECT term FROM {table} ORDER BY term <-> w.word LIMIT %s) AS t"
        )
        found: dict[str, list[str]] = {word: [] for word in words}
        with connection.cursor() as cursor:
            cursor.execute(sql, [words, CANDIDATES_PER_WORD])
            for word, term in cursor.fetchall():
                found[word].append(term)
        return found
