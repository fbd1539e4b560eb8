"""PostgreSQL: weighted tsvectors with GIN indexes, ts_rank, ts_headline, pg_trgm.

A trigger keeps two vectors per ``SearchDocument`` (migration 0002):
``search_vector`` holds everything, title and vendor name weighted A,
summary and section names B, body C, steps and facts D; ``head_vector``
holds only the A and B parts, a few hundred bytes. Every term is searched
with ``phraseto_tsquery`` under the ``english`` configuration, so words are
stemmed, stop words dropped, and a multi-word synonym ("safe senders") must
appear as a phrase. Typo candidates come from the ``SearchTerm`` list by
trigram distance (a GiST index with ``gist_trgm_ops`` answers ``<->``).

Why ranking takes a pool. A full vector runs to several kilobytes and is
stored out of line (TOAST); reading one costs ~10 µs, so anything computed
from it for every match of a common word ("spam" in 10,000 articles) costs
hundreds of milliseconds. The GIN index finds matches without reading them,
and the small head vector is cheap to read. So every match is ordered by
what the head vector says (promoted, vendor named, terms matched in the
title, vendor, summary or sections, then their rank), and the full vector is
read only for a pool: the best of those, plus articles matching only in
their body (those with every term first), plus promoted articles. The pool
is ordered exactly as the contract says. Articles matching only in their
body are counted up to ``COUNT_LIMIT``; beyond it the total is a lower bound.
"""

from __future__ import annotations

from functools import reduce

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Expression, F, Func, QuerySet, TextField, Value
from django.db.models.functions import Concat

from ..models import SearchDocument, SearchTerm
from .base import MARK_END, MARK_START, Ranking, SearchBackend, TextQuery

CONFIG = "english"
#: Candidates fetched per unknown word; spelling.correct() chooses among them.
CANDIDATES_PER_WORD = 12
#: How many of the head-ranked matches, and of the body-only matches, are ranked in full.
POOL = 30
#: Body-only matches counted before the total becomes "at least".
COUNT_LIMIT = 500

_HEADLINE_OPTIONS = {
    "start_sel": MARK_START,
    "stop_sel": MARK_END,
    "max_words": 28,
    "min_words": 12,
    "max_fragments": 2,
    "fragment_delimiter": " … ",
}


def _readable(expression) -> Func:
    """Text without angle brackets, which ts_headline's parser would take for HTML tags."""
    return Func(expression, Value("<>"), Value("  "), function="translate", output_field=TextField())


def _any(texts) -> SearchQuery:
    queries = (SearchQuery(text, config=CONFIG, search_type="phrase") for text in texts)
    return reduce(lambda left, right: left | right, queries)


def _tsquery_sql(count: int) -> str:
    """``(phraseto_tsquery(%s, %s) || ...)`` for ``count`` (config, text) parameter pairs."""
    return "(" + " || ".join(["phraseto_tsquery(%s::regconfig, %s)"] * count) + ")"


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    known_gaps: dict[str, str] = {}

    def ranked(self, articles, query, *, promoted, boost, offset, limit) -> Ranking:
        documents = connection.ops.quote_name(SearchDocument._meta.db_table)
        allowed_sql, allowed_params = (
            articles.order_by().values("pk", "vendor_id", "title").query.sql_with_params()
        )
        promoted_sql, promoted_params = promoted.order_by().values("article_id").query.sql_with_params()
        # The tsqueries are computed once, in the CTE q. The planner cannot see
        # into it and so expects few matches, which suits us: it then takes
        # the GIN index (reading no vector) rather than scanning the table and
        # reading every vector, which it wrongly believes cheaper for a
        # common word.
        columns, q_params = [], []
        named = [
            ("everything", query.alternatives),
            *((f"g{i}", group) for i, group in enumerate(query.groups)),
        ]
        if query.phrase:
            named.append(("phrase", [query.phrase]))
        for name, texts in named:
            columns.append(f"{_tsquery_sql(len(texts))} AS {name}")
            q_params += [value for text in texts for value in (CONFIG, text)]
        groups = [f"g{i}" for i in range(len(query.groups))]
        every_group = " && ".join(groups)
        coverage = " + ".join(
            f"(d.search_vector @@ q.{name})::int" for name in [*groups, *(["phrase"] if query.phrase else [])]
        )
        head_coverage = " + ".join(f"(d.head_vector @@ q.{name})::int" for name in groups)
        body_only = (
            f"FROM {documents} d JOIN allowed al ON al.id = d.article_id CROSS JOIN q "
            "WHERE d.search_vector @@ q.everything AND NOT d.head_vector @@ q.everything"
        )
        # Every interpolated name is this module's own; every value is a parameter.
        sql = f"""
            WITH q AS MATERIALIZED (
                SELECT *, {every_group} AS every_group FROM (SELECT {", ".join(columns)}) AS terms
            ),
            allowed(id, vendor_id, title) AS NOT MATERIALIZED ({allowed_sql}),
            promoted(article_id) AS MATERIALIZED ({promoted_sql}),
            head AS MATERIALIZED (
                SELECT d.article_id,
                       d.article_id IN (SELECT id FROM allowed WHERE vendor_id = ANY(%s::bigint[]) OFFSET 0) AS boosted,
                       {head_coverage} AS head_coverage, ts_rank(d.head_vector, q.everything) AS head_rank
                FROM {documents} d CROSS JOIN q
                -- OFFSET 0 keeps this a hash of the allowed ids, built once, rather than a
                -- lookup per match: thousands of head vectors may match a common word.
                WHERE d.article_id IN (SELECT id FROM allowed OFFSET 0) AND d.head_vector @@ q.everything
            ),
            pool(article_id) AS (
                (SELECT article_id FROM head ORDER BY boosted DESC, head_coverage DESC, head_rank DESC LIMIT %s)
                UNION (SELECT d.article_id {body_only} AND d.search_vector @@ q.every_group LIMIT %s)
                UNION (SELECT d.article_id {body_only} LIMIT %s)
                UNION (SELECT p.article_id FROM promoted p JOIN allowed al ON al.id = p.article_id)
            ),
            body_count AS (SELECT count(*) AS n FROM (SELECT 1 {body_only} LIMIT %s) AS capped),
            unmatched_promoted AS (
                SELECT count(*) AS n FROM promoted p JOIN allowed al ON al.id = p.article_id
                JOIN {documents} d ON d.article_id = p.article_id CROSS JOIN q
                WHERE NOT d.search_vector @@ q.everything
            )
            SELECT d.article_id, d.article_id IN (SELECT article_id FROM promoted) AS is_promoted,
                   (SELECT count(*) FROM head) + body_count.n + unmatched_promoted.n AS total,
                   body_count.n >= %s AS at_least
            FROM pool JOIN {documents} d ON d.article_id = pool.article_id
            JOIN allowed al ON al.id = d.article_id
            LEFT JOIN head h ON h.article_id = d.article_id
            CROSS JOIN q CROSS JOIN body_count CROSS JOIN unmatched_promoted
            ORDER BY is_promoted DESC, COALESCE(al.vendor_id = ANY(%s::bigint[]), false) DESC, {coverage} DESC,
                     COALESCE(h.head_coverage, 0) DESC, ts_rank(d.search_vector, q.everything, 1) DESC,
                     al.title, d.article_id
            LIMIT %s OFFSET %s
        """  # noqa: S608
        boosted = sorted(boost)
        pool, count_limit = max(POOL, offset + limit), max(COUNT_LIMIT, offset + limit)
        params = [*q_params, *allowed_params, *promoted_params, boosted, pool, pool, pool, count_limit]
        params += [count_limit, boosted, limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return Ranking(page=[], total=0)
        return Ranking(
            page=[(pk, is_promoted) for pk, is_promoted, _, _ in rows], total=rows[0][2], at_least=rows[0][3]
        )

    def highlights(self, query: TextQuery) -> dict[str, Expression]:
        everything = _any(query.alternatives)
        return {
            "title_marked": SearchHeadline(
                "search_document__title",
                everything,
                config=CONFIG,
                highlight_all=True,
                start_sel=MARK_START,
                stop_sel=MARK_END,
            ),
            "body_marked": SearchHeadline(
                _readable(
                    Concat(
                        "search_document__summary",
                        Value(" "),
                        "search_document__body",
                        output_field=TextField(),
                    )
                ),
                everything,
                config=CONFIG,
                **_HEADLINE_OPTIONS,
            ),
            "details_marked": SearchHeadline(
                _readable(F("search_document__details")), everything, config=CONFIG, **_HEADLINE_OPTIONS
            ),
        }

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
