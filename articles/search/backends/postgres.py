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
from django.db.models import F, QuerySet, Subquery

from articles.search.backends.base import PrefixGroups, Ranking, SearchBackend, SectionText, TextQuery
from articles.search.backends.postgres_ranking import CONFIG, ranking_statement
from articles.search.models import SearchSection, SearchTerm
from articles.search.query import tokenise

#: Candidates fetched per unknown word; spelling.correct() chooses among them.
CANDIDATES_PER_WORD = 12
#: Head matches ranked per search (see postgres_ranking.py).
HEAD_LIMIT = 1000
#: How many of the head-ranked matches, the body-only ones and a named vendor's are ranked in full;
#: the first POOL of the ranking fill the first pages.
POOL = 30
#: Title matches ranked for a suggestion (see ``_prefix``).
SUGGEST_POOL = 200
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

    def title_prefix(self, articles: QuerySet, groups: PrefixGroups, limit: int) -> QuerySet:
        # Weight A: the title and the vendor's name, in the small head vector.
        return self._prefix(articles, "head_vector", "A", groups, limit)

    def body_prefix(self, articles: QuerySet, groups: PrefixGroups, limit: int) -> QuerySet:
        # Weight C: the body. Not ranked: ranking every body a short prefix matches takes
        # 300 ms at 10,000 articles; the first few the index finds, a few milliseconds.
        return self._prefix(articles, "search_vector", "C", groups, limit, ranked=False)

    def _prefix(
        self, articles: QuerySet, vector: str, weight: str, groups: PrefixGroups, limit: int, *, ranked=True
    ) -> QuerySet:
        # A raw tsquery of letters and digits only: every phrase, the reader's or a synonym
        # staff wrote ("at&t"), goes through query.tokenise(), codes' dots (5.7.1) as spaces.
        def phrase(text: str, prefix: bool = False) -> str:
            words = " ".join(tokenise(text)).replace(".", " ").split()
            last = len(words) - 1
            return " <-> ".join(
                f"{word}:{'*' if prefix and i == last else ''}{weight}" for i, word in enumerate(words)
            )

        parts = []
        for number, group in enumerate(groups):
            typed = number == len(groups) - 1
            phrases = [phrase(text, typed and i == 0) for i, text in enumerate(group)]
            parts.append("(" + " | ".join(f"({p})" for p in phrases if p) + ")")
        prefix = SearchQuery(" & ".join(parts), config=CONFIG, search_type="raw")
        field = f"search_document__{vector}"
        matching = articles.filter(**{field: prefix})
        if not ranked:
            # Unordered, so that the scan stops at the first few: ordering every match of a
            # phrase ("office 365") means reading each from the table to check it.
            return articles.filter(pk__in=Subquery(matching.order_by().values("pk")[:limit])).order_by("pk")
        # The first SUGGEST_POOL matches the index finds are ranked (all of them in a help
        # center of hundreds), as ranking every title a common prefix matches is slow.
        pool = articles.filter(pk__in=Subquery(matching.order_by().values("pk")[:SUGGEST_POOL]))
        return pool.annotate(rank=SearchRank(F(field), prefix)).order_by("-rank", "title")[:limit]

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
