"""The rows a search shows, read with plain SQL into model instances.

A search runs on every keystroke of a busy help center, and an IP lookup
is a handful of index probes that PostgreSQL answers in well under a
millisecond. Building the same SELECT through the ORM's query compiler
costs three to four times that on this project's reference machine (a
2-core VM; see the README's benchmark), so the three reads on the search's
hot path are written here in SQL that both databases run, and
``Model.from_db()``, the ORM's own loading hook, turns the rows into
instances. The rules they apply have one home each, named beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.functional import cached_property

from articles.content.models import Article
from articles.facts import networks
from articles.facts.models import IPRange, Vendor

_quote = connection.ops.quote_name


class _Columns:
    """A model's columns as selected from table ``alias``, and how to turn their values into instances."""

    def __init__(self, model: type[Model], alias: str, *, only: Sequence[str] | None = None):
        self.model = model
        self.fields = [field for field in model._meta.concrete_fields if only is None or field.name in only]
        self.names = [field.attname for field in self.fields]
        self.sql = ", ".join(f"{alias}.{_quote(field.column)}" for field in self.fields)

    @cached_property
    def converters(self) -> list[tuple[int, Col, list]]:
        """The converters the ORM applies to each column, e.g. SQLite's text datetimes to aware ones."""
        found = []
        for position, field in enumerate(self.fields):
            column = field.get_col(self.model._meta.db_table)
            converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if converters:
                found.append((position, column, converters))
        return found

    def instance(self, values: Sequence) -> Model | None:
        """None for a row an outer join found nothing for (its primary key is NULL)."""
        if values[0] is None:
            return None
        values = list(values)
        for position, column, converters in self.converters:
            for converter in converters:
                values[position] = converter(values[position], column, connection)
        return self.model.from_db(connection.alias, self.names, values)


# What a list of results shows of an article and its vendor; any other field would be
# loaded when used, a query per article, which the tests that pin the queries of a
# search page would catch. A body alone can run to kilobytes.
_ARTICLE = _Columns(
    Article, "a", only=["id", "vendor", "kind", "title", "slug", "summary", "show_it_section"]
)
_VENDOR = _Columns(Vendor, "v", only=["id", "name", "slug"])
_RANGE = _Columns(IPRange, "r")
_ARTICLES = _quote(Article._meta.db_table)
_VENDORS = _quote(Vendor._meta.db_table)
_RANGES = _quote(IPRange._meta.db_table)


def _read(sql: str, params: list, *selected: _Columns) -> list[tuple[Model | None, ...]]:
    """Each row as one instance per model, in the order their columns were selected."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        instances, start = [], 0
        for columns in selected:
            instances.append(columns.instance(row[start : start + len(columns.names)]))
            start += len(columns.names)
        found.append(tuple(instances))
    return found


def public(alias: str) -> tuple[str, list]:
    """``ArticleQuerySet.public()`` (models.py) as SQL on the article table ``alias``, with its values.

    tests/search/test_rows.py holds the two together.
    """
    now = timezone.now()
    return (
        f"{alias}.status = %s AND {alias}.published_at <= %s "
        f"AND ({alias}.unpublish_at IS NULL OR {alias}.unpublish_at > %s)",
        [Article.Status.PUBLISHED, now, now],
    )


def _with_vendor(rows) -> list[Article]:
    articles = []
    for article, vendor in rows:
        article.vendor = vendor  # fills the relation's cache: no query for article.vendor
        articles.append(article)
    return articles


def articles_by_id(ids: Iterable[int]) -> dict[int, Article]:
    """These articles with their vendors, by id: one query."""
    ids = list(ids)
    if not ids:
        return {}
    sql = (
        f"SELECT {_ARTICLE.sql}, {_VENDOR.sql} FROM {_ARTICLES} a "  # noqa: S608 - names are the models'
        f"LEFT JOIN {_VENDORS} v ON v.id = a.vendor_id WHERE a.id IN ({', '.join(['%s'] * len(ids))})"
    )
    rows = _read(sql, ids, _ARTICLE, _VENDOR)
    return {article.pk: article for article in _with_vendor(rows)}


def vendors_and_articles(
    vendor_ids: set[int], *, within: QuerySet | None = None
) -> tuple[dict[int, Vendor], list[Article]]:
    """These vendors by id, if public (``content.visibility``: a vendor is public once
    it has a public article), and their public articles (or those ``within`` a
    filtered queryset of public articles): one query.

    The articles come guides with an IT section first, then by vendor and title.
    """
    if not vendor_ids:
        return {}, []
    ids = sorted(vendor_ids)
    if within is None:
        shown, shown_params = public("a")
    else:
        allowed_sql, shown_params = (
            within.filter(vendor__in=ids).order_by().values("pk").query.sql_with_params()
        )
        shown = f"a.id IN ({allowed_sql})"
    is_public, public_params = public("p")
    sql = (
        f"SELECT {_VENDOR.sql}, {_ARTICLE.sql} FROM {_VENDORS} v "  # noqa: S608 - names are the models'
        f"LEFT JOIN {_ARTICLES} a ON a.vendor_id = v.id AND {shown} "
        f"WHERE v.id IN ({', '.join(['%s'] * len(ids))}) "
        f"AND EXISTS (SELECT 1 FROM {_ARTICLES} p WHERE p.vendor_id = v.id AND {is_public}) "
        "ORDER BY a.show_it_section DESC, CASE WHEN a.kind = %s THEN 0 ELSE 1 END, v.name, a.title"
    )
    vendors: dict[int, Vendor] = {}
    listed = []
    for vendor, article in _read(
        sql, [*shown_params, *ids, *public_params, Article.Kind.GUIDE], _VENDOR, _ARTICLE
    ):
        vendor = vendors.setdefault(vendor.pk, vendor)
        if article is not None:
            article.vendor = vendor
            listed.append(article)
    return vendors, listed


def ranges_for(queried: Sequence[networks.Network], limit: int) -> list[IPRange]:
    """Ranges in force that cover each network, or lie inside it: one query.

    The conditions are ``IPRange.objects.active()`` and ``covering_network()``
    (models.py) written out: ranges whose first address is one a network of
    the address could start at, and whose last is at or past the queried one.
    """
    conditions, params = [], []
    for network in queried:
        starts = networks.candidate_starts(network.network_address)
        first, last = networks.bounds(network)
        condition = f"r.start IN ({', '.join(['%s'] * len(starts))}) AND r.{_quote('end')} >= %s"
        params += [network.version, *starts, last]
        if network.prefixlen < networks.MAX_PREFIX[network.version]:
            condition = f"({condition}) OR r.start BETWEEN %s AND %s"
            params += [first, last]
        conditions.append(f"(r.version = %s AND ({condition}))")
    # The ids first: on PostgreSQL an index-only scan of iprange_covering_idx (migration 0004),
    # so that of a million ranges only the rows found are read.
    sql = (
        f"SELECT {_RANGE.sql} FROM {_RANGES} r WHERE r.id IN ("  # noqa: S608 - names are the models'
        f"SELECT r.id FROM {_RANGES} r "
        f"WHERE ({' OR '.join(conditions)}) AND r.added_on <= %s AND (r.retired_on IS NULL OR r.retired_on > %s) LIMIT %s)"
    )
    today = timezone.localdate().isoformat()
    return [ip_range for (ip_range,) in _read(sql, [*params, today, today, limit], _RANGE)]
