"""Where the read path's buffers live: Redis, which every process shares, or this process's memory.

Read counts (read_buffer.py) and the search log (log_buffer.py) follow the
default cache: with django-redis they go to Redis, where the worker finds
them; with the memory cache they stay in the web process (buffers.py says
who writes them then).

With Redis a process holds what it takes for at most ``PUSH_SECONDS`` and
sends it in a batch from a thread of its own (``send_soon``), so that a hit
costs no round trip for its read or search, and what an idle process holds
still arrives.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django_redis import get_redis_connection

logger = logging.getLogger(__name__)

#: With Redis: how long a web process holds reads and searches at most before it sends them.
PUSH_SECONDS = 1.0
_timers: dict[Callable[[], None], threading.Timer] = {}
_timers_lock = threading.Lock()


class Held:
    """What a web process holds before it sends or writes it: a list behind a lock, at most ``limit`` long."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self._items: list = []
        self._lock = threading.Lock()

    def add(self, item) -> None:
        """Hold ``item``; dropped if ``limit`` are held already."""
        with self._lock:
            if self.limit is None or len(self._items) < self.limit:
                self._items.append(item)

    def take(self, count: int | None = None) -> list:
        """The first ``count`` items held (all if None), no longer held."""
        with self._lock:
            taken = self._items[:count]
            del self._items[:count]
        return taken

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def is_shared() -> bool:
    """Whether the buffers are in Redis, which the worker sees, or in this process only."""
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def redis():
    """The default cache's Redis connection, for what the cache API cannot say (lists, pipelines)."""
    return get_redis_connection("default")


def send_soon(send: Callable[[], None]) -> None:
    """Have ``send`` run once within ``PUSH_SECONDS``, on a thread of its own, unless it is due already."""
    with _timers_lock:
        if send in _timers:
            return
        timer = threading.Timer(PUSH_SECONDS, _run, args=(send,))
        timer.daemon = True  # a process that exits sends what is left itself (buffers.py, atexit)
        _timers[send] = timer
    timer.start()


def _run(send: Callable[[], None]) -> None:
    with _timers_lock:
        _timers.pop(send, None)
    try:
        send()
    except Exception:  # a thread's error would otherwise go unseen
        logger.exception("Sending the read path's buffer to Redis failed.")


def forget_timers() -> None:
    """Call off every send still due (tests start each with none)."""
    with _timers_lock:
        for timer in _timers.values():
            timer.cancel()
        _timers.clear()
