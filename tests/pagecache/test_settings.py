"""The settings the cache and the read path need, for each database and cache the site runs on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from gunicorn.config import Config

from tests.servers import ROOT

SHOW = (
    "import json, helpcenter.settings as s; print(json.dumps({'db': s.DATABASES['default'], "
    "'caches': {k: v['BACKEND'] for k, v in s.CACHES.items()}, "
    "'ignore': getattr(s, 'DJANGO_REDIS_IGNORE_EXCEPTIONS', False)}, default=str))"
)


def settings_with(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean.update({"DEBUG": "1", **env})
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [sys.executable, "-c", SHOW], cwd=ROOT, env=clean, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_sqlite_is_set_up_for_readers_and_writers_at_once(tmp_path):
    """Each option is proved needed by test_servers.py; here, that the busy timeout fits around it.

    A write waits longer than a 10,000-line paste takes to save (10 s, issue 14) and gives up
    before gunicorn's worker timeout, so a request that waits is answered, not killed.
    """
    options = settings_with(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")["db"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert 10 < options["timeout"] < Config().timeout
    assert "journal_mode=WAL" in options["init_command"]


def test_postgresql_checks_its_connections_and_gets_no_sqlite_options():
    db = settings_with(DATABASE_URL="postgres://u@127.0.0.1:5432/x")["db"]
    assert db["CONN_HEALTH_CHECKS"] is True
    assert "transaction_mode" not in db.get("OPTIONS", {})


def test_with_redis_every_room_of_the_cache_is_shared_and_a_fault_is_a_miss():
    shown = settings_with(REDIS_URL="redis://127.0.0.1:6379/0")
    assert set(shown["caches"].values()) == {"django_redis.cache.RedisCache"}
    assert set(shown["caches"]) == {"default", "fragments", "pages"}
    assert shown["ignore"] is True


def test_without_redis_each_process_keeps_its_own():
    shown = settings_with()
    assert set(shown["caches"].values()) == {"django.core.cache.backends.locmem.LocMemCache"}
