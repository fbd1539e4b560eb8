"""Benchmark of the write paths: saving 1 and 50 IP ranges for a vendor with 20 articles.

A measurement, not a test: ``make bench-writes`` prints queries and time for
the vendor page's inline save and for the paste tool, on the demo data in a
throwaway SQLite database. The query counts are pinned by
``tests/services/test_write_queries.py``; the times are this machine's.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="helpcenter.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.content.models import Article
    from articles.facts.models import Vendor
    from articles.services import changes
    from tests.admin.forms import add_inline_row, vendor_form, vendor_url

    settings.ALLOWED_HOSTS = ["testserver"]
    os.chdir(ROOT)
    call_command("migrate", verbosity=0)
    call_command("import_helpcenter", "fixtures/demo.yaml", verbosity=0)
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
    client = Client()
    # force_login: django-axes needs the request that Client.login() does not pass to authenticate().
    client.force_login(User.objects.create_superuser("bench", "bench@example.com", "bench"))

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
        f"Vendor {vendor.slug}: {vendor.articles.count()} articles, {vendor.ip_ranges.count()} ranges (SQLite)"
    )
    for label, prepare in (("vendor page inline", inline), ("paste tool", paste)):
        measured = []
        for count, first in ((1, 1), (50, 2)):
            save = prepare(count, first)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = save()
                elapsed = time.perf_counter() - started
            assert response.status_code == 302, response.status_code
            measured.append((len(captured), elapsed))
        (q1, t1), (q50, t50) = measured
        print(
            f"{label}: 1 range {q1} queries {t1 * 1000:.0f} ms; 50 ranges {q50} queries {t50 * 1000:.0f} ms; "
            f"{(q50 - q1) / 49:.1f} queries per extra range"
        )
    database.unlink()


if __name__ == "__main__":
    main()
