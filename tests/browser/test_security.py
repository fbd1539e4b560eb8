"""The site and its admin under the Content-Security-Policy, in Chromium.

The ``page`` fixture fails a test on any CSP violation or policy-header
complaint; these tests walk the pages and admin screens that run scripts:
the search box, the client picker, the admin's sign-in, inlines with "Add
another", autocomplete, and django-markdownx's live preview.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from articles.content.models import Article, StepList
from articles.facts.models import Vendor
from tests.browser.conftest import policy_problems, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def assert_no_policy_problems(page) -> None:
    assert policy_problems(page) == []


@pytest.fixture
def staff_page(page, demo_site):
    User.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    page.goto(demo_site.url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return page


def test_public_pages_send_the_policies_and_break_none_of_them(page, demo_site):
    response = page.goto(demo_site.url + "/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    box = page.get_by_role("combobox", name="Search the help center")
    box.press_sequentially("smartt", delay=30)
    page.get_by_role("listbox", name="Suggestions").wait_for()
    page.goto(demo_site.url + "/smarttrak/allowlisting-guide/")
    page.locator(".picker [data-client-link='apple-mail']").click()
    assert page.locator("section#apple-mail").is_visible()
    page.goto(demo_site.url + "/search/?q=gmail")
    page.goto(demo_site.url + "/no-such-page/")
    page.wait_for_load_state("networkidle")
    assert_no_policy_problems(page)


def test_a_blocked_inline_script_would_be_seen(page, demo_site):
    """The watch works: an inline script is refused by the policy and reported."""
    page.goto(demo_site.url + "/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_function("() => true")
    assert page.evaluate("window.ran") is None
    assert any("script-src" in text for text in policy_problems(page))
    page.console_messages.clear()  # seen on purpose: the fixture's own check must pass


def test_admin_sign_in_and_vendor_page_work_under_the_csp(staff_page, demo_site):
    page = staff_page
    vendor = Vendor.objects.get(slug="smarttrak")
    page.goto(f"{demo_site.url}/admin/articles/vendor/{vendor.pk}/change/")
    expect(page.get_by_role("heading", name="Change vendor")).to_be_visible()
    rows = page.locator("input[name$='-network']:not([name*='__prefix__'])")
    before = rows.count()
    page.get_by_role("button", name="Add another IP range").click()
    expect(rows).to_have_count(before + 1)  # inlines.js ran
    screenshot(page, "admin-vendor-csp")
    page.goto(f"{demo_site.url}/admin/articles/vendor/{vendor.pk}/ranges/paste/")
    page.get_by_label("Ranges").fill("3.93.157.0/24\n300.1.1.1")
    page.get_by_role("button", name="Check").click()
    status = page.locator(".range-check .status").first
    expect(status).to_be_visible()
    assert status.evaluate("el => getComputedStyle(el).fontWeight") == "600"  # admin.css, not inline
    assert_no_policy_problems(page)


def test_article_page_live_markdown_preview_works_under_the_csp(staff_page, demo_site):
    page = staff_page
    article = Article.objects.get(vendor__slug="smarttrak", slug="allowlisting-guide")
    page.goto(f"{demo_site.url}/admin/articles/article/{article.pk}/change/")
    editor = page.locator("textarea.markdownx-editor").first
    editor.fill("Allow **every sender** from {{ vendor }}.")
    preview = page.locator(".markdownx-preview").first
    expect(
        preview.locator("strong", has_text="every sender")
    ).to_be_visible()  # markdownx posted, we rendered
    screenshot(page, "admin-article-preview-csp")
    assert_no_policy_problems(page)


def test_a_step_added_with_add_another_gets_a_preview_under_the_csp(staff_page, demo_site):
    page = staff_page
    step_list = StepList.objects.filter(vendor__isnull=True).first()
    page.goto(f"{demo_site.url}/admin/articles/steplist/{step_list.pk}/change/")
    page.get_by_role("button", name="Add another step").click()
    new_row = page.locator("#steps-group tbody tr.form-row.dynamic-steps").last
    new_row.locator("textarea.markdownx-editor").fill("Open **Junk email** settings.")
    expect(new_row.locator(".markdownx-preview strong", has_text="Junk email")).to_be_visible()
    assert_no_policy_problems(page)


def test_autocomplete_changelists_and_the_search_report_work_under_the_csp(staff_page, demo_site):
    page = staff_page
    page.goto(demo_site.url + "/admin/articles/iprange/add/")
    page.locator(".field-vendor .select2-selection").click()
    page.locator(".select2-search__field").fill("smart")
    expect(page.locator(".select2-results__option").filter(has_text="SmartTRAK")).to_be_visible()
    for path in (
        "/admin/articles/article/",
        "/admin/articles/iprange/",
        "/admin/articles/searchquerylog/report/",
        "/admin/axes/accessattempt/",
    ):
        assert page.goto(demo_site.url + path).status == 200
    page.wait_for_load_state("networkidle")
    assert_no_policy_problems(page)


def test_a_locked_out_sign_in_gets_the_lockout_page_under_the_csp(page, demo_site):
    User.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    for attempt in range(5):
        page.goto(demo_site.url + "/admin/login/")
        page.get_by_label("Username").fill("editor")
        page.get_by_label("Password").fill(f"wrong-{attempt}")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()
    assert "15 minutes" in page.locator("#content-main").inner_text()
    screenshot(page, "admin-lockout")
    assert_no_policy_problems(page)
