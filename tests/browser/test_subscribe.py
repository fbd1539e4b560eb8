"""The subscribe form in a real browser: accessible on the vendor hub, and it works without JavaScript."""

from __future__ import annotations

import pytest

from articles.notify.models import OutboxMessage, Subscriber
from tests.browser.test_pages import assert_accessible, assert_no_outside_requests

pytestmark = pytest.mark.browser


def test_the_hubs_subscribe_form_is_accessible_and_works_without_javascript(browser, page, demo_site):
    page.goto(demo_site.url + "/smarttrak/")
    assert_accessible(page)
    assert_no_outside_requests(page)

    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(demo_site.url + "/smarttrak/")
    plain.get_by_label("Email address").fill("it@customer.example")
    plain.get_by_label("A daily digest").check()
    plain.get_by_role("button", name="Subscribe").click()
    assert plain.get_by_role("heading", level=1).inner_text() == "Check your mailbox"
    context.close()
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.vendor.slug, subscriber.frequency, subscriber.status) == (
        "it@customer.example",
        "smarttrak",
        "daily",
        "pending",
    )
    assert OutboxMessage.objects.filter(to="it@customer.example").count() == 1


def test_the_answer_to_bad_input_is_accessible(page, demo_site):
    page.goto(demo_site.url + "/smarttrak/")
    page.get_by_label("Email address").fill("it@customer")
    # The browser's own check is not what is tested: the server's answer is.
    page.locator("form.subscribe-form").evaluate("form => form.noValidate = true")
    page.get_by_role("button", name="Subscribe").click()
    assert "That is not an email address" in page.locator(".errorlist").inner_text()
    assert_accessible(page)
    assert not Subscriber.objects.exists()
