"""Results that lead to a section, in a real browser: named, linked, grouped, accessible."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_result_names_its_section_and_its_link_lands_on_it(page, demo_site):
    page.goto(f"{demo_site.url}/search/?q=postfix+whitelist")
    page.wait_for_load_state("networkidle")
    results = page.get_by_role("region", name="articles for")
    first = page.locator(".result-list > li").first
    link = first.get_by_role("link").first
    assert link.get_attribute("href") == "/smarttrak/allowlisting-guide/#postfix"
    assert "› Postfix" in link.inner_text()
    assert first.locator(".snippet mark").first.inner_text().lower() in {"postfix", "allowlist", "whitelist"}
    more = first.get_by_role("list", name="More sections of")
    assert more.get_by_role("link").count() >= 1
    screenshot(page, "search-sections")
    axe = Axe().run(page)
    assert axe.violations_count == 0, axe.generate_report()
    assert page.outside_requests == [] and results.count() == 1
    link.click()
    page.wait_for_url("**/smarttrak/allowlisting-guide/#postfix")
    assert page.locator("#postfix").is_visible()


def test_a_program_named_by_its_nickname_leads_to_its_section(page, demo_site):
    page.goto(f"{demo_site.url}/search/?q=iphone+mail")
    link = page.locator(".result-list > li").first.get_by_role("link").first
    assert link.get_attribute("href") == "/smarttrak/allowlisting-guide/#apple-mail"
    axe = Axe().run(page)
    assert axe.violations_count == 0, axe.generate_report()
