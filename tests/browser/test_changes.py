"""The change log page in a real browser: axe finds nothing, no outside request, and it reads without JavaScript."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

CHANGES = "/smarttrak/changes/"


def test_changes_page_is_accessible_and_self_contained(page, demo_site):
    response = page.goto(demo_site.url + CHANGES)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    screenshot(page, "changes")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.outside_requests == []
    assert page.get_by_role("heading", level=2, name="Past changes").is_visible()


def test_the_vendor_hub_links_the_change_log_and_its_feed(page, demo_site):
    page.goto(demo_site.url + "/smarttrak/")
    page.get_by_role("link", name="Changes to these lists, upcoming and past").click()
    assert page.url == demo_site.url + CHANGES
    feed = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert feed.get_attribute("href") == "/smarttrak/changes.atom"
