"""Read counts written every minute: the buffer in the shared cache moved to the database.

Every worker's scheduler enqueues this each minute; huey's lock (in the
worker's shared store) lets one flush run at a time, so two workers never
take the same counts. See articles/search/read_buffer.py.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from articles.search import read_buffer
from articles.tasks.periodic import one_at_a_time


@db_periodic_task(crontab())
def flush_read_counts() -> int:
    """Every minute: the reads counted in the cache since the last flush; how many were written."""
    return one_at_a_time("flush-read-counts", read_buffer.flush)
