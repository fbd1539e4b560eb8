"""When a web process writes the read path's buffers itself.

Read counts (read_buffer.py) and the search log (log_buffer.py) are kept in
the default cache's room and written in batches. With Redis the worker
writes them every minute (articles/tasks/read_counts.py, search_log.py).
Without it they are in the web process's own memory, which no worker can
see, so the process writes them itself after an answer has been sent, at
most once per ``LOCAL_FLUSH_SECONDS``: one batch of statements a minute
rather than a write per reader.
"""

from __future__ import annotations

import time

from django.conf import settings

from articles.search import log_buffer, read_buffer

_last_local_flush = time.monotonic()


def flush_if_due(**_signal) -> None:
    """After an answer (Django's ``request_finished``), in a process no worker sees into: flush if due."""
    global _last_local_flush
    if log_buffer.is_shared() or time.monotonic() - _last_local_flush < settings.LOCAL_FLUSH_SECONDS:
        return
    _last_local_flush = time.monotonic()
    read_buffer.flush()
    log_buffer.flush()
