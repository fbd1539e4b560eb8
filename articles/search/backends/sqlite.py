"""SQLite: FTS5 tables (documents and sections) with the Porter stemmer and bm25 ranking.

``articles_searchdocument_fts`` indexes the ``SearchDocument`` rows (external
content, kept in step by triggers from migration 0002), with prefix indexes
for autocomplete; ``articles_searchsection_fts`` the ``SearchSection`` rows
(migration 0014). Each term becomes an FTS5 phrase built only from its
letters and digits, so nothing a reader types can be read as FTS5 syntax.

Every match is ranked exactly, one FTS5 lookup per article and term: right
for the small help center SQLite serves; PostgreSQL is the backend for a
large one.
"""

from __future__ import annotations

from functools import reduce

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from articles.content.models import Article
from articles.search.backends.base import PrefixGroups, Ranking, SearchBackend, SectionText, TextQuery
from articles.search.models import SearchSection, SearchTerm
from articles.search.query import tokenise

FTS_TABLE = "articles_searchdocument_fts"
SECTIONS_FTS_TABLE = "articles_searchsection_fts"
# Column weights for bm25, in the table's column order:
# title, vendor_name, summary, sections, body, details.
WEIGHTS = "10.0, 8.0, 5.0, 4.0, 2.0, 1.0"
HEAD_COLUMNS = "{title vendor_name summary sections}"
#: Ids of the documents an FTS5 expression (a parameter, never spliced in) matches.
_MATCHING = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608


def _phrase(text: str) -> str:
    # Dots inside status codes (5.7.1) split into a phrase of numbers, as the tokenizer reads them.
    words = " ".join(token.replace(".", " ") for token in tokenise(text))
    return f'"{words}"' if words else ""


def _any(texts) -> str:
    phrases = [p for p in (_phrase(text) for text in texts) if p]
    return "(" + " OR ".join(phrases) + ")" if phrases else ""


def _any_of(phrases: list[str]) -> str:
    return "(" + " OR ".join(p for p in phrases if p) + ")"


class _PerArticle(Func):
    """``(SELECT <select> FROM fts WHERE fts MATCH <expression> AND rowid = <the article>)``."""

    def __init__(self, select: str, expression: str, output_field):
        super().__init__(Value(expression), F("pk"), output_field=output_field)
        self.select = select

    def as_sql(self, compiler, connection, **extra_context):
        match_sql, match_params = compiler.compile(self.source_expressions[0])
        pk_sql, pk_params = compiler.compile(self.source_expressions[1])
        # The select list is this module's own SQL; the match expression and the id are parameters.
        sql = (
            f"(SELECT {self.select} FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH {match_sql} AND {FTS_TABLE}.rowid = {pk_sql})"
        )
        return sql, (*match_params, *pk_params)


def _count_matching(expressions: list[str]) -> Expression:
    parts = [
        Coalesce(_PerArticle("1", expression, IntegerField()), 0) for expression in expressions if expression
    ]
    return reduce(lambda left, right: left + right, parts or [Value(0)])


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"
    known_gaps = {
        "typo_in_first_letter": (
            "SQLite has no trigram index: typo candidates are words with the same first letter "
            "and a similar length, so a typo in the first letter is not corrected."
        ),
    }

    def _everything(self, query: TextQuery) -> str:
        return " OR ".join(p for p in (_any(group) for group in query.groups) if p)

    def ranked(self, articles, query, *, promoted, boost, offset, limit) -> Ranking:
        if articles is None:
            articles = Article.objects.public()
        everything = self._everything(query)
        matching = Q(pk__in=RawSQL(_MATCHING, [everything])) if everything else Q(pk__in=[])  # noqa: S611
        groups = [_any(group) for group in query.groups]
        rows = list(
            articles.filter(matching | Q(pk__in=promoted.values("article")))
            .annotate(
                promoted=Exists(promoted.filter(article=OuterRef("pk"))),
                boosted=Case(When(vendor__in=boost, then=Value(1)), default=Value(0))
                if boost
                else Value(0, output_field=IntegerField()),
                coverage=_count_matching([*groups, _phrase(query.phrase)]),
                head_coverage=_count_matching([f"{HEAD_COLUMNS} : {group}" for group in groups if group]),
                # bm25() is lower for better matches; negated so that higher is better.
                rank=_PerArticle(f"-bm25({FTS_TABLE}, {WEIGHTS})", everything, FloatField()),
                total=Window(Count("pk")),
            )
            .order_by(
                "-promoted",
                "-boosted",
                "-coverage",
                "-head_coverage",
                F("rank").desc(nulls_last=True),
                "title",
                "pk",
            )
            .values_list("pk", "promoted", "total")[offset : offset + limit]
        )
        return Ranking(
            page=[(pk, is_promoted) for pk, is_promoted, _ in rows], total=rows[0][2] if rows else 0
        )

    def sections(self, article_ids: list[int], query: TextQuery) -> list[SectionText]:
        expression = self._everything(query)
        if not article_ids or not expression:
            return []
        table = connection.ops.quote_name(SearchSection._meta.db_table)
        # An FTS5 lookup per section of the page's articles (rowid and MATCH together), not a
        # scan of every section that has a common word. Names are this module's; values parameters.
        sql = (
            f"SELECT s.article_id, s.position, s.kind, s.anchor, s.name, s.aliases, s.text FROM {table} s "  # noqa: S608
            f"WHERE s.article_id IN ({', '.join(['%s'] * len(article_ids))}) AND EXISTS ("
            f"SELECT 1 FROM {SECTIONS_FTS_TABLE} f WHERE {SECTIONS_FTS_TABLE} MATCH %s AND f.rowid = s.id) "
            "ORDER BY s.article_id, s.position"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*article_ids, expression])
            return [SectionText(*row) for row in cursor.fetchall()]

    def title_prefix(self, articles: QuerySet, groups: PrefixGroups, limit: int) -> QuerySet:
        return self._prefix(articles, "{title vendor_name}", groups, limit)

    def body_prefix(self, articles: QuerySet, groups: PrefixGroups, limit: int) -> QuerySet:
        # Not ranked, as on PostgreSQL (where ranking every body would be slow): the first few by id.
        return self._prefix(articles, "{body}", groups, limit, ranked=False)

    def _prefix(
        self, articles: QuerySet, columns: str, groups: PrefixGroups, limit: int, *, ranked: bool = True
    ) -> QuerySet:
        matches = [[_phrase(text) for text in group] for group in groups]
        # FTS5 reads ``"safe s" *`` as a phrase whose last word is a prefix.
        matches[-1][0] += " *"
        expression = f"{columns} : (" + " AND ".join(_any_of(group) for group in matches) + ")"
        matching = articles.filter(pk__in=RawSQL(_MATCHING, [expression]))  # noqa: S611 - a parameter
        if not ranked:
            return matching.order_by("pk")[:limit]
        return matching.annotate(
            rank=_PerArticle(f"-bm25({FTS_TABLE}, {WEIGHTS})", expression, FloatField())
        ).order_by(F("rank").desc(nulls_last=True), "title")[:limit]

    def spelling_candidates(self, words: list[str]) -> dict[str, list[str]]:
        # Words sharing the first letter and within three letters of the length (the
        # most a suggestion may differ): an indexed range scan per word, in one statement.
        table = connection.ops.quote_name(SearchTerm._meta.db_table)
        conditions, params = [], []
        for word in words:
            conditions.append("(term >= %s AND term < %s AND length(term) BETWEEN %s AND %s)")
            params += [word[0], chr(ord(word[0]) + 1), len(word) - 3, len(word) + 3]
        with connection.cursor() as cursor:
            # One fixed condition per word, every value a parameter.
            cursor.execute(f"SELECT term FROM {table} WHERE {' OR '.join(conditions)}", params)  # noqa: S608
            terms = [row[0] for row in cursor.fetchall()]
        return {
            word: [term for term in terms if term[0] == word[0] and abs(len(term) - len(word)) <= 3]
            for word in words
        }
