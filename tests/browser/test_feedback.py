"""'Was this helpful?' on the real guide page, with JavaScript (answered in place) and without (answered by a page)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.content.feedback import Feedback
from tests.browser.conftest import REPORT_CSP_VIOLATIONS, SCREENSHOTS, policy_problems, screenshot

pytestmark = pytest.mark.browser

GUIDE = "/smarttrak/allowlisting-guide/"


def assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_with_javascript_a_no_opens_the_comment_box_in_place(page, demo_site):
    page.goto(demo_site.url + GUIDE + "#gmail")
    form = page.locator("#gmail form.feedback")
    expect(form.get_by_role("group", name="Did these steps help?")).to_be_visible()
    assert_accessible(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("#gmail").screenshot(path=str(SCREENSHOTS / "feedback-gmail-section.png"))
    form.get_by_role("button", name="No").click()
    box = page.locator("#gmail").get_by_label("What was missing or wrong? (optional)")
    expect(box).to_be_focused()
    assert page.url == demo_site.url + GUIDE + "#gmail"  # no page was loaded
    vote = Feedback.objects.get()
    assert (vote.section, vote.helpful, vote.article.slug) == ("gmail", False, "allowlisting-guide")
    assert_accessible(page)
    screenshot(page, "feedback-comment-box")
    box.fill("The Filters tab is called Blocked addresses now. Write to me at jo@home.example")
    page.locator("#gmail").get_by_role("button", name="Send").click()
    expect(page.locator("#gmail").get_by_text("Thank you: your comment was sent.")).to_be_visible()
    assert page.url == demo_site.url + GUIDE + "#gmail"
    vote.refresh_from_db()
    assert vote.comment == "The Filters tab is called Blocked addresses now. Write to me at *@home.example"
    assert_accessible(page)
    assert page.outside_requests == []


def test_with_javascript_a_yes_on_the_article_is_thanked_in_place(page, demo_site):
    page.goto(demo_site.url + GUIDE)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("nav.related").screenshot(path=str(SCREENSHOTS / "feedback-related.png"))
    form = page.locator("form.feedback").last
    form.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("Thank you for your answer.")).to_be_visible()
    assert Feedback.objects.get().section == ""


@pytest.fixture
def page_without_javascript(browser, demo_site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(f"{message.type}: {message.text}"))
    yield page
    context.close()
    assert policy_problems(page) == []


def test_without_javascript_the_vote_and_comment_are_answered_by_pages(page_without_javascript, demo_site):
    page = page_without_javascript
    page.goto(demo_site.url + GUIDE)
    page.locator("#outlook form.feedback").get_by_role("button", name="No").click()
    page.wait_for_url("**/feedback/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
    page.get_by_label("What was missing or wrong? (optional)").fill("x" * 500)
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/feedback/comment/")
    expect(page.get_by_text("Thank you: your comment was sent.")).to_be_visible()
    page.get_by_role("link", name="Back to the article").click()
    page.wait_for_url("**" + GUIDE + "#outlook")
    vote = Feedback.objects.get()
    assert (vote.section, vote.helpful, vote.comment) == ("outlook", False, "x" * 500)


def test_the_answer_pages_of_the_no_javascript_path_are_accessible(page, demo_site):
    # axe needs JavaScript to run, so here only feedback.js is kept out: the forms post as they do without it.
    page.route("**/js/feedback*.js", lambda route: route.abort())
    page.goto(demo_site.url + GUIDE + "#gmail")
    page.locator("#gmail form.feedback").get_by_role("button", name="No").click()
    page.wait_for_url("**/feedback/")
    assert_accessible(page)
    screenshot(page, "feedback-no-js-comment-page")
    page.get_by_label("What was missing or wrong? (optional)").fill("x" * 501)  # maxlength keeps it to 500
    assert len(page.get_by_label("What was missing or wrong? (optional)").input_value()) == 500
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/feedback/comment/")
    assert_accessible(page)
    assert page.outside_requests == []
