"""A paste saved by the worker, followed in a browser: the progress page moves on to its result by itself."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.facts.models import IPRange, Vendor
from articles.services.range_pastes import range_paste_run, range_paste_start
from tests.browser.conftest import screenshot
from tests.browser.test_conflicts import signed_in

pytestmark = pytest.mark.browser


def test_progress_page_polls_until_the_worker_is_done_then_shows_the_result(page, demo_site):
    signed_in(page, demo_site.url, "ann")
    vendor = Vendor.objects.get(slug="smarttrak")
    text = "\n".join(f"45.{n // 256}.{n % 256}.0/24" for n in range(2500))
    paste = range_paste_start(vendor=vendor, text=text, tier="additional", user=None)
    page.goto(f"{demo_site.url}/admin/articles/vendor/{vendor.pk}/ranges/paste/{paste.pk}/")
    expect(page.locator("#range-paste")).to_contain_text("Waiting for the worker")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    results = Axe().run(page, options={"preload": False})
    assert results.violations_count == 0, results.generate_report()

    range_paste_run(paste.pk)  # the worker's task, run here against the live server's database

    expect(page.get_by_role("status")).to_contain_text("Added 2500 IP ranges to SmartTRAK", timeout=10_000)
    expect(page.get_by_role("link", name="Refresh")).to_have_count(0)
    assert IPRange.objects.filter(vendor=vendor, tier="additional", network="45.9.195.0/24").exists()
    screenshot(page, "admin-range-paste-result")
    results = Axe().run(page, options={"preload": False})
    assert results.violations_count == 0, results.generate_report()


def test_vendor_page_with_many_ranges_shows_their_summary_accessibly(page, demo_site):
    signed_in(page, demo_site.url, "ann")
    vendor = Vendor.objects.get(slug="smarttrak")
    paste = range_paste_start(
        vendor=vendor, text="\n".join(f"45.0.{n}.0/24" for n in range(60)), tier="primary", user=None
    )
    range_paste_run(paste.pk)
    page.goto(f"{demo_site.url}/admin/articles/vendor/{vendor.pk}/change/")
    summary = page.locator("#ip_ranges-group")
    expect(summary).to_contain_text("IP ranges of SmartTRAK by tier")
    summary.get_by_role("link", name="Paste many ranges").click()
    expect(page.get_by_label("IP addresses and ranges, one per line")).to_be_visible()
    page.go_back()
    screenshot(page, "admin-vendor-range-summary")
    # The summary alone: the admin's own inline tables have empty headers (a Django matter).
    results = Axe().run(page, context="#ip_ranges-group", options={"preload": False})
    assert results.violations_count == 0, results.generate_report()
