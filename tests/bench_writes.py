"""Benchmark of the write paths: small saves on the demo, and a big vendor's paste and page.

A measurement, not a test: ``make bench-writes`` prints queries and time of

- the vendor page's inline save and the paste tool, 1 and 50 ranges, for a
  vendor with 20 articles (the demo data);
- a paste of 10,000 lines (half IPv4, half IPv6, public space) onto a vendor
  with 1,000 ranges: the check (the service, and the admin's "Check" page),
  the save in the request's way (``vendor_ranges_add`` in one recording) and
  the worker's (``range_pastes.range_paste_run``: its check, then the save);
- the admin page of a vendor with 5,000 ranges: loading it and saving it.

Each is timed in this process with ``time.perf_counter`` (wall) and
``time.process_time`` (this process's CPU, which other work on the machine
disturbs less; on PostgreSQL it leaves out the server's share), and the
median of ``BENCH_REPEATS`` runs (5) is printed. SQLite is a throwaway file;
``BENCH_DATABASE_URL`` runs the same on PostgreSQL instead, in a database that
holds nothing but benchmark data: it is emptied first. The query counts are
pinned by ``tests/services/test_write_queries.py`` and
``tests/admin/test_big_vendors.py``; the times are this machine's.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))


def paste_lines(count: int) -> list[str]:
    """``count`` distinct public ranges, every other one IPv6 (45.0.0.0/8 and 2a01::/16 are ordinary unicast)."""
    return [
        f"2a01:{n // 65536:x}:{n % 65536:x}::/48" if n % 2 else f"45.{n // 512}.{n // 2 % 256}.0/24"
        for n in range(count)
    ]


def main() -> None:
    database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ.update(
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="helpcenter.settings",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    os.chdir(ROOT)
    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)
    call_command("import_helpcenter", "fixtures/demo.yaml", verbosity=0, stdout=io.StringIO())
    client = Client()
    # force_login: django-axes needs the request that Client.login() does not pass to authenticate().
    client.force_login(User.objects.create_superuser("bench", "bench@example.com", "bench"))
    small_writes(client, connection)
    big_paste(client, connection, User.objects.get(username="bench"))
    big_vendor_page(client, connection)
    if database.exists():
        database.unlink()


def measure(action, connection) -> tuple[float, float, int, object]:
    """One run of ``action``: wall seconds, CPU seconds, queries, and what it returned."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, len(captured), result


def report(label: str, runs: list[tuple[float, float, int, object]], extra: str = "") -> None:
    wall = statistics.median(run[0] for run in runs) * 1000
    cpu = statistics.median(run[1] for run in runs) * 1000
    print(f"  {label:<44} wall {wall:6.0f} ms  CPU {cpu:6.0f} ms  {runs[-1][2]:4d} queries{extra}")


def small_writes(client, connection) -> None:
    from articles.content.models import Article
    from articles.facts.models import Vendor
    from articles.services import changes
    from tests.admin.forms import add_inline_row, vendor_form, vendor_url

    vendor = Vendor.objects.get(slug="smarttrak")
    model = vendor.articles.first()
    for number in range(20 - vendor.articles.count()):
        extra = Article.objects.create(
            vendor=vendor,
            slug=f"extra-{number}",
            title=f"Extra {number}",
            kind=model.kind,
            status=model.status,
            published_at=model.published_at,
            body=model.body,
        )
        changes.written(extra)

    def inline(count: int, first: int):
        data = vendor_form(client, vendor)  # the page as staff load it, before the timed save
        for n in range(count):
            add_inline_row(
                data, "ip_ranges", network=f"45.{first}.{n}.0/24", tier="additional", added_on="2026-01-01"
            )
        return lambda: client.post(vendor_url(vendor), data)

    def paste(count: int, first: int):
        text = "\n".join(f"46.{first}.{n}.0/24" for n in range(count))
        return lambda: client.post(
            vendor_url(vendor, "ranges/paste/"), {"text": text, "tier": "primary", "_save": "1"}
        )

    print(
        f"Vendor {vendor.slug}: {vendor.articles.count()} articles, {vendor.ip_ranges.count()} ranges "
        f"({connection.vendor})"
    )
    for label, prepare in (("vendor page inline", inline), ("paste tool", paste)):
        measured = []
        for count, first in ((1, 1), (50, 2)):
            wall, _cpu, queries, response = measure(prepare(count, first), connection)
            assert response.status_code == 302, response.status_code
            measured.append((queries, wall))
        (q1, t1), (q50, t50) = measured
        print(
            f"{label}: 1 range {q1} queries {t1 * 1000:.0f} ms; 50 ranges {q50} queries {t50 * 1000:.0f} ms; "
            f"{(q50 - q1) / 49:.1f} queries per extra range"
        )


def big_paste(client, connection, user) -> None:
    import reversion

    from articles.facts.models import IPRange, Vendor
    from articles.services import changes
    from articles.services import ranges as services
    from articles.services.range_pastes import range_paste_run, range_paste_start
    from tests.admin.forms import paste_url

    text = "\n".join(paste_lines(10_000))
    made = iter(range(10**6))

    def vendor_with_1000_ranges() -> Vendor:
        number = next(made)
        vendor = Vendor.objects.create(slug=f"big-paste-{number}", name=f"Big Paste {number}")
        listed = "\n".join(f"46.{n // 256}.{n % 256}.0/24" for n in range(1000))
        with changes.recording():
            services.vendor_ranges_add(vendor=vendor, text=listed, tier="additional")
        return vendor

    def save_as_the_request_does(vendor: Vendor):
        with changes.recording():
            reversion.set_user(user)
            return services.vendor_ranges_add(vendor=vendor, text=text, tier="primary", staff_note="bench")

    print(
        f"Paste of 10,000 lines (half IPv4, half IPv6) onto a vendor with 1,000 ranges "
        f"({connection.vendor}, median of {REPEATS}):"
    )
    vendor = vendor_with_1000_ranges()
    check = partial(services.vendor_ranges_check, vendor=vendor, text=text)
    checks = [measure(check, connection) for _ in range(REPEATS)]
    assert checks[-1][3].ok and len(checks[-1][3].to_add) == 10_000
    report("check (vendor_ranges_check)", checks)
    data = {"text": text, "tier": "primary", "_check": "Check"}
    client.post(paste_url(vendor), {**data, "text": "46.0.0.0/24"})  # templates compiled
    page = partial(client.post, paste_url(vendor), data)
    pages = [measure(page, connection) for _ in range(REPEATS)]
    assert b"10000 ranges to add" in pages[-1][3].content
    report("admin Check page (request, rendered)", pages, f"  {len(pages[-1][3].content) // 1024} KB")
    saves = []
    for _ in range(REPEATS):
        vendor = vendor_with_1000_ranges()
        saves.append(measure(partial(save_as_the_request_does, vendor), connection))
        assert IPRange.objects.filter(vendor=vendor).count() == 11_000
    report("save (vendor_ranges_add, one recording)", saves)
    worker = []
    for _ in range(REPEATS):
        vendor = vendor_with_1000_ranges()
        job = range_paste_start(vendor=vendor, text=text, tier="primary", user=user)
        worker.append(measure(partial(range_paste_run, job.pk), connection))
        assert worker[-1][3].state == "saved" and worker[-1][3].added == 10_000
    report("worker: check with progress, then save", worker)


def big_vendor_page(client, connection) -> None:
    from articles.facts.models import Vendor
    from articles.services import changes
    from articles.services import ranges as services
    from tests.admin.forms import form_data, vendor_url

    vendor = Vendor.objects.create(slug="big-page", name="Big Page")
    with changes.recording():
        lines = "\n".join(f"47.{n // 256}.{n % 256}.0/24" for n in range(5000))
        services.vendor_ranges_add(vendor=vendor, text=lines, tier="primary")
    print(f"Admin page of a vendor with 5,000 ranges ({connection.vendor}, median of {REPEATS}):")
    client.get(vendor_url(vendor))  # templates compiled, content types cached
    pages = [measure(partial(client.get, vendor_url(vendor)), connection) for _ in range(REPEATS)]
    assert pages[-1][3].status_code == 200
    report("change page (GET)", pages, f"  {len(pages[-1][3].content) // 1024} KB")
    saves = []
    for number in range(REPEATS):
        data = form_data(client.get(vendor_url(vendor)), "vendor_form")
        data["description"] = f"Sends a great deal of mail ({number})."
        saves.append(measure(partial(client.post, vendor_url(vendor), data), connection))
        assert saves[-1][3].status_code == 302, saves[-1][3].content[:2000]
    report("change page save (POST)", saves)


if __name__ == "__main__":
    main()
