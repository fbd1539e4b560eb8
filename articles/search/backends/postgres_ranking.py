"""PostgreSQL's ranking statement: one page of matches ranked and counted at once.

Why ranking takes a pool, and why the pool is bounded. A full vector runs to
several kilobytes and is stored out of line (TOAST): reading one costs
~10 µs, so nothing may read the full vector of every match of a common word
("spam" in 10,000 articles). The GIN indexes find matches without reading
vectors, and the head vector is stored in the row (migration 0004), so it is
cheap to read. The pool is:

- the best of the head matches, by how many of the query's terms they match
  in the head and their rank there. Up to ``head_limit`` of them are ranked,
  those matching every term first: in a help center of hundreds of articles
  that is every head match, so the choice is exact; past that, the ones
  ranked are the first the index finds;
- matches in the body alone, and those matching every term there;
- the matching articles of a vendor the query named, and promoted articles.

The pool is then ordered exactly as the contract says, each full vector read
once, and its first ``pool`` fill the first three pages; past them, the other
matches follow in the order their head vectors give, so that paging shows
every article counted exactly once. Matches are counted up to
``count_limit``, the most a reader can page through; past it the total says
"more than". The page's highlights are not made here: highlights.py makes
them from the matching sections, the same way on both databases.

The three bounds are the backend's (``HEAD_LIMIT``, ``POOL`` and
``COUNT_LIMIT`` in postgres.py). The statement is built as text and values
(``Statement``): every name in the text is this module's own, every value a
parameter, so the text depends only on the shape of the query (how many
groups, a phrase, a filter, the page).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from articles.content.models import Article
from articles.search import rows
from articles.search.backends.base import TextQuery
from articles.search.models import SearchDocument

#: The text search configuration of every vector and query (migration 0002).
CONFIG = "english"

#: The contract's order (base.py), over the columns of the CTE ``ranked``.
_ORDER = "is_promoted DESC, boosted DESC, coverage DESC, head_coverage DESC, rank DESC, title, article_id"


class Statement:
    """SQL written in the order it reads, each part with its values."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list = []

    def add(self, sql: str, *values) -> None:
        self.parts.append(sql)
        self.params.extend(values)


def ranking_statement(
    articles: QuerySet | None,
    query: TextQuery,
    *,
    promoted: QuerySet,
    boosted: list[int],
    pool: int,
    count_limit: int,
    head_limit: int,
    offset: int,
    limit: int,
) -> Statement:
    """One page of the ranking, and the count (see the module's docstring).

    Every name interpolated is this module's own; every value is a parameter.
    """
    quote = connection.ops.quote_name
    documents = quote(SearchDocument._meta.db_table)
    groups = [f"g{i}" for i in range(len(query.groups))]
    several = len(groups) > 1
    coverage = " + ".join(
        f"(v.vector @@ q.{name})::int" for name in [*groups, *(["phrase"] if query.phrase else [])]
    )

    def head_coverage(vector: str) -> str:
        return " + ".join(f"({vector} @@ q.{name})::int" for name in groups)

    def visible(document: str) -> str:
        # Unfiltered, the document says whether readers may see its article; filtered, ask
        # the filtered articles (an index probe each, answered by article_public_covering_idx).
        if articles is None:
            return (
                f"{document}.public_from <= q.now "
                f"AND ({document}.public_until IS NULL OR {document}.public_until > q.now)"
            )
        return f"EXISTS (SELECT 1 FROM allowed al WHERE al.id = {document}.article_id)"

    statement = Statement()
    add = statement.add
    # The tsqueries are computed once, in the CTE q. The planner cannot see
    # into it and so expects few matches, which suits us: it then takes the
    # GIN indexes (reading no vector) rather than scanning the table and
    # reading every vector, which it wrongly believes cheaper for a common word.
    named = [("everything", query.alternatives), *zip(groups, query.groups, strict=True)]
    if query.phrase:
        named.append(("phrase", [query.phrase]))
    add(f"WITH q AS MATERIALIZED (SELECT *, {' && '.join(groups)} AS every_group FROM (SELECT")
    for name, texts in named:
        tsquery = " || ".join(["phraseto_tsquery(%s::regconfig, %s)"] * len(texts))
        add(f"({tsquery}) AS {name},", *(v for text in texts for v in (CONFIG, text)))
    add("%s::timestamptz AS now) AS terms),", timezone.now())
    if articles is None:
        public_sql, allowed_params = rows.public("a")
        allowed_sql = (
            f"SELECT a.id, a.vendor_id, a.title FROM {quote(Article._meta.db_table)} a WHERE {public_sql}"
        )
    else:
        allowed_sql, allowed_params = (
            articles.order_by().values("pk", "vendor_id", "title").query.sql_with_params()
        )
    add(f"allowed(id, vendor_id, title) AS NOT MATERIALIZED ({allowed_sql}),", *allowed_params)
    promoted_sql, promoted_params = promoted.order_by().values("article_id").query.sql_with_params()
    add(f"promoted(article_id) AS MATERIALIZED ({promoted_sql}),", *promoted_params)
    # Head matches of every term; then, only if those are too few to fill the pool, of some.
    add(
        f"""head_found AS MATERIALIZED (
            SELECT d.article_id, d.head_vector FROM {documents} d CROSS JOIN q
            WHERE d.head_vector @@ q.every_group AND {visible("d")} LIMIT %s
        ),""",
        head_limit,
    )
    if several:
        add(
            f"""head_more AS MATERIALIZED (
                SELECT d.article_id, d.head_vector FROM {documents} d CROSS JOIN q
                WHERE (SELECT count(*) FROM head_found) < %s
                AND d.head_vector @@ q.everything AND NOT d.head_vector @@ q.every_group
                AND {visible("d")} LIMIT %s
            ),""",
            pool,
            head_limit,
        )
    head_rows = "SELECT * FROM head_found" + (" UNION ALL SELECT * FROM head_more" if several else "")
    add(
        f"""head AS (
            SELECT h.article_id FROM ({head_rows}) AS h CROSS JOIN q
            ORDER BY {head_coverage("h.head_vector")} DESC, ts_rank(h.head_vector, q.everything) DESC,
                     h.article_id
            LIMIT %s
        ),
        found AS MATERIALIZED (
            SELECT d.article_id, d.head_vector @@ q.everything AS in_head FROM {documents} d CROSS JOIN q
            WHERE d.search_vector @@ q.everything AND {visible("d")} LIMIT %s
        ),
        pool(article_id) AS (
            SELECT article_id FROM head
            UNION (SELECT article_id FROM found WHERE NOT in_head ORDER BY article_id LIMIT %s)""",
        pool,
        count_limit + 1,
        pool,
    )
    if several:
        # Matches of every term outside the head, among the first ``head_limit`` matches of every term.
        add(
            f"""UNION (
                SELECT s.article_id FROM (
                    SELECT d.article_id, d.head_vector FROM {documents} d CROSS JOIN q
                    WHERE d.search_vector @@ q.every_group AND {visible("d")} LIMIT %s
                ) AS s CROSS JOIN q
                WHERE NOT s.head_vector @@ q.everything ORDER BY s.article_id LIMIT %s
            )""",
            head_limit,
            pool,
        )
    # A named vendor's matches come first, so its best must be in the pool: ranked as the
    # contract says (a vendor's articles are few, so reading their full vectors is cheap).
    full_coverage = coverage.replace("v.vector", "d.search_vector")
    add(
        f"""UNION (
                SELECT d.article_id FROM {documents} d JOIN allowed al ON al.id = d.article_id CROSS JOIN q
                WHERE al.vendor_id = ANY(%s::bigint[]) AND d.search_vector @@ q.everything
                ORDER BY {full_coverage} DESC, {head_coverage("d.head_vector")} DESC,
                         ts_rank(d.search_vector, q.everything, 1) DESC, al.title, d.article_id
                LIMIT %s
            )
            UNION SELECT p.article_id FROM promoted p JOIN allowed al ON al.id = p.article_id
        ),
        ranked AS (
            SELECT d.article_id, d.article_id IN (SELECT article_id FROM promoted) AS is_promoted,
                   COALESCE(al.vendor_id = ANY(%s::bigint[]), false) AS boosted,
                   {coverage} AS coverage, {head_coverage("d.head_vector")} AS head_coverage,
                   ts_rank(v.vector, q.everything, 1) AS rank, v.vector @@ q.everything AS matched, al.title
            FROM pool JOIN allowed al ON al.id = pool.article_id
            JOIN {documents} d ON d.article_id = pool.article_id CROSS JOIN q
            -- The full vector, read from TOAST once rather than once per use.
            CROSS JOIN LATERAL (SELECT d.search_vector || ''::tsvector AS vector OFFSET 0) AS v
        ),
        ranked_order AS (
            SELECT article_id, is_promoted, row_number() OVER (ORDER BY {_ORDER}) AS position FROM ranked
        ),
        ordered AS (
            SELECT article_id, is_promoted, 0 AS part, position FROM ranked_order WHERE position <= %s""",
        boosted,
        pool,
        boosted,
        pool,
    )
    if offset + limit > pool:
        # Past the first pool's worth, the other matches follow in the order their head
        # gives them, so every article counted appears on exactly one page.
        add(
            f"""UNION ALL
            SELECT c.article_id, c.article_id IN (SELECT article_id FROM promoted), 1, row_number() OVER (
                ORDER BY COALESCE(al.vendor_id = ANY(%s::bigint[]), false) DESC,
                         (d.head_vector @@ q.everything) DESC, {head_coverage("d.head_vector")} DESC,
                         ts_rank(d.head_vector, q.everything) DESC, c.article_id
            )
            FROM (SELECT article_id FROM found UNION SELECT article_id FROM ranked) AS c
            JOIN {documents} d ON d.article_id = c.article_id JOIN allowed al ON al.id = c.article_id
            CROSS JOIN q
            WHERE c.article_id NOT IN (SELECT article_id FROM ranked_order WHERE position <= %s)""",
            boosted,
            pool,
        )
    add(
        """),
        page AS (SELECT * FROM ordered ORDER BY part, position LIMIT %s OFFSET %s)""",
        limit,
        offset,
    )
    add(
        """SELECT page.article_id, page.is_promoted,
               (SELECT count(*) FROM found) + (SELECT count(*) FROM ranked WHERE NOT matched) AS total
        FROM page ORDER BY page.part, page.position"""
    )
    return statement
