"""Two people, two browsers, one article: the second save is refused, shown and merged (admin/locking.py)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import expect

from articles.content.models import Article
from tests.browser.conftest import REPORT_CSP_VIOLATIONS, policy_problems, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def signed_in(page, base_url: str, username: str):
    User.objects.create_superuser(username, f"{username}@example.com", PASSWORD)
    page.goto(base_url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return page


@pytest.fixture
def second_page(browser):
    """Another person's browser: a context of its own, with its own session."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(f"{message.type}: {message.text}"))
    yield page
    context.close()
    assert policy_problems(page) == []


def test_two_people_editing_one_article_see_the_conflict_and_save_the_merge(page, second_page, demo_site):
    article = Article.objects.get(vendor__slug="smarttrak", slug="allowlisting-guide")
    url = f"{demo_site.url}/admin/articles/article/{article.pk}/change/"
    ann = signed_in(page, demo_site.url, "ann")
    bob = signed_in(second_page, demo_site.url, "bob")
    ann.goto(url)
    bob.goto(url)

    bob.locator("textarea[name=body]").fill("Bob's body: allow every SmartTRAK sender.")
    bob.get_by_role("button", name="Save", exact=True).click()
    expect(bob.locator(".messagelist")).to_contain_text("was changed successfully")

    ann.get_by_label("Title").fill("Allowlisting SmartTRAK, by Ann")
    ann.locator("textarea[name=body]").fill("Ann's body: allow the sender addresses first.")
    ann.get_by_role("button", name="Save", exact=True).click()

    report = ann.locator("section.edit-conflict")
    expect(report).to_contain_text("Nothing was saved")
    expect(report).to_contain_text("bob saved it at")
    conflicts = ann.locator("table.edit-conflict-table").first
    expect(conflicts).to_contain_text("Ann's body: allow the sender addresses first.")
    expect(conflicts).to_contain_text("Bob's body: allow every SmartTRAK sender.")
    expect(ann.get_by_label("Title")).to_have_value("Allowlisting SmartTRAK, by Ann")
    screenshot(ann, "admin-edit-conflict")
    # The whole page: the report and the merged form under it (its section rows and
    # date boxes are labelled). No preload: axe would copy the admin's stylesheets
    # inline, which the site's CSP refuses.
    results = Axe().run(ann, options={"preload": False})
    assert results.violations_count == 0, results.generate_report()

    ann.get_by_role("button", name="Save", exact=True).click()
    expect(ann.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.title == "Allowlisting SmartTRAK, by Ann"
    assert article.body == "Ann's body: allow the sender addresses first."
