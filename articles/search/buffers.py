"""When a web process hands on the read path's buffers: after an answer has been sent.

Read counts (read_buffer.py) and the search log (log_buffer.py) are first
held in the web process (buffer_room.py says where they go next):

- with Redis, the process sends what it holds at most every
  ``PUSH_SECONDS``, in one or two round trips, and the worker writes them to
  the database every minute (articles/tasks/read_counts.py, search_log.py).
  A hit from the page cache so costs no round trip for its read or search.
  Whatever a process still holds when it exits is sent then (``atexit``);
- without Redis no worker can see them: the process writes them itself, at
  most once per ``LOCAL_FLUSH_SECONDS``: one batch of statements a minute
  rather than a write per reader.

Both run on Django's ``request_finished``, after the answer has gone to the
reader, and never raise: a fault of either is logged where it happens.
"""

from __future__ import annotations

import atexit
import time

from django.conf import settings

from articles.search import buffer_room, log_buffer, read_buffer

#: With Redis: how long a web process holds reads and searches at most before it sends them.
PUSH_SECONDS = 1.0
_last = time.monotonic()


def after_answer(**_signal) -> None:
    """Send (Redis) or write (no Redis) what this process holds, if it is time."""
    global _last
    shared = buffer_room.is_shared()
    if time.monotonic() - _last < (PUSH_SECONDS if shared else settings.LOCAL_FLUSH_SECONDS):
        return
    _last = time.monotonic()
    if shared:
        push()
    else:
        read_buffer.flush()
        log_buffer.flush()


def push() -> None:
    """With Redis: send every read and search this process holds."""
    read_buffer.push()
    log_buffer.push()


@atexit.register
def _push_at_exit() -> None:
    if buffer_room.is_shared():
        push()
