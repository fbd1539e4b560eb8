"""Record the exact bytes the site serves for the demo data, and compare two recordings.

Why: a restructuring of the code must change nothing a reader, an IT
department's script or a member of staff sees. Record before, record after,
compare: every file that differs names a request whose answer changed.

    python tests/snapshot.py record OUTDIR
    python tests/snapshot.py compare DIR_A DIR_B   # lists the differing files; exit 1 if any

``record`` loads ``fixtures/demo.yaml`` into a fresh SQLite database, fetches every
public page, download and API answer (and every page they link to), then the admin as
a superuser. Each answer becomes one file: the request, the status, the headers that
matter (sorted), a blank line, the body. It runs with production settings (DEBUG off)
whatever the environment says, on a fixed clock so that recordings made on different
days agree, and relies only on URLs and model, field and command names, so it runs
unchanged before and after. It sets this process's settings and clock: give it a process of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import logging
import os
import re
import secrets
import sys
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
# The recording's clock, and every time the clock wrote: after every publication time in the demo.
NOW = dt.datetime(2026, 12, 1, 3, 4, 5, tzinfo=dt.UTC)
HEADERS = ("Access-Control-Allow-Origin", "Cache-Control", "Content-Disposition", "Content-Type")
HEADERS += ("ETag", "Last-Modified", "Location", "Vary")  # written in this (sorted) order
# Every snippet the README and the for-IT page offer, and one that does not exist.
SNIPPETS = ("exchange-online.ps1", "google-workspace-allowlist.txt", "google-workspace-approved-senders.txt")
SNIPPETS += ("postfix-allowlist.cidr", "spamassassin-welcomelist-rcvd.cf", "spamassassin-welcomelist.cf")
SNIPPETS += ("mimecast-source-ip-ranges.txt", "proofpoint-safe-senders.txt", "barracuda-ip-policies.csv")
SNIPPETS += ("spf-terms.txt", "no-such-snippet.txt")
SEARCHES = ("allowlist outlook", "bouncing", "whitelist smarttrak", "junk", "office 365")  # words
SEARCHES += ("outlok", "gmial", "smartrak")  # typos
SEARCHES += ("3.93.157.24", "[3.93.157.24]", "54.174.61.9", "192.0.2.1", "[IPv6:2001:db8::1]")  # IPs
SEARCHES += ("3.93.157.0 / 24", "141.193.184.0/24", "Received: from mta.example ([3.93.157.24]) by mx")
SEARCHES += ("info@smarttrak.com", "someone@example.org", "crmtool.net", "smtp2go.com")  # senders
SEARCHES += ("553 Envelope sender rejected", "550 5.7.1")  # bounces
SEARCHES += ("1.2.3.4/99", "300.1.1.1", "xyzzyplugh", "", "   ", "ünïcödé", '<script>"x"</script> & \'')
# Paging (on, past the end, not a number) and filters (good and bad).
SEARCH_PARAMS = ("q=email&page=2", "q=email&page=99", "q=email&page=x%C2%B2", "q=allowlist&vendor=smarttrak")
SEARCH_PARAMS += ("q=allowlist&kind=guide&client=gmail", "q=spam&vendor=no-such-vendor&kind=nonsense")
# What differs from run to run however fixed the data and the clock, masked in every body.
MASKS = (
    # Django renders a fresh random CSRF token into every form.
    (rb'(name="csrfmiddlewaretoken" value=")[^"]+', rb"\1<csrf>"),
    # A search page signs a random name of its answer with the real time and SECRET_KEY.
    (rb'(data-click-token=")[^"]+', rb"\1<token>"),
    # A new webhook endpoint's form offers a freshly generated signing secret.
    (rb'(name="secret"[^>]*value=")[0-9a-f]+', rb"\1<secret>"),
    (rb'(value=")[0-9a-f]{64}("[^>]*name="secret")', rb"\1<secret>\2"),
)
# WhiteNoise derives these from the files' mtimes, and each recording runs collectstatic afresh.
STATIC_HEADER_MASKS = {"ETag": "<from mtime>", "Last-Modified": "<mtime>"}
LINK = re.compile(rb'href="(/[^"#]*)')
STATIC = re.compile(rb'/static/[^"\'\s)?#]+')


def configure(db_path: str, static_root: str) -> None:
    """Production settings, a fresh SQLite file, static files collected into ``static_root``, a fixed clock."""
    os.environ.update(DEBUG="0", SECURE_SSL_REDIRECT="0", ALLOWED_HOSTS="testserver")
    os.environ.update(DATABASE_URL=f"sqlite:///{db_path}", DJANGO_SETTINGS_MODULE="helpcenter.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # it only signs what MASKS hide
    for name in ("REDIS_URL", "SITE_NAME"):  # a cache shared with earlier runs; another site name
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings
    from django.utils import timezone

    # Before the project is imported, so `default=timezone.now` and `from django.utils.timezone
    # import now` get it too. Else the admin shows today's date (a new range's "added on", the
    # report's period, the "Today" filters), and which articles are public depends on the day.
    timezone.now = lambda: NOW
    settings.STATIC_ROOT = static_root
    django.setup()


def pin_clock_times() -> None:
    """Every time the clock wrote (auto_now, auto_now_add, a callable default) in the articles app: NOW.

    The fixed clock wrote NOW already; this covers times from elsewhere too. Times from
    the demo file (publication times, the search index's copy of them) and dates stay:
    they are data, and one instant for all would tie the "latest articles" order.
    """
    from django.apps import apps
    from django.db import models

    for model in apps.get_app_config("articles").get_models():
        pinned = {
            field.name: NOW
            for field in model._meta.concrete_fields
            if isinstance(field, models.DateTimeField)
            and (field.auto_now or field.auto_now_add or (field.has_default() and callable(field.default)))
        }
        if pinned:
            model._base_manager.update(**pinned)


def objects(model_name: str, *related: str) -> list:
    from django.apps import apps

    return list(apps.get_model("articles", model_name)._base_manager.select_related(*related).order_by("pk"))


def page(item) -> str:
    """An article's address, or an old slug's."""
    return f"/{item.vendor.slug}/{item.slug}/" if item.vendor else f"/help/{item.slug}/"


def public_requests() -> list[tuple[str, str, dict]]:
    """(method, url, data) for every public answer, in a fixed order."""
    urls = ["/", "/robots.txt", "/sitemap.xml", "/no-such-page/", "/help/no-such-article/", "/search/"]
    urls += [f"/search/?{urlencode({'q': q})}" for q in SEARCHES]
    urls += [f"/search/?{params}" for params in SEARCH_PARAMS]
    urls += [f"/search/suggest/?{urlencode({'q': q})}" for q in ("sm", "out", "allowl", "", "<b>")]
    urls += [page(article) for article in objects("Article", "vendor")]  # drafts too: their 404
    urls += [page(old) for old in objects("ArticleOldSlug", "vendor")]
    for old in objects("VendorOldSlug"):
        urls += [f"/{old.slug}/", f"/{old.slug}/allowlist.txt", f"/api/vendors/{old.slug}"]
    urls += ["/allowlist.txt", "/allowlist.csv", "/allowlist.json", "/changes.atom"]
    files = ("allowlist.txt", "allowlist.csv", "allowlist.json", "contact.vcf", "gmail-filter.xml", "for-it/")
    files += ("changes/", "changes.atom")
    slugs = sorted(vendor.slug for vendor in objects("Vendor"))
    for slug in [*slugs, "no-such-vendor"]:
        urls += [f"/{slug}/", *(f"/{slug}/{name}" for name in files)]
        urls += [f"/{slug}/for-it/{name}" for name in SNIPPETS]
    urls += ["/api/", "/api/schema", "/api/vendors", "/api/articles", "/api/unknown", "/api/ip/"]
    urls += ["/api/changes", "/api/changes?since=garbage", f"/api/changes?since={'0' * 64}"]
    for slug in [*slugs, "no-such-vendor", "bad slug"]:
        urls += [f"/api/vendors/{slug}", f"/api/vendors/{slug}/articles", f"/api/vendors/{slug}/changes"]
    ips = ("3.93.157.24", "54.174.61.9", "192.0.2.1", "::ffff:3.93.157.24", "2001:db8::1")
    urls += [f"/api/ip/{ip}" for ip in (*ips, "300.1.1.1", "3.93.157.0/24", "fe80::1%eth0", "garbage")]
    other = [("HEAD", "/smarttrak/allowlist.txt"), ("POST", "/api/vendors"), ("POST", "/search/")]
    return [("GET", url, {}) for url in urls] + [(method, url, {}) for method, url in other]


def admin_requests() -> list[tuple[str, str, dict]]:
    """The articles app's admin: changelists, add and change forms of every model admin, custom views."""
    from django.contrib import admin

    found = ["/admin/", "/admin/articles/", "/admin/articles/vendor/?q=3.93.157.24"]
    found += ["/admin/articles/iprange/?q=141.193.184.0/24", "/admin/articles/iprange/?retired=no"]
    found += ["/admin/articles/steplist/?owner=vendor"]
    models = sorted(m._meta.model_name for m in admin.site._registry if m._meta.app_label == "articles")
    for name in models:
        found += [f"/admin/articles/{name}/", f"/admin/articles/{name}/add/"]
        found += [f"/admin/articles/{name}/{first.pk}/change/" for first in objects(name)[:1]]
    paste = f"/admin/articles/vendor/{objects('Vendor')[0].pk}/ranges/paste/"
    found += [paste] + [f"/admin/articles/article/{article.pk}/preview/" for article in objects("Article")]
    period = urlencode({"since": (NOW - dt.timedelta(days=400)).date(), "until": NOW.date()})
    found += ["/admin/articles/searchquerylog/report/", f"/admin/articles/searchquerylog/report/?{period}"]
    lines = "3.93.157.24\n192.0.2.7 / 24\n2001:DB8::/32\n10.0.0.0/33\nnot a range\n"
    return [("GET", url, {}) for url in found] + [
        (
            "POST",
            paste,
            {
                "text": lines,
                "tier": "primary",
                "public_note": "=1+1",
                "staff_note": "=2+2",
                "_check": "Check",
            },
        ),
        ("POST", "/admin/markdownx/markdownify/", {"content": "**{{ vendor }}** <script>x</script>"}),
    ]


def file_name(key: str) -> str:
    """A safe, stable file name for a request: readable, plus a hash so that no two collide."""
    readable = re.sub(r"[^A-Za-z0-9.-]+", "_", key).strip("_.")[:90]
    return f"{readable}~{hashlib.sha256(key.encode()).hexdigest()[:10]}.http"


class Recorder:
    def __init__(self, outdir: Path):
        from django.test import Client

        self.client = Client(raise_request_exception=False)  # a 500 is recorded, not raised
        self.outdir, self.statuses, self.done, self.links = outdir, Counter(), set(), set()

    def fetch(self, method: str, url: str, data: dict | None = None, headers: dict | None = None):
        key = f"{method} {url}" + "".join(f" [{name}: {value}]" for name, value in (headers or {}).items())
        if key in self.done:
            return None
        self.done.add(key)
        response = getattr(self.client, method.lower())(url, data or {}, headers=headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        for pattern, replacement in MASKS:
            body = re.sub(pattern, replacement, body)
        lines = [key, f"Status: {response.status_code}"]
        for name in HEADERS:
            if name in response.headers:
                masked = STATIC_HEADER_MASKS.get(name) if url.startswith("/static/") else None
                if name == "ETag" and url.startswith("/search/?") and b"<token>" in body:
                    masked = "<of the page with its random click token>"
                lines.append(f"{name}: {masked or response.headers[name]}")
        (self.outdir / file_name(key)).write_bytes("\n".join(lines).encode() + b"\n\n" + body)
        self.statuses[response.status_code] += 1
        if not url.startswith("/admin/"):  # what a reader can follow; admin_requests() lists the admin's
            self.links.update(html.unescape(link.decode()) for link in LINK.findall(body))
        for static in sorted(set(STATIC.findall(body))):
            self.fetch("GET", static.decode())
        return response


def _record(outdir: Path) -> Counter:
    from django.apps import apps
    from django.core.management import call_command

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 404s are expected; 500s still print
    call_command("migrate", interactive=False, verbosity=0)
    call_command("import_helpcenter", str(ROOT / "fixtures/demo.yaml"), verbosity=0, stdout=io.StringIO())
    call_command("collectstatic", interactive=False, verbosity=0)
    admin = apps.get_model("auth", "User").objects.create_superuser("snapshot", "snapshot@example.com")
    pin_clock_times()
    recorder = Recorder(outdir)
    for method, url, data in public_requests():
        response = recorder.fetch(method, url, data)
        if response is not None and url in ("/smarttrak/allowlist.json", "/api/vendors/smarttrak"):
            for sent, received in (("If-None-Match", "ETag"), ("If-Modified-Since", "Last-Modified")):
                if received in response.headers:  # unchanged since: a 304
                    recorder.fetch("GET", url, headers={sent: response.headers[received]})
        if response is not None and url == "/search/?q=bouncing":  # a reader opens a result, for the report
            token = re.search(r'data-click-token="([^"]+)"', response.content.decode())
            data = {"token": token[1] if token else "", "article": objects("Article")[0].pk, "position": 1}
            recorder.fetch("POST", "/search/click/", data)
    while unvisited := sorted(link for link in recorder.links if f"GET {link}" not in recorder.done):
        for link in unvisited:
            recorder.fetch("GET", link)
    pin_clock_times()  # the searches just logged, for the admin's search log
    recorder.client.force_login(admin)
    for method, url, data in admin_requests():
        recorder.fetch(method, url, data)
    return recorder.statuses


def record(outdir: str | Path) -> Counter:
    """Record every answer into ``outdir``; return how many answers had each status."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for stale in outdir.glob("*.http"):  # from an earlier recording
        stale.unlink()
    fd, db_path = tempfile.mkstemp(prefix="snapshot-", suffix=".sqlite3")
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory(prefix="snapshot-static-") as static_root:
            configure(db_path, static_root)
            return _record(outdir)
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(db_path + suffix).unlink(missing_ok=True)


def compare(dir_a: str | Path, dir_b: str | Path) -> list[str]:
    """The names of the files that differ, or that only one of the two recordings has."""
    a, b = Path(dir_a), Path(dir_b)
    names = sorted({path.name for path in [*a.glob("*.http"), *b.glob("*.http")]})
    read = {name: [p.read_bytes() if p.is_file() else None for p in (a / name, b / name)] for name in names}
    return [name for name, (one, other) in read.items() if one is None or one != other]


def statuses(directory: str | Path) -> dict[str, int]:
    """Each recorded file's status code."""
    return {
        path.name: int(path.read_bytes().split(b"\n", 2)[1].removeprefix(b"Status: "))
        for path in sorted(Path(directory).glob("*.http"))
    }


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "record":
        counts = record(argv[1])
        summary = ", ".join(f"{count} × {status}" for status, count in sorted(counts.items()))
        print(f"Recorded {sum(counts.values())} URLs into {argv[1]}: {summary}.")
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        differing = compare(argv[1], argv[2])
        print(*differing, f"{len(differing)} file(s) differ." if differing else "Identical.", sep="\n")
        return 1 if differing else 0
    print(__doc__.split("\n\n")[2], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
