"""Faults survived: Redis stopped, PostgreSQL restarted, and the 500 page that needs no database.

Each test starts its own Redis or PostgreSQL on a free loopback port and
stops it: the machine's shared servers are never touched.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.servers import Site, free_port, running_site

ARTICLE = "/smarttrak/allowlisting-guide/"
REDIS_DATABASE = 13
#: Errors must stop this soon after PostgreSQL is back (issue 14: measured 1.1 s before the cache).
RECOVERY_SECONDS = 2.0


def test_the_500_page_is_the_sites_own_and_needs_no_database():
    # No database for this test: a query would raise.
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and "css/site" in html
    assert 'href="/"' in html


def drained(server) -> tuple[list[str], threading.Thread]:
    """The server's log, read as it comes: each fault is logged with its traceback, more than a pipe holds."""
    log: list[str] = []
    thread = threading.Thread(target=lambda: log.extend(server.process.stderr), daemon=True)
    thread.start()
    return log, thread


@pytest.fixture
def own_redis(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 10
    import redis

    while time.monotonic() < deadline:
        try:
            redis.Redis(port=port).ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def test_with_redis_stopped_the_site_keeps_answering_and_logs_the_fault(tmp_path, own_redis):
    process, url = own_redis
    site = Site(tmp_path, url, {"RATE_LIMIT_SEARCH": "1000/m"})
    site.set_up()
    try:
        server = site.server()
        log, drain = drained(server)
        assert server.get(ARTICLE).status == 200
        assert server.get(ARTICLE).headers["X-Page-Cache"] == "hit"
        process.terminate()
        process.wait(timeout=10)
        for path in (ARTICLE, "/smarttrak/allowlist.json", "/search/?q=outlook", "/"):
            answer = server.get(path)
            assert answer.status == 200, path
        assert "SmartTRAK" in server.get(ARTICLE).body
        server.process.terminate()
        server.process.wait(timeout=10)
        drain.join(timeout=10)
        logged = "".join(log)
        assert f"connecting to {url.split('//')[1].split('/')[0]}" in logged  # our own Redis's fault, logged
        assert "ConnectionInterrupted" in logged
    finally:
        site.stop()


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def as_postgres(*command: str, check: bool = True) -> None:
    """Run a PostgreSQL program as the postgres user (it refuses to run as root)."""
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    subprocess.run([runuser, "-u", "postgres", "--", *command], check=check, capture_output=True, timeout=60)  # noqa: S603 - our own arguments


@pytest.fixture
def own_postgres():
    """A PostgreSQL of the test's own (initdb in a temporary directory), run as the postgres user."""
    binaries = _postgres_bin()
    if binaries is None or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL's server binaries and root (to run them as the postgres user)")
    # Not under pytest's temporary directory, which only root may enter.
    home = Path(tempfile.mkdtemp(prefix="helpcenter-pg-"))
    shutil.chown(home, "postgres", "postgres")
    data = home / "data"
    as_postgres(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    port = free_port()
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    ctl = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(home / "log"), "-o", options, "-w"]

    def start() -> None:
        as_postgres(*ctl, "start")

    def stop() -> None:
        as_postgres(*ctl, "-m", "fast", "stop")

    start()
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres", start, stop
    finally:
        as_postgres(*ctl, "-m", "immediate", "stop", check=False)
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.postgres_only
def test_after_a_postgresql_restart_errors_stop_within_two_seconds(tmp_path, own_postgres):
    if connection.vendor != "postgresql":
        pytest.skip("runs once, on the PostgreSQL run of CI")
    url, start, stop = own_postgres
    with running_site(tmp_path, REDIS_DATABASE, DATABASE_URL=url, PAGE_CACHE_ENABLED="0") as site:
        server = site.server()
        drained(server)
        assert server.get(ARTICLE).status == 200
        answers: list[tuple[float, int, str]] = []
        done = threading.Event()

        def load() -> None:
            while not done.is_set():
                answer = server.get(ARTICLE)
                answers.append((time.monotonic(), answer.status, answer.body))
                time.sleep(0.02)

        loader = threading.Thread(target=load)
        loader.start()
        try:
            time.sleep(0.5)
            stop()
            time.sleep(1.0)
            start()
            back = time.monotonic()
            time.sleep(RECOVERY_SECONDS + 1.5)
        finally:
            done.set()
            loader.join()
        errors = [(moment, body) for moment, status, body in answers if status != 200]
        assert errors, "the load saw no error while PostgreSQL was down"
        assert "Something went wrong on our side" in errors[0][1]
        last_error = max(moment for moment, _ in errors)
        recovered_after = max(0.0, last_error - back)
        print(f"errors stopped {recovered_after:.2f} s after PostgreSQL was back ({len(errors)} errors)")
        assert recovered_after <= RECOVERY_SECONDS
        assert answers[-1][1] == 200
