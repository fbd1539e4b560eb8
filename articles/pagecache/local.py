"""The pages this process answered last, held as they are: a hit asks the shared cache only for the generation.

With Redis every kept page lives in Redis, and taking one out costs moving
its bytes (the page and its compressed copies, some 80 KB for a guide) and
unpickling them on every hit. Held here too, a hit costs one small round trip,
for the site's generation, which still decides: an entry kept under an older
generation is never served, so an edit through any server is seen at once.

Bounded by bytes, the least recently served going first. Why not
``functools.lru_cache`` or cachetools: the bound is the entries' size, not
their number, and entries are dropped when their generation passes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

#: Bytes of bodies held per process at most.
LIMIT_BYTES = 32 * 1024 * 1024

_entries: OrderedDict[str, Any] = OrderedDict()
_sizes: dict[str, int] = {}
_lock = threading.Lock()
_held = 0


def get(key: str):
    """The entry held under ``key``, or None."""
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
        return entry


def put(key: str, entry, size: int) -> None:
    """Hold ``entry`` (``size`` bytes), letting the least recently served go past ``LIMIT_BYTES``."""
    global _held
    if size > LIMIT_BYTES:
        return
    with _lock:
        _held -= _sizes.pop(key, 0)
        _entries[key] = entry
        _entries.move_to_end(key)
        _sizes[key] = size
        _held += size
        while _held > LIMIT_BYTES:
            old, _ = _entries.popitem(last=False)
            _held -= _sizes.pop(old)


def drop(key: str) -> None:
    global _held
    with _lock:
        if _entries.pop(key, None) is not None:
            _held -= _sizes.pop(key)


def clear() -> None:
    """Forget every held page (tests; the generation makes it unnecessary otherwise)."""
    global _held
    with _lock:
        _entries.clear()
        _sizes.clear()
        _held = 0
