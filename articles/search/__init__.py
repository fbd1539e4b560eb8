"""Site search: one API, one backend per database.

``search(query, filters, page)`` answers the results page and
``autocomplete(query)`` the search box's suggestions; ``analytics`` logs
searches without personal data and ``index`` keeps the index current.
``backends.get_backend()`` picks PostgreSQL or SQLite FTS5 by the database
in use, in one place.

This package is imported by ``articles/models.py`` (for its models), after
every model there is defined, so importing ``articles.models`` from here is safe.
"""

from .engine import SearchFilters, SearchResults, autocomplete, search

__all__ = ["SearchFilters", "SearchResults", "autocomplete", "search"]
