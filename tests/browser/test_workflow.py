"""An editor prepares, a publisher publishes: pending changes and proposed facts in a real browser, axe on each page."""

from __future__ import annotations

import importlib

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from articles.content.models import Article
from articles.facts.models import Vendor
from tests.browser.conftest import REPORT_CSP_VIOLATIONS, policy_problems, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def roles() -> None:
    """The groups the migrations create: a live-server test's database is flushed after each test."""
    migration = importlib.import_module("articles.migrations.0009_editor_and_publisher_groups")
    migration.create_roles(apps, None)


def member(browser, base_url: str, username: str, group: str):
    if not Group.objects.filter(name=group).exists():
        roles()
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(f"{message.type}: {message.text}"))
    page.goto(base_url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return page


def axe_clean(page, context=None) -> None:
    # No preload: axe would copy the admin's stylesheets inline, which the site's CSP refuses.
    results = Axe().run(page, context=context, options={"preload": False})
    assert results.violations_count == 0, results.generate_report()


def test_an_editors_change_waits_and_the_publisher_publishes_it(browser, demo_site):
    article = Article.objects.get(vendor__slug="smarttrak", slug="allowlisting-guide")
    change = f"{demo_site.url}/admin/articles/article/{article.pk}/change/"
    eddie = member(browser, demo_site.url, "eddie", "Editor")
    pat = member(browser, demo_site.url, "pat", "Publisher")

    eddie.goto(change)
    eddie.get_by_label("Summary").fill("Three steps and your SmartTRAK mail lands in your inbox.")
    eddie.get_by_role("button", name="Save", exact=True).click()
    expect(eddie.locator(".messagelist")).to_contain_text("Saved as a pending change")
    eddie.goto(f"{demo_site.url}/smarttrak/allowlisting-guide/")
    expect(eddie.locator("body")).not_to_contain_text("Three steps and your SmartTRAK mail")

    pat.goto(change)
    expect(pat.locator("body")).to_contain_text("Published, with unpublished changes")
    axe_clean(pat)
    pat.get_by_role("link", name="View the pending change").click()
    expect(pat.locator("body")).to_contain_text("Three steps and your SmartTRAK mail lands in your inbox.")
    screenshot(pat, "admin-pending-change")
    axe_clean(pat)
    pat.get_by_role("button", name="Publish the pending change now").click()
    pat.goto(f"{demo_site.url}/smarttrak/allowlisting-guide/")
    expect(pat.locator("body")).to_contain_text("Three steps and your SmartTRAK mail lands in your inbox.")
    assert policy_problems(eddie) == [] and policy_problems(pat) == []


def test_an_editors_fact_proposal_is_shown_to_the_publisher(browser, demo_site):
    vendor = Vendor.objects.get(slug="smarttrak")
    change = f"{demo_site.url}/admin/articles/vendor/{vendor.pk}/change/"
    eddie = member(browser, demo_site.url, "eddie", "Editor")
    pat = member(browser, demo_site.url, "pat", "Publisher")

    eddie.goto(change)
    eddie.get_by_label("Short description").fill("Analysis software for sports teams.")
    eddie.get_by_role("button", name="Save", exact=True).click()
    expect(eddie.locator(".messagelist")).to_contain_text("Saved as a proposed change")

    pat.goto(change)
    notice = pat.locator("section.proposal-notice")
    expect(notice).to_contain_text("Proposed changes waiting")
    expect(pat.locator("body")).to_contain_text("Analysis software for sports teams.")
    screenshot(pat, "admin-fact-proposal")
    # The notice this work adds. The vendor form under it is Django's tabular inlines, whose
    # cells axe finds unlabelled on every vendor page, proposal or not.
    axe_clean(pat, "section.proposal-notice")
    assert policy_problems(eddie) == [] and policy_problems(pat) == []
