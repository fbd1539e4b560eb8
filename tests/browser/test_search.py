"""The search box in a real browser: suggestions by keyboard, accessible result pages."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_suggestions_work_by_keyboard_and_are_announced(page, demo_site):
    page.goto(demo_site.url + "/")
    box = page.get_by_role("combobox", name="Search the help center")
    box.press_sequentially("smartt", delay=30)
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    option = listbox.get_by_role("option").first
    assert "SmartTRAK" in option.inner_text()
    assert "suggestion" in page.get_by_role("status").filter(has_text="suggestion").inner_text()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    assert option.get_attribute("aria-selected") == "true"
    screenshot(page, "search-suggestions")
    box.press("Enter")
    page.wait_for_url("**/smarttrak/")


def test_escape_closes_suggestions_and_enter_still_searches(page, demo_site):
    page.goto(demo_site.url + "/")
    box = page.get_by_role("combobox", name="Search the help center")
    box.press_sequentially("allowl", delay=30)
    page.get_by_role("listbox").wait_for()
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    box.press("Enter")
    page.wait_for_url("**/search/?q=allowl")


@pytest.mark.parametrize("query", ["outlok", "3.93.157.200", "qwxyzzy+plonk"])
def test_result_pages_are_accessible(page, demo_site, query):
    page.goto(f"{demo_site.url}/search/?q={query}")
    page.wait_for_load_state("networkidle")
    screenshot(page, "search-" + query.replace("+", "-"))
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.outside_requests == []
