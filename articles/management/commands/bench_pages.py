"""``manage.py bench_pages`` (``make bench``): the site served by gunicorn and loaded by wrk, side by side.

One run, on a throwaway SQLite copy of the demo: two gunicorn servers with
two sync workers each (one with the page cache, one without it, whose
fragments stay warm), and wrk (``-t2 -c32``) on each page in turn: the guide
from the page cache and rendered again, home, a vendor hub, For IT,
``allowlist.json``, a word search and an IP search (as the same search
again, which the page cache answers, and as a new search on every request,
which it cannot), and the limit, the guide's
own bytes as a static file from the same server (WhiteNoise). The whole run
is made with the per-process memory cache and again with Redis
(``--redis-url``; its database is shared with nothing else, it is flushed).
It prints bytes, requests per second, p50, p95 and p99 and each page's ratio
to the limit, then how long the guide takes to render with no fragment
cached and with all of them (``--render``, run in-process on the same copy).

A measurement, not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

GUIDE = "/smarttrak/allowlisting-guide/"
LIMIT = "/static/bench/guide.html"
PAGES = [
    # (label, path, served by the server without the page cache, each request a new address)
    ("guide, page cache", GUIDE, False, False),
    ("guide, fragments only", GUIDE, True, False),
    ("home", "/", False, False),
    ("vendor hub", "/smarttrak/", False, False),
    ("For IT", "/smarttrak/for-it/", False, False),
    ("allowlist.json", "/allowlist.json", False, False),
    ("search: words", "/search/?q=outlook+junk", False, False),
    ("search: IP", "/search/?q=3.93.157.24", False, False),
    # A search no one made before: the page cache cannot help, the search runs every time.
    ("search: words, each one new", "/search/?q=outlook+junk", False, True),
    ("search: IP, each one new", "/search/?q=3.93.157.24", False, True),
    ("limit: the guide as a static file", LIMIT, False, False),
]
TARGETS = {"guide, page cache": {"locmem": 0.8, "redis": 0.6}, "guide, fragments only": 0.05}
SEARCH_P95_MS = 50.0
# wrk's report, as JSON, from its Lua done() hook.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "bytes": %d, "errors": %d, "p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


# Each request its own address (a parameter the page ignores), so none is answered from the cache.
WRK_NEW_ADDRESSES = """
local number = 0
setup = function(thread)
  thread:set("tag", tostring(math.random(1, 1e9)))
end
request = function()
  number = number + 1
  return wrk.format(nil, wrk.path .. "&r=" .. tag .. "-" .. number)
end
"""


class Command(BaseCommand):
    help = "Serve the demo with gunicorn, load each page with wrk, print req/s and latency (make bench)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seconds", type=int, default=5, help="How long wrk loads each page.")
        parser.add_argument("--connections", type=int, default=32)
        parser.add_argument(
            "--redis-url",
            default=os.environ.get("BENCH_REDIS_URL", ""),
            help="A Redis database of the bench's own, flushed (BENCH_REDIS_URL); none: memory cache only.",
        )
        parser.add_argument(
            "--render", action="store_true", help="Only time the guide's rendering in this process."
        )

    def handle(self, *args, **options) -> None:
        if options["render"]:
            self.time_rendering()
            return
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed (Debian: apt-get install wrk).")
        with tempfile.TemporaryDirectory(prefix="helpcenter-bench-") as directory:
            bench = Bench(Path(directory), self.stdout)
            bench.set_up()
            self.stdout.write(bench.manage("bench_pages", "--render", env=bench.env({})))
            backends = [("locmem", {})]
            if options["redis_url"]:
                backends.append(("redis", {"REDIS_URL": options["redis_url"]}))
            for name, extra in backends:
                if extra:
                    import redis

                    redis.Redis.from_url(extra["REDIS_URL"]).flushdb()
                rows = bench.run(extra, seconds=options["seconds"], connections=options["connections"])
                self.report(name, rows)

    def report(self, backend: str, rows: dict[str, dict]) -> None:
        limit = rows["limit: the guide as a static file"]["rate"]
        self.stdout.write(f"\n== {backend} cache (gunicorn, 2 sync workers; wrk -t2 -c32)")
        self.stdout.write(
            f"{'page':36} {'bytes':>8} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'× limit':>8}"
        )
        for label, row in rows.items():
            ratio = row["rate"] / limit if limit else 0.0
            target = TARGETS.get(label)
            if isinstance(target, dict):
                target = target.get(backend)
            verdict = "" if target is None else (" ok" if ratio >= target else f" below {target}")
            if label.startswith("search") and row["p95"] > SEARCH_P95_MS:
                verdict += f" p95 over {SEARCH_P95_MS:.0f} ms"
            errors = f" ({row['errors']} errors)" if row["errors"] else ""
            self.stdout.write(
                f"{label:36} {row['size']:>8} {row['rate']:>9.0f} {row['p50']:>8.2f} {row['p95']:>8.2f}"
                f" {row['p99']:>8.2f} {ratio:>8.3f}{verdict}{errors}"
            )

    def time_rendering(self, repeats: int = 40) -> None:
        """The guide rendered by its view, queries included, with no fragment cached and with all."""
        from django.core.cache import caches
        from django.test import Client

        from articles.content import fragments

        settings.PAGE_CACHE_ENABLED = False
        client = Client(HTTP_HOST="127.0.0.1")
        client.get(GUIDE)  # imports, templates and connections: once per process, not per page

        def once(cold: bool) -> float:
            if cold:
                caches["fragments"].clear()
                fragments.forget_local()
            started = time.perf_counter()
            response = client.get(GUIDE, REMOTE_ADDR=f"192.0.2.{int(cold)}")
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise CommandError(f"{GUIDE} answered {response.status_code}")
            return elapsed

        cold = statistics.median(once(True) for _ in range(repeats))
        warm = statistics.median(once(False) for _ in range(repeats))
        self.stdout.write(
            f"render of {GUIDE} (median of {repeats}, queries included): "
            f"nothing cached {cold:.1f} ms (target < 20), fragments cached {warm:.1f} ms (target < 10)"
        )


class Bench:
    """The throwaway site, its servers and wrk."""

    def __init__(self, directory: Path, stdout) -> None:
        self.directory = directory
        self.stdout = stdout
        self.root = Path(settings.BASE_DIR)
        self.secret = secrets.token_urlsafe(50)

    def env(self, extra: dict[str, str]) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.directory),
            "DATABASE_URL": f"sqlite:///{self.directory / 'bench.sqlite3'}",
            "SECRET_KEY": self.secret,
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_ROOT": str(self.directory / "static"),
            "WORKER_SQLITE_FILE": str(self.directory / "worker.sqlite3"),
            # The bench asks for the same searches many times from one address.
            "RATE_LIMIT_SEARCH": "100000000/m",
            **extra,
        }

    def manage(self, *arguments: str, env: dict[str, str]) -> str:
        result = subprocess.run(  # noqa: S603 - our own arguments, no shell
            [sys.executable, "manage.py", *arguments],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"manage.py {' '.join(arguments)} failed:\n{result.stderr}")
        return result.stdout

    def set_up(self) -> None:
        env = self.env({})
        self.manage("migrate", "--noinput", "-v", "0", env=env)
        self.manage("import_helpcenter", "fixtures/demo.yaml", env=env)
        self.manage("collectstatic", "--noinput", "-v", "0", env=env)
        with Server(self, {}) as server:
            guide = server.fetch(GUIDE)
        limit = self.directory / "static" / "bench" / "guide.html"
        limit.parent.mkdir(parents=True)
        limit.write_bytes(guide)
        (self.directory / "report.lua").write_text(WRK_SCRIPT)
        (self.directory / "new.lua").write_text(WRK_NEW_ADDRESSES + WRK_SCRIPT)

    def run(self, extra: dict[str, str], *, seconds: int, connections: int) -> dict[str, dict]:
        rows = {}
        with Server(self, extra) as cached, Server(self, {**extra, "PAGE_CACHE_ENABLED": "0"}) as uncached:
            for label, path, without_cache, new_addresses in PAGES:
                server = uncached if without_cache else cached
                size = len(server.fetch(path))
                script = "new.lua" if new_addresses else "report.lua"
                # Warm: the page cache, the fragments and each worker's connections.
                self.wrk(server.url + path, seconds=1, connections=connections, script=script)
                result = self.wrk(server.url + path, seconds=seconds, connections=connections, script=script)
                rows[label] = {
                    "size": size,
                    "rate": result["requests"] / result["seconds"],
                    "p50": result["p50"],
                    "p95": result["p95"],
                    "p99": result["p99"],
                    "errors": result["errors"],
                }
        return rows

    def wrk(self, url: str, *, seconds: int, connections: int, script: str) -> dict:
        result = subprocess.run(  # noqa: S603 - our own arguments, no shell
            [
                shutil.which("wrk") or "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "-s",
                str(self.directory / script),
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn with two sync workers on a free port, for the length of a ``with`` block."""

    def __init__(self, bench: Bench, extra: dict[str, str]) -> None:
        self.bench = bench
        self.extra = extra

    def __enter__(self) -> Server:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            [sys.executable, "-m", "gunicorn", "helpcenter.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2", "--worker-class", "sync", "--log-level", "warning"],
            cwd=self.bench.root,
            env=self.bench.env(self.extra),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.fetch("/robots.txt")
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise CommandError("gunicorn did not start within 30 s")

    def fetch(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=10) as answer:  # noqa: S310 - our loopback server
            return answer.read()

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
