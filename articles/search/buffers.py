"""When a web process hands on the read path's buffers.

Read counts (read_buffer.py) and the search log (log_buffer.py) are first
held in the web process (buffer_room.py says where they go next):

- with Redis, the process sends what it holds at most
  ``buffer_room.PUSH_SECONDS`` later, in one or two round trips from a
  thread of its own, and the worker writes them to the database every
  minute (articles/tasks/read_counts.py, search_log.py). A hit from the page
  cache so costs no round trip for its read or search. Whatever a process
  still holds when it exits is sent then (``atexit``);
- without Redis no worker can see them: the process writes them itself,
  after an answer has been sent (Django's ``request_finished``), at most
  once per ``LOCAL_FLUSH_SECONDS``, and the searches also whenever a batch
  is full: a few statements a minute rather than a write per reader.
"""

from __future__ import annotations

import atexit
import time

from django.conf import settings

from articles.search import buffer_room, log_buffer, read_buffer

_last = time.monotonic()


def after_answer(**_signal) -> None:
    """Without Redis: write what this process holds, if a minute has passed since it last did.

    A busy process writes its searches a batch at a time, as each batch
    fills, so that no answer is followed by a minute's worth of inserts.
    """
    global _last
    if buffer_room.is_shared():
        return
    if log_buffer.held() >= log_buffer.BATCH_SIZE:
        log_buffer.flush(batches=1)
    if time.monotonic() - _last < settings.LOCAL_FLUSH_SECONDS:
        return
    _last = time.monotonic()
    read_buffer.flush()
    log_buffer.flush()


def push() -> None:
    """With Redis: send every read and search this process holds, now."""
    read_buffer.push()
    log_buffer.push()


@atexit.register
def _push_at_exit() -> None:
    if buffer_room.is_shared():
        push()
