"""The cache across real servers: two gunicorns sharing PostgreSQL and Redis, an import beside readers on SQLite.

An edit through one server's admin is seen at once on the other's article,
range files, search and API: every write moves the site's generation on in
the Redis both servers read (articles/pagecache/).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import sqlite3
import subprocess
import sys
import threading
import urllib.parse

import dj_database_url
import pytest
from django.db import connection

from tests.servers import ROOT, Server, Site, running_site

PASSWORD = "a-long-right-password-5521"
ARTICLE = "/smarttrak/allowlisting-guide/"
NEW_RANGE = "44.0.0.0/24"
# A Redis database of this run's own, emptied before and after (tests/servers.py).
REDIS_DATABASE = 13


def raw(server: Server, method: str, path: str, *, body: str | None = None, headers=None):
    """One request, redirects not followed, every Set-Cookie kept."""
    parts = urllib.parse.urlsplit(server.url)
    link = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        link.request(method, path, body=body, headers=headers or {})
        answer = link.getresponse()
        return answer.status, answer.headers, answer.read().decode()
    finally:
        link.close()


def cookies(headers) -> dict[str, str]:
    found = {}
    for line in headers.get_all("Set-Cookie") or []:
        name, _, rest = line.partition("=")
        found[name] = rest.split(";")[0]
    return found


def signed_in(server: Server) -> dict[str, str]:
    """An admin session on ``server``, cookies sent by hand (production marks them Secure)."""
    _, headers, page = raw(server, "GET", "/admin/login/")
    csrf = cookies(headers)["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "editor", "password": PASSWORD, "next": "/admin/"}
    )
    status, headers, _ = raw(
        server,
        "POST",
        "/admin/login/",
        body=form,
        headers={"Cookie": f"csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 302, "sign-in failed"
    return {"csrftoken": csrf, **cookies(headers)}


def paste_range(server: Server, session: dict[str, str], vendor_id: int, network: str) -> None:
    cookie = "; ".join(f"{name}={value}" for name, value in session.items())
    path = f"/admin/articles/vendor/{vendor_id}/ranges/paste/"
    _, _, page = raw(server, "GET", path, headers={"Cookie": cookie})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "text": network, "tier": "primary", "_save": "Save"}
    )
    status, _, body = raw(
        server,
        "POST",
        path,
        body=form,
        headers={
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": server.url + path,
        },
    )
    assert status == 302, body[:2000]


@pytest.fixture
def postgres_site(tmp_path):
    """A site on a PostgreSQL database of its own, on the server the test run uses, and Redis."""
    if connection.vendor != "postgresql":
        pytest.skip("the servers share PostgreSQL: run with DATABASE_URL set to PostgreSQL")
    import psycopg2

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = f"{config['NAME']}_servers"[:60]
    admin = psycopg2.connect(
        dbname="postgres", user=config["USER"], host=config["HOST"], port=config["PORT"] or 5432
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{config['USER']}@{config['HOST']}:{config['PORT'] or 5432}/{name}"
    try:
        with running_site(
            tmp_path, REDIS_DATABASE, DATABASE_URL=url, DJANGO_SUPERUSER_PASSWORD=PASSWORD
        ) as site:
            site.manage("createsuperuser", "--noinput", "--username", "editor", "--email", "e@example.com")
            yield site
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres_only
def test_an_admin_edit_through_one_server_is_seen_at_once_on_the_other(postgres_site: Site):
    first, second = postgres_site.server(), postgres_site.server()
    search = f"/search/?q={urllib.parse.quote(NEW_RANGE.split('/')[0])}"
    pages = [ARTICLE, "/smarttrak/allowlist.txt", "/api/vendors/smarttrak", search]
    before = {path: second.get(path) for path in pages}
    assert all(answer.status == 200 for answer in before.values())
    assert second.get(ARTICLE).headers["X-Page-Cache"] == "hit"
    assert NEW_RANGE not in before["/smarttrak/allowlist.txt"].body
    vendor_id = int(
        postgres_site.manage(
            "shell",
            "-v",
            "0",
            "-c",
            "from articles.facts.models import Vendor; print(Vendor.objects.get(slug='smarttrak').pk)",
        ).strip()
    )

    paste_range(first, signed_in(first), vendor_id, NEW_RANGE)

    article = second.get(ARTICLE)
    assert article.headers["X-Page-Cache"] == "miss"
    # The guide counts the ranges (above 20 it links the For IT page rather than listing them).
    listed_before = len(before["/smarttrak/allowlist.txt"].body.split())
    assert f"{listed_before} IP ranges" in before[ARTICLE].body
    assert f"{listed_before + 1} IP ranges" in article.body
    assert NEW_RANGE in second.get("/smarttrak/for-it/").body
    assert NEW_RANGE in second.get("/smarttrak/allowlist.txt").body
    assert NEW_RANGE in second.get("/api/vendors/smarttrak").body
    found = f"{NEW_RANGE.split('/')[0]} is in SmartTRAK’s published range"
    assert found not in before[search].body
    assert found in second.get(search).body


# Each kind of input, written by another process (a shell) through services.changes.recording().
EDITS = {
    "article": (
        "from articles.content.models import Article as M; o = M.objects.get(slug='allowlisting-guide'); "
        "M.objects.filter(pk=o.pk).update(body=o.body + ' EDITED-ARTICLE'); changes.article_changed(o.pk)",
        "EDITED-ARTICLE",
    ),
    "generic step": (
        "from articles.content.models import Step as M; o = M.objects.filter(step_list__vendor=None, "
        "step_list__mail_client__slug='gmail').first(); M.objects.filter(pk=o.pk).update(text='EDITED-STEP'); "
        "changes.written(o)",
        "EDITED-STEP",
    ),
    "mail client": (
        "from articles.content.models import MailClient as M; o = M.objects.get(slug='gmail'); "
        "M.objects.filter(pk=o.pk).update(name='EDITED-CLIENT'); changes.written(o)",
        "EDITED-CLIENT",
    ),
}


@pytest.mark.postgres_only
def test_every_kind_of_edit_in_another_process_is_seen_at_once_by_a_server(postgres_site: Site):
    server = postgres_site.server()
    for kind, (code, marker) in EDITS.items():
        server.get(ARTICLE)
        assert server.get(ARTICLE).headers["X-Page-Cache"] == "hit"
        postgres_site.manage(
            "shell",
            "-v",
            "0",
            "-c",
            f"from articles.services import changes\nwith changes.recording():\n    {code}",
        )
        answer = server.get(ARTICLE)
        assert answer.headers["X-Page-Cache"] == "miss", kind
        assert marker in answer.body, kind


def test_an_import_while_readers_read_succeeds_on_sqlite(tmp_path):
    """Readers on a real server (pages, and searches, which log) while two imports run."""
    with running_site(tmp_path, REDIS_DATABASE, RATE_LIMIT_SEARCH="100000/m", PAGE_CACHE_ENABLED="0") as site:
        server = site.server()
        statuses: list[int] = []
        stop = threading.Event()

        def read() -> None:
            paths = [ARTICLE, "/search/?q=outlook", "/smarttrak/allowlist.json", "/"]
            number = 0
            while not stop.is_set():
                statuses.append(server.get(paths[number % len(paths)]).status)
                number += 1

        readers = [threading.Thread(target=read) for _ in range(3)]
        for reader in readers:
            reader.start()
        try:
            # Two at once, as two staff members might: each write waits its turn (IMMEDIATE,
            # busy timeout) instead of failing with "database is locked".
            imports = [
                subprocess.Popen(  # noqa: S603 - our own arguments, no shell
                    [sys.executable, "manage.py", "import_helpcenter", "fixtures/demo.yaml"],
                    cwd=ROOT,
                    env=site.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            outcomes = [(process.wait(timeout=120), process.stderr.read()) for process in imports]
        finally:
            stop.set()
            for reader in readers:
                reader.join()
            for process in imports:
                process.stderr.close()
        for returncode, errors in outcomes:
            assert returncode == 0, errors
        # The journal mode is the database file's own: the site set it (helpcenter/settings.py).
        with contextlib.closing(sqlite3.connect(site.directory / "site.sqlite3")) as database:
            assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert len(statuses) > 20
        assert set(statuses) == {200}, sorted(set(statuses))
