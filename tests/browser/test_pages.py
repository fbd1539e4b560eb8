"""Real-browser checks: the demo pages read well, link by anchor, and pass axe."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

GUIDE = "/smarttrak/allowlisting-guide/"


def assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_no_outside_requests(page) -> None:
    assert page.outside_requests == []


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "home"),
        ("/smarttrak/", "vendor"),
        (GUIDE, "guide"),
        ("/leadmaster/email-delivery-troubleshooting/", "troubleshooting"),
        ("/search/?q=gmail", "search"),
        ("/no-such-page/", "not-found"),
    ],
)
def test_page_is_accessible_and_self_contained(page, demo_site, path, name):
    response = page.goto(demo_site.url + path)
    assert response.status == (404 if name == "not-found" else 200)
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    assert_accessible(page)
    assert_no_outside_requests(page)


def test_home_leads_to_the_vendor_hub_and_guide(page, demo_site):
    page.goto(demo_site.url + "/")
    page.get_by_role("link", name="SmartTRAK").first.click()
    page.wait_for_url("**/smarttrak/")
    page.get_by_role("link", name="SmartTRAK email").first.click()
    page.wait_for_url("**" + GUIDE)
    assert page.get_by_role("heading", level=1).inner_text()


def test_guide_summarises_its_21_ranges_and_the_for_it_page_lists_both_tiers(page, demo_site):
    page.goto(demo_site.url + GUIDE)
    it = page.locator("#it")
    expect(it.locator(".it-summary")).to_contain_text("21 IP ranges")
    assert it.locator("table.ranges").count() == 0  # more than a guide inlines (INLINE_RANGE_LIMIT)
    it.get_by_role("link", name="see them on the page for IT").click()
    page.wait_for_url("**/smarttrak/for-it/#ranges")
    ranges = page.locator("#ranges")
    assert ranges.get_by_text("Primary: allow these first").is_visible()
    assert ranges.get_by_text("Additional: if mail is still blocked").is_visible()
    assert ranges.locator("table.ranges tbody tr").count() == 21
    assert ranges.get_by_text("3.93.157.24", exact=True).is_visible()
    assert ranges.get_by_text("141.193.185.32/27", exact=True).is_visible()


def test_anchor_link_opens_that_clients_steps(page, demo_site):
    page.goto(demo_site.url + GUIDE + "#gmail")
    gmail = page.locator("section#gmail")
    assert gmail.is_visible()
    assert gmail.locator("ol.steps li").count() >= 3
    assert not page.locator("section#outlook").is_visible()  # the picker shows one at a time


def test_picker_switches_and_remembers_the_choice(page, demo_site):
    page.goto(demo_site.url + GUIDE)
    sections = page.locator("#mail-programs section.client-section")
    assert sections.count() >= 8
    page.locator(".picker [data-client-link='apple-mail']").click()
    assert page.locator("section#apple-mail").is_visible()
    assert not page.locator("section#gmail").is_visible()
    assert page.url.endswith("#apple-mail")
    page.goto(demo_site.url + GUIDE)
    assert page.locator("section#apple-mail").is_visible()
    assert_accessible(page)


def test_keyboard_reaches_the_picker(page, demo_site):
    page.goto(demo_site.url + GUIDE)
    link = page.locator(".picker [data-client-link='thunderbird']")
    link.focus()
    page.keyboard.press("Enter")
    assert page.locator("section#thunderbird").is_visible()
    focused = page.evaluate("document.activeElement.id")
    assert focused == "thunderbird-heading"


def test_without_javascript_every_section_is_readable(browser, demo_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_site.url + GUIDE)
    page.locator("#it summary").click()  # the IT material waits behind its summary
    sections = page.locator("section.client-section")
    assert sections.count() >= 12
    for index in range(sections.count()):
        assert sections.nth(index).is_visible()
    page.goto(demo_site.url + GUIDE + "#outlook-classic")
    assert page.locator("section#outlook-classic").is_visible()
    context.close()


def test_copy_button_copies_an_address(browser, demo_site):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(demo_site.url + GUIDE)
    button = page.get_by_role("button", name="Copy info@smarttrak.com").first
    button.click()
    assert page.evaluate("navigator.clipboard.readText()") == "info@smarttrak.com"
    # The status is set when the clipboard's promise settles: wait for it.
    expect(page.get_by_role("status").filter(has_text="Copied").first).to_be_visible()
    context.close()
