"""The revision history in Chromium: compare two revisions of an article, read the diff, and pass axe."""

from __future__ import annotations

import importlib

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Permission, User
from playwright.sync_api import expect

from articles.content.models import Article
from articles.facts.models import Vendor
from tests.browser.conftest import screenshot
from tests.revisions.edits import edit

ROLES = importlib.import_module("articles.migrations.0009_editor_and_publisher_groups").ROLES

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def publisher_page(page, demo_site):
    """Signed in with the Publisher group's permissions: no superuser needed.

    The live server's database is emptied between tests, groups with it, so the
    permissions are given to the user as the data migration gives them to the group.
    """
    user = User.objects.create_user("publisher", "publisher@example.com", PASSWORD, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename__in=ROLES["Publisher"])
    )
    page.goto(demo_site.url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("publisher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return page


def test_compare_two_revisions_of_an_article_and_read_the_diff(publisher_page, demo_site):
    page = publisher_page
    article = Article.objects.get(vendor__slug="smarttrak", slug="allowlisting-guide")
    original_title = article.title
    edit(article, title="SmartTRAK: allow our email", body=article.body + "\n\nA line added in the test.")

    page.goto(f"{demo_site.url}/admin/articles/article/{article.pk}/history/")
    rows = page.locator("#revisions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("(no user")
    expect(rows.last).to_contain_text("Imported from")
    screenshot(page, "admin-history")
    assert_accessible(page)

    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/history/compare/**")
    title = page.get_by_role("row", name="Title")
    expect(title.locator("del")).to_have_text(original_title)
    expect(title.locator("ins")).to_have_text("SmartTRAK: allow our email")
    body = page.get_by_role("table", name="Body, line by line")
    expect(body.get_by_role("row", name="Added A line added in the test.")).to_be_visible()
    screenshot(page, "admin-history-compare")
    assert_accessible(page)


def test_the_revert_preview_of_a_vendor_says_what_leaves_the_lists(publisher_page, demo_site):
    page = publisher_page
    vendor = Vendor.objects.get(slug="smarttrak")
    edit(vendor, description="Edited in the test")
    page.goto(f"{demo_site.url}/admin/articles/vendor/{vendor.pk}/history/")
    page.get_by_role("link", name="Revert to this revision").last.click()
    expect(page.get_by_role("row", name="Short description")).to_contain_text("Edited in the test")
    assert_accessible(page)
    page.get_by_role("button", name="Revert to this revision").click()
    page.wait_for_url("**/history/")
    expect(page.locator(".messagelist")).to_contain_text("Reverted to the revision of")
    vendor.refresh_from_db()
    assert vendor.description != "Edited in the test"
