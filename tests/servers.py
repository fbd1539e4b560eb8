"""Real app servers for the tests: gunicorn processes on loopback ports, sharing one site.

``Site`` is a help center of its own, outside the test database: an SQLite
file with the demo data, and a Redis database number as its cache, set up by
``manage.py migrate`` and ``import_helpcenter`` as ``make run`` does.
``Site.server()`` starts a gunicorn serving it on a free port and stops it at
the end of the test. Several servers of one site share the database and the
cache, as several app servers in production do.

Redis is one of the services this machine runs before a session starts
(``.ci/run`` starts it where it does not). Without it a test that needs it is
skipped with the reason, except in CI, where it fails.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
STARTUP_SECONDS = 30


#: Two test runs side by side on one Redis (CI runs SQLite and PostgreSQL at once) each
#: take their own databases: the second sets TEST_REDIS_DB_OFFSET (e.g. -4).
REDIS_DB_OFFSET = int(os.environ.get("TEST_REDIS_DB_OFFSET", "0"))


def redis_url(number: int) -> str:
    """The URL of Redis database ``number`` for this test run (see ``REDIS_DB_OFFSET``)."""
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{number + REDIS_DB_OFFSET}"


def redis_database(number: int) -> str:
    """The URL of one Redis database, emptied; skipped (failed in CI) if Redis is not running."""
    redis = pytest.importorskip("redis")
    url = redis_url(number)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.exceptions.ConnectionError:
        missing_service(f"no Redis at {REDIS_HOST}:{REDIS_PORT} (start it: see .ci/run)")
    return url


def missing_service(message: str) -> None:
    """Skip the test for a service this machine does not run; in CI (``CI`` set), fail it."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Server:
    """One gunicorn process of a site."""

    url: str
    process: subprocess.Popen

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request(path, headers=headers)

    def request(
        self, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        request = urllib.request.Request(self.url + path, data=data, headers=headers or {})  # noqa: S310 - http://127.0.0.1
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - our own loopback server
                return Response(answer.status, dict(answer.headers), answer.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read().decode())


@dataclass
class Site:
    """A help center on an SQLite file with the demo data, its cache in one Redis database."""

    directory: Path
    redis_url: str
    settings: dict[str, str] = field(default_factory=dict)
    servers: list[Server] = field(default_factory=list)
    # One key for every server of the site, as in production: sessions, CSRF and keyed hashes depend on it.
    secret_key: str = field(default_factory=lambda: f"servers-test-{secrets.token_hex(32)}")

    @property
    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.directory),
            "DATABASE_URL": f"sqlite:///{self.directory / 'site.sqlite3'}",
            "REDIS_URL": self.redis_url,
            "SECRET_KEY": self.secret_key,
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            **self.settings,
        }

    def manage(self, *arguments: str) -> str:
        result = subprocess.run(  # noqa: S603 - our own arguments, no shell
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self, *arguments: str) -> subprocess.Popen:
        """``manage.py`` with ``arguments``, running beside the test; its output kept to read after."""
        return subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def set_up(self) -> None:
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("import_helpcenter", "fixtures/demo.yaml")

    def server(self) -> Server:
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            [
                sys.executable,
                "-m",
                "gunicorn",
                "helpcenter.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        server = Server(f"http://127.0.0.1:{port}", process)
        self.servers.append(server)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read()
            with contextlib.suppress(OSError):
                if server.get("/robots.txt").status == 200:
                    return server
            time.sleep(0.1)
        pytest.fail(f"gunicorn did not answer on port {port} within {STARTUP_SECONDS} s")

    def stop(self) -> None:
        for server in self.servers:
            server.process.terminate()
        for server in self.servers:
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
            server.process.stderr.close()


@contextlib.contextmanager
def running_site(directory: Path, redis_number: int, **settings: str) -> Iterator[Site]:
    site = Site(directory, redis_database(redis_number), settings)
    site.set_up()
    try:
        yield site
    finally:
        site.stop()
        redis_database(redis_number)  # empty it again
