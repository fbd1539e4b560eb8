"""Where the read path's buffers live: Redis, which every process shares, or this process's memory.

Read counts (read_buffer.py) and the search log (log_buffer.py) follow the
default cache: with django-redis they go to Redis, where the worker finds
them; with the memory cache they stay in the web process (buffers.py says
who writes them then).
"""

from __future__ import annotations

from django.conf import settings
from django_redis import get_redis_connection


def is_shared() -> bool:
    """Whether the buffers are in Redis, which the worker sees, or in this process only."""
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def redis():
    """The default cache's Redis connection, for what the cache API cannot say (lists, pipelines)."""
    return get_redis_connection("default")
