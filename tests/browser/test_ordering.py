"""Writing comfort in a real browser: ordering client sections, and the preview's vendor.

Sections are reordered with the keyboard's "Move" buttons and by dragging
their handle; the saved order follows what the page showed. The live
preview follows the form's vendor menu. axe checks the article change page
with the controls in place.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import expect

from articles.content.models import Article, ArticleClient, StepList
from articles.facts.models import Vendor
from tests.browser.conftest import SCREENSHOTS, policy_problems, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
ROWS = "#client_sections-group tbody tr.form-row.has_original"


@pytest.fixture
def staff_page(page, demo_site):
    User.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    page.goto(demo_site.url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return page


@pytest.fixture
def guide() -> Article:
    return Article.objects.get(vendor__slug="smarttrak", slug="allowlisting-guide")


def saved_order(article: Article) -> list[str]:
    return list(
        ArticleClient.objects.filter(article=article)
        .order_by("position", "pk")
        .values_list("mail_client__slug", flat=True)
    )


def shown_order(page) -> list[str]:
    return page.locator(f"{ROWS} td.field-mail_client select").evaluate_all(
        "menus => menus.map(m => m.options[m.selectedIndex].text)"
    )


def open_guide(page, demo_site, article: Article) -> None:
    page.goto(f"{demo_site.url}/admin/articles/article/{article.pk}/change/")
    expect(page.locator(f"{ROWS} .order-controls").first).to_be_visible()


def save(page) -> None:
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()


def test_the_keyboard_buttons_reorder_sections_and_the_save_keeps_the_order(staff_page, demo_site, guide):
    page = staff_page
    before = saved_order(guide)
    open_guide(page, demo_site, guide)
    first_down = page.locator(ROWS).first.get_by_role("button", name="Move down")
    first_down.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#client_sections-group .order-status")).to_have_text(
        f"Moved down: now 2 of {len(before)}."
    )
    assert page.evaluate("document.activeElement.getAttribute('data-move')") == "down"  # focus kept
    positions = page.locator(f"{ROWS} td.field-position input").evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )
    assert positions == [str(10 * (n + 1)) for n in range(len(before))]
    save(page)
    assert saved_order(guide) == [before[1], before[0], *before[2:]]


def test_dragging_a_section_reorders_it_and_the_save_keeps_the_order(staff_page, demo_site, guide):
    page = staff_page
    before = saved_order(guide)
    open_guide(page, demo_site, guide)
    rows = page.locator(ROWS)
    # The third section dropped on the top half of the first goes first.
    rows.nth(2).locator(".order-handle").drag_to(rows.first, target_position={"x": 20, "y": 3})
    expect(page.locator("#client_sections-group .order-status")).to_have_text(
        f"Moved: now 1 of {len(before)}."
    )
    screenshot(page, "admin-article-sections-dragged")
    save(page)
    assert saved_order(guide) == [before[2], before[0], before[1], *before[3:]]


def test_the_preview_uses_the_facts_of_the_vendor_chosen_in_the_form(staff_page, demo_site, guide):
    page = staff_page
    smarttrak = Vendor.objects.get(slug="smarttrak")
    other = Vendor.objects.exclude(pk=smarttrak.pk).filter(sender_addresses__isnull=False).first()
    open_guide(page, demo_site, guide)
    body = page.locator("textarea[name='body']")
    body.fill("Add {{ primary_address }}. {{ nonsense }}")
    preview = page.locator(".field-body .markdownx-preview")
    expect(preview).to_contain_text(smarttrak.sender_addresses.first().address)
    expect(preview.get_by_role("status")).to_contain_text("Unknown placeholder {{ nonsense }}")
    preview.screenshot(path=str(SCREENSHOTS / "admin-preview-notices.png"))
    page.get_by_label("Vendor").select_option(str(other.pk))
    expect(preview).to_contain_text(other.sender_addresses.first().address)
    expect(preview).to_contain_text(f"With the facts of {other.name}")


def test_the_preview_of_generic_steps_says_example_facts_stand_in(staff_page, demo_site):
    page = staff_page
    step_list = StepList.objects.filter(vendor__isnull=True).first()
    page.goto(f"{demo_site.url}/admin/articles/steplist/{step_list.pk}/change/")
    first_step = page.locator("#steps-group tr.has_original").first
    first_step.locator("textarea.markdownx-editor").fill("Add {{ primary_address }}.")
    preview = first_step.locator(".markdownx-preview")
    expect(preview).to_contain_text("alerts@example.com")
    expect(preview).to_contain_text("No vendor chosen: example facts stand in")


def test_the_article_change_page_with_its_ordering_controls_passes_axe(staff_page, demo_site, guide):
    page = staff_page
    open_guide(page, demo_site, guide)
    page.wait_for_load_state("networkidle")
    assert policy_problems(page) == []
    # The publication and withdrawal times' boxes included: each is named after its field.
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    # axe's own probes set inline styles, which the policy refuses as it should.
    page.console_messages.clear()


def test_steps_reorder_with_the_buttons_and_a_step_added_later_gets_them_too(staff_page, demo_site):
    page = staff_page
    step_list = StepList.objects.filter(vendor__isnull=True).first()
    texts = list(step_list.steps.order_by("position", "pk").values_list("text", flat=True))
    page.goto(f"{demo_site.url}/admin/articles/steplist/{step_list.pk}/change/")
    rows = page.locator("#steps-group tbody tr.form-row.has_original")
    rows.nth(1).get_by_role("button", name="Move up").click()
    page.get_by_role("button", name="Add another step").click()
    added = page.locator("#steps-group tbody tr.form-row.dynamic-steps").last
    expect(added.get_by_role("button", name="Move up")).to_be_visible()
    save(page)
    saved = list(step_list.steps.order_by("position", "pk").values_list("text", flat=True))
    assert saved == [texts[1], texts[0], *texts[2:]]
