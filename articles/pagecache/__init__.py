"""Whole public pages served from the cache, without a query (issue 14, point 2).

A view decorated with ``public_page`` is one anonymous readers all see alike:
its 200 answers to a GET without a session cookie are kept in the "pages"
cache (``PageCacheMiddleware``) and served from there, with no database
query, until the site changes:

- every write moves the site's *generation* on (``keys.bump``, called by
  ``services.changes.recording()`` as the block ends and again when its
  transaction commits); a page kept under an older generation is not served.
  The generation lives in the same cache as the pages, so with ``REDIS_URL``
  an edit through one app server clears the pages of all of them;
- a page is kept no later than the site's next time-based change
  (``PAGE_CACHE_NEXT_CHANGE``: a scheduled publication or withdrawal,
  midnight for facts dated by the day), so nothing stale is served after it
  is due, with no write.

Why not Django's cache middleware (``UpdateCacheMiddleware`` /
``FetchFromCacheMiddleware``): its keys cannot carry a generation, so an
edit would leave every server's pages stale until they expire; it asks the
cache twice per hit; it neither compresses once nor names what a CDN should
purge. The parts it does well are reused here: ``get_conditional_response``
for the 304s and ``patch_cache_control``/``patch_vary_headers`` for headers.

This package imports nothing of the app: views, downloads and services use it.
"""

from __future__ import annotations

from collections.abc import Callable

PAGE_ATTRIBUTE = "public_page"
KEEP_ATTRIBUTE = "public_page_kept_seconds"
REPLAY_ATTRIBUTE = "page_cache_replay"


def public_page(view: Callable | None = None, *, keep_seconds: int | None = None) -> Callable:
    """Mark a view whose answers are the same for every anonymous reader: the page cache keeps them.

    ``@public_page`` keeps a page until the site changes (a day at most);
    ``@public_page(keep_seconds=600)`` no longer than that, for pages with an
    address per query, whose long tail should leave the cache soon.
    Decorators built with ``functools.wraps`` above or below keep the mark.
    """

    def mark(view: Callable) -> Callable:
        setattr(view, PAGE_ATTRIBUTE, True)
        setattr(view, KEEP_ATTRIBUTE, keep_seconds)
        return view

    return mark if view is None else mark(view)


def on_every_answer(response, function: str, *arguments) -> None:
    """Have the page cache call ``function(request, *arguments)`` on each answer it serves this page with.

    For what a view does per reader besides rendering (counting a read): the
    view has done it for this request; hits skip the view. ``function`` is a
    dotted path, as the entry is pickled into a cache other servers share;
    ``arguments`` must be plain values.
    """
    setattr(response, REPLAY_ATTRIBUTE, (function, arguments))
