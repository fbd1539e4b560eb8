"""One search backend per database, chosen here and nowhere else."""

from __future__ import annotations

from functools import cache

from django.db import connection

from articles.search.backends.base import SearchBackend


@cache
def _backend_for(vendor: str) -> SearchBackend:
    if vendor == "postgresql":
        from articles.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    if vendor == "sqlite":
        from articles.search.backends.sqlite import SQLiteBackend

        return SQLiteBackend()
    raise NotImplementedError(
        f"Search has no backend for the {vendor!r} database; use PostgreSQL or SQLite (with FTS5)."
    )


def get_backend() -> SearchBackend:
    """The backend for the database in use."""
    return _backend_for(connection.vendor)
