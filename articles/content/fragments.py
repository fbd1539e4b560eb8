"""Render once: rendered Markdown kept in the cache, keyed by everything it is made from.

A fragment is one text rendered with one vendor's placeholder values: an
article body, a step list's intro, one step (and, in sections.py, the HTML
of a page's sections). Its key is a hash of what the output depends on, and
of nothing else: the renderer's version, the text, the values of the
placeholders it uses and the anchors the text may not take. The text and the
values are at hand whenever a page is built (the page loads them to know what
to show), so the key needs no query and cannot go stale: an edit to an
article, a step or a mail client changes the text; a fact added, edited or
coming due at midnight changes the values (``range_count``, the address
list...), so the next page asks for a new key by itself, on every server
sharing the cache. Keys of edit versions would say the same thing less
exactly: the values also move with the calendar (``active()``), with no write.

A page also needs the vendor's facts in force today, three queries that
would otherwise be most of a page whose HTML is all cached. They are kept
under the vendor's ``facts_changed_at``, which every write to an address,
domain or range moves on in the write's own transaction
(``services.changes``), and the day, since facts come and go at midnight with
no write (``facts_key``): the vendor's row is loaded with the article, so
this key needs no query either.

The fragments of a page are fetched in one round trip (``get_many``) and the
missing ones stored in one (``set_many``). Each process also keeps the ones it
has used in memory: a key names its content, so a copy can never be stale,
and a page whose fragments are all at hand asks the shared cache nothing and
unpickles nothing. A cache that fails (Redis down) is
a cache that misses: django-redis's ``IGNORE_EXCEPTIONS`` logs the fault and
the page is rendered as if nothing were cached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.cache import caches

#: Moved on when what is kept changes for the same input (extensions, sanitiser rules, URL patterns, models).
RENDERER_VERSION = "1"
CACHE_ALIAS = "fragments"
#: A fragment not asked for in this long leaves the cache; a live one is renewed on each miss only.
TIMEOUT_SECONDS = 7 * 24 * 3600
#: Fragments kept in each process's memory; past this many it starts again empty.
LOCAL_MAX_ENTRIES = 20_000
_local: dict[str, Any] = {}


def forget_local() -> None:
    """Empty this process's copies (a benchmark's cold start; tests)."""
    _local.clear()


def facts_digest(facts: Mapping[str, str] | None) -> str:
    """Placeholder values, as a short stable digest (once per page for each set of names its texts use)."""
    encoded = json.dumps(dict(facts or {}), sort_keys=True, ensure_ascii=False).encode()
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


def facts_key(vendor_id: int, changed_at: dt.datetime, day: dt.date) -> str:
    """The key of one vendor's facts in force on ``day``, as they stood at ``changed_at`` (its ``facts_changed_at``)."""
    return f"facts:{RENDERER_VERSION}:{vendor_id}:{changed_at.isoformat()}:{day.isoformat()}"


def fragment_keys(kind: str, facts: str, reserved: Iterable[str] = ()) -> Callable[[str], str]:
    """``fragment_key`` for many texts of one kind and one set of values: what they share is digested once."""
    shared = hashlib.blake2b(digest_size=20)
    for part in (RENDERER_VERSION, kind, facts, "\x1f".join(sorted(reserved))):
        shared.update(part.encode())
        shared.update(b"\x00")

    def key(text: str) -> str:
        digest = shared.copy()
        digest.update(text.encode())
        digest.update(b"\x00")
        return f"fragment:{digest.hexdigest()}"

    return key


def fragment_key(kind: str, text: str, facts: str, reserved: Iterable[str] = ()) -> str:
    """The key of ``text`` rendered as ``kind`` with the values digested in ``facts``."""
    return fragment_keys(kind, facts, reserved)(text)


class Batch:
    """The fragments one page needs: asked for together, rendered only where missing.

    ``add()`` each fragment with the function that renders it, then
    ``resolve()`` once; ``result(key)`` gives each one's output.
    """

    def __init__(self) -> None:
        self._renderers: dict[str, Callable[[], Any]] = {}
        self._results: dict[str, Any] = {}

    def add(self, key: str, render: Callable[[], Any]) -> str:
        self._renderers.setdefault(key, render)
        return key

    def resolve(self) -> None:
        results = {key: _local[key] for key in self._renderers if key in _local}
        wanted = [key for key in self._renderers if key not in results]
        if wanted:
            cache = caches[CACHE_ALIAS]
            found = cache.get_many(wanted)
            missing = {key: self._renderers[key]() for key in wanted if key not in found}
            if missing:
                cache.set_many(missing, timeout=TIMEOUT_SECONDS)
            if len(_local) + len(wanted) > LOCAL_MAX_ENTRIES:
                _local.clear()
            _local.update(found)
            _local.update(missing)
            results |= found | missing
        self._results = results

    def result(self, key: str) -> Any:
        return self._results[key]
