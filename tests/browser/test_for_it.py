"""The For IT page in a real browser: axe finds nothing, and a copy button copies the snippet."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

FOR_IT = "/smarttrak/for-it/"


def test_for_it_page_is_accessible_and_self_contained(page, demo_site):
    response = page.goto(demo_site.url + FOR_IT)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    screenshot(page, "for-it")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.outside_requests == []


def test_snippet_copy_button_is_named_for_the_snippet_and_copies_it(page, demo_site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo_site.url)
    page.goto(demo_site.url + FOR_IT)
    section = page.locator("#postfix")
    button = section.get_by_role("button", name="Copy Postfix")
    button.click()
    # The status is set when the clipboard's promise settles: wait for it.
    expect(section.get_by_role("status")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == section.locator("pre").get_attribute("data-copy")
    assert "permit" in copied and copied.startswith("# /etc/postfix/smarttrak-allowlist.cidr")
