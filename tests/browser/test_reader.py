"""The reader's page in Chromium, at a desktop's and a phone's size (issue 12).

The first screen holds the picker, an anchor to one mail program keeps the
other choices in view, ``#it`` opens the IT details, no public page is wider
than a 320 px screen, heading links copy their address, and axe finds nothing
on any public page at either size, with and without JavaScript, light and dark.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import REPORT_CSP_VIOLATIONS, SCREENSHOTS, policy_problems

pytestmark = pytest.mark.browser

GUIDE = "/smarttrak/allowlisting-guide/"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
PUBLIC_PAGES = [
    "/",
    "/smarttrak/",
    "/smtp2go/",
    GUIDE,
    "/leadmaster/email-delivery-troubleshooting/",
    "/leadmaster/smtp-settings/",
    "/smtp2go/allowlisting-relay-ips/",
    "/help/what-is-allowlisting/",
    "/smarttrak/for-it/",
    "/search/?q=gmail",
    "/search/?q=3.93.157.24",
    "/no-such-page/",
]
# Where the screenshots and the printed PDF go for a person to look at.
SHOTS = Path(os.environ.get("READER_SHOTS", SCREENSHOTS))


@pytest.fixture
def open_page(browser, demo_site):
    """``open_page(path, size=DESKTOP, js=True, dark=False)``: a fresh context each time, CSP watched.

    ``site_scripts=False`` keeps JavaScript on but refuses the site's own
    scripts: the page as a reader without JavaScript gets it, in a browser
    where axe (whose run awaits promises) can still work.
    """
    contexts = []

    def open_(path, *, size=DESKTOP, js=True, dark=False, site_scripts=True):
        context = browser.new_context(
            viewport=size, java_script_enabled=js, color_scheme="dark" if dark else "light"
        )
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        if not site_scripts:
            context.route("**/static/js/**", lambda route: route.abort())
        contexts.append(context)
        page = context.new_page()
        page.console_messages = []
        page.on("console", lambda message: page.console_messages.append(message.text))
        response = page.goto(demo_site.url + path)
        page.status = response.status
        page.wait_for_load_state("load")
        return page

    yield open_
    for context in contexts:
        for page in context.pages:
            finish(page)


def finish(page) -> None:
    """Close the page's context, failing if the page broke the site's CSP."""
    problems = policy_problems(page)
    page.context.close()
    assert problems == [], "the page broke the site's CSP"


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_the_picker_starts_on_the_first_screen(open_page, size):
    page = open_page(GUIDE, size=size)
    picker = page.get_by_role("navigation", name="Which mail program do you use?")
    box = picker.bounding_box()
    assert box["y"] < size["height"] * 0.75, f"the picker starts {box['y']} px down"
    # Each choice says what the program is, from the mail client's description.
    gmail = picker.get_by_role("link", name="Gmail")
    expect(gmail).to_contain_text("on the web")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_an_anchor_to_gmail_shows_gmail_and_the_other_choices(open_page, size, js):
    page = open_page(GUIDE + "#gmail", size=size, js=js)
    heading = page.get_by_role("heading", name="Steps for Gmail")
    expect(heading).to_be_in_viewport()
    others = page.locator("#gmail .other-choices")
    expect(others.get_by_role("link", name="Apple Mail")).to_be_in_viewport()
    expect(others.get_by_role("link", name="Outlook", exact=True)).to_be_in_viewport()
    if js:
        # The picker shows one program at a time: another choice switches to it.
        others.get_by_role("link", name="Apple Mail").click()
        expect(page.get_by_role("heading", name="Steps for Apple Mail")).to_be_visible()
        expect(heading).to_be_hidden()


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_it_summary_is_readable_closed_and_it_opens_it(open_page, size):
    page = open_page(GUIDE, size=size)
    details = page.locator("#it details")
    assert details.evaluate("d => d.open") is False
    summary = page.locator("#it .it-summary")
    expect(summary).to_contain_text("1 sender address, 1 sender domain and 21 IP ranges")
    # 21 ranges are more than a guide inlines: it links the For IT page instead.
    expect(summary.get_by_role("link", name="see them on the page for IT")).to_be_visible()
    assert page.locator("#it table.ranges").count() == 0

    page = open_page(GUIDE + "#it", size=size)
    expect(page.locator("#it details")).to_have_js_property("open", True)
    expect(page.get_by_role("heading", name="Steps for Postfix")).to_be_attached()
    expect(page.locator("#exchange-online-heading")).to_be_visible()


def test_an_it_section_anchor_opens_the_details_without_javascript(open_page):
    page = open_page(GUIDE + "#postfix", js=False)
    # Chromium opens the <details> holding a fragment's target by itself.
    expect(page.locator("#postfix-heading")).to_be_in_viewport()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_no_public_page_is_wider_than_a_320px_screen(open_page, js):
    wide = {}
    for path in PUBLIC_PAGES:
        page = open_page(path, size={"width": 320, "height": 640}, js=js)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[path] = width
        finish(page)
    assert wide == {}


def test_heading_links_copy_the_address_of_their_section(open_page, demo_site):
    page = open_page("/leadmaster/email-delivery-troubleshooting/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo_site.url)
    heading = page.locator(".prose h2").first
    anchor = heading.get_attribute("id")
    link = heading.locator("a.heading-link")
    expect(link).to_have_accessible_name(re.compile(r"^Link to the section “.+”$"))
    link.click()
    expected = f"{demo_site.url}/leadmaster/email-delivery-troubleshooting/#{anchor}"
    expect(page.locator("#link-status")).to_have_text(f"Link copied: {expected}")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert page.url == expected


def test_articles_with_three_headings_get_contents_that_stay_in_view(open_page):
    page = open_page("/leadmaster/email-delivery-troubleshooting/")
    contents = page.get_by_role("navigation", name="On this page")
    anchors = [h.get_attribute("id") for h in page.locator(".article > .prose :is(h2, h3)").all()]
    assert len(anchors) >= 3
    hrefs = [a.get_attribute("href") for a in contents.get_by_role("link").all()]
    assert hrefs[: len(anchors)] == [f"#{anchor}" for anchor in anchors]
    page.mouse.wheel(0, 2500)
    expect(contents).to_be_in_viewport()


def test_print_these_steps_prints_the_chosen_program(open_page):
    page = open_page(GUIDE + "#gmail")
    expect(page.get_by_role("button", name="Print these steps").first).to_be_attached()
    page.evaluate("document.body.classList.add('print-steps')")
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Steps for Gmail")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Steps for Outlook (Microsoft 365 and new Outlook)")
    ).to_be_hidden()
    expect(page.locator("#senders")).to_be_visible()
    expect(page.locator("#it")).to_be_hidden()
    expect(page.locator(".print-only")).to_contain_text(GUIDE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SHOTS / "guide-gmail-print.pdf"), format="A4")


def test_print_button_is_hidden_without_javascript(open_page):
    page = open_page(GUIDE, js=False)
    expect(page.get_by_role("button", name="Print these steps")).to_have_count(0)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_every_public_page_is_accessible(open_page, size, js, dark):
    problems = {}
    for path in PUBLIC_PAGES:
        page = open_page(path, size=size, dark=dark, site_scripts=js)
        if not js:
            assert page.evaluate("document.querySelector('.js-picker, .copy-button') === null"), path
        assert page.status == (404 if path == "/no-such-page/" else 200), path
        results = Axe().run(page)
        if results.violations_count:
            problems[path] = results.generate_report()
        finish(page)
    assert problems == {}


@pytest.mark.parametrize(
    ("name", "size", "dark"),
    [
        ("desktop", DESKTOP, False),
        ("phone", PHONE, False),
        ("desktop-dark", DESKTOP, True),
        ("phone-dark", PHONE, True),
    ],
)
def test_screenshots_of_the_guide(open_page, name, size, dark):
    page = open_page(GUIDE, size=size, dark=dark)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"guide-{name}-first-screen.png"))
    page.screenshot(path=str(SHOTS / f"guide-{name}-full.png"), full_page=True)
    assert (SHOTS / f"guide-{name}-first-screen.png").stat().st_size > 0
