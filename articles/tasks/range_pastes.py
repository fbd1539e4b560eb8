"""Big pastes of IP ranges, saved by the worker (``services.range_pastes``)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from articles.services.range_pastes import range_paste_run


@db_task()
def save_range_paste(paste_id: int) -> str | None:
    """Check and save the kept paste; its state when done (None if it was gone or already run)."""
    paste = range_paste_run(paste_id)
    return paste.state if paste is not None else None
