"""The page cache's keys: one per address, and the site's generation, which every write moves on.

The generation starts at the time it was first needed (nanoseconds), so a
generation lost with the cache (Redis restarted, LocMem evicted) never comes
back to a value that old pages were kept under.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import caches
from django.http import HttpRequest

CACHE_ALIAS = "pages"
GENERATION_KEY = "pages:generation"


def page_key(request: HttpRequest) -> str:
    """The key of what ``request``'s address answers: host, path and query string."""
    address = f"{request.get_host()}\x00{request.get_full_path()}"
    return "page:" + hashlib.blake2b(address.encode(), digest_size=20).hexdigest()


def ensure_generation() -> int:
    """The current generation, set if the cache has none."""
    cache = caches[CACHE_ALIAS]
    fresh = time.time_ns()
    if cache.add(GENERATION_KEY, fresh, timeout=None):
        return fresh
    return cache.get(GENERATION_KEY) or fresh


def bump() -> None:
    """The site changed: no page kept so far may be served again."""
    cache = caches[CACHE_ALIAS]
    try:
        if cache.incr(GENERATION_KEY) is not None:
            return
    except ValueError:  # no generation yet (or lost): start one newer than any before
        pass
    cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
