"""The page cache on, with each kind of cache the site runs on: per-process memory and Redis."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from articles.pagecache import local
from tests.servers import redis_database

#: This run's Redis database for the in-process tests (tests/servers.py offsets it).
REDIS_NUMBER = 15


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The page and fragment caches, on LocMemCache and on django-redis in turn, empty."""
    if request.param == "redis":
        url = redis_database(REDIS_NUMBER)
        settings.CACHES = {
            **settings.CACHES,
            **{
                alias: {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}
                for alias, prefix in (("fragments", "f"), ("pages", "p"))
            },
        }
    settings.PAGE_CACHE_ENABLED = True
    local.clear()
    caches["pages"].clear()
    caches["fragments"].clear()
    yield request.param
    local.clear()
    caches["pages"].clear()
    caches["fragments"].clear()
