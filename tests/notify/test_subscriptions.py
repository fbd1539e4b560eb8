"""Subscribing: double opt-in, one answer for every address, and each kind of bad input refused, changing nothing."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.core import signing
from django.utils import timezone

from articles.notify import mails, subscriptions
from articles.notify.models import OutboxMessage, Subscriber
from tests.conftest import make_article, make_vendor

pytestmark = pytest.mark.django_db


def ask(client, email="it@customer.example", vendor="acme", frequency="immediate"):
    return client.post("/subscribe/", {"email": email, "vendor": vendor, "frequency": frequency})


def confirmation_path(message: OutboxMessage) -> str:
    return re.search(r"https://help\.example(/subscribe/confirm/\S+/)", message.body).group(1)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://help.example"


def test_asking_writes_a_pending_subscriber_and_one_confirmation_mail_only(client, vendor):
    response = ask(client)
    assert response.status_code == 200
    assert b"Check your mailbox" in response.content
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.vendor, subscriber.status) == (
        "it@customer.example",
        vendor,
        "pending",
    )
    message = OutboxMessage.objects.get()
    assert message.to == "it@customer.example"
    assert message.subject == "Confirm your subscription to Acme Mail changes"
    assert confirmation_path(message)


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(client, vendor):
    first = ask(client)
    again = ask(client)
    stranger = ask(client, email="nobody@else.example")
    assert first.status_code == again.status_code == stranger.status_code == 200
    assert first.content == again.content == stranger.content


def test_no_second_mail_to_one_address_within_a_day_whatever_vendor_is_asked(client, vendor):
    make_vendor("other", "Other", public=True)
    ask(client)
    ask(client)
    ask(client, vendor="other")
    ask(client, vendor="")
    assert OutboxMessage.objects.count() == 1
    assert Subscriber.objects.count() == 1


def test_confirming_needs_a_post_and_then_the_subscriber_is_confirmed(client, vendor):
    ask(client)
    path = confirmation_path(OutboxMessage.objects.get())
    page = client.get(path)
    assert page.status_code == 200 and b"<button" in page.content
    assert Subscriber.objects.get().status == "pending"
    done = client.post(path)
    assert done.status_code == 200 and b"Subscription confirmed" in done.content
    assert Subscriber.objects.get().status == "confirmed"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-address"}, "That is not an email address"),
        ({"email": "a" * 245 + "@example.com"}, "an email address has at most 254"),
        ({"email": ""}, "Enter your email address"),
        ({"vendor": "no-such-vendor"}, "There is no vendor with that name"),
        ({"vendor": "draft"}, "There is no vendor with that name"),
        ({"frequency": "hourly"}, "Choose immediate mails or a daily digest"),
    ],
)
def test_bad_input_is_refused_with_what_is_wrong_and_changes_nothing(client, vendor, fields, message):
    make_vendor("draft", "Draft Vendor")
    response = ask(client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Subscriber.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_what_a_reader_typed_is_shown_again_escaped(client, vendor):
    response = ask(client, email='"><script>alert(1)</script>')
    assert response.status_code == 400
    assert b"<script>alert(1)" not in response.content
    assert b"&lt;script&gt;alert(1)" in response.content


def test_a_tampered_confirmation_link_is_refused_and_changes_nothing(client, vendor):
    ask(client)
    path = confirmation_path(OutboxMessage.objects.get())
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    for method in (client.get, client.post):
        response = method(tampered)
        assert response.status_code == 400
        assert "This confirmation link is not valid" in response.content.decode()
    assert Subscriber.objects.get().status == "pending"


def test_an_expired_confirmation_link_is_refused_and_changes_nothing(client, vendor, settings, monkeypatch):
    ask(client)
    path = confirmation_path(OutboxMessage.objects.get())
    later = time.time() + (settings.SUBSCRIBE_CONFIRM_HOURS + 1) * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)  # time moved, not slept
    response = client.post(path)
    assert response.status_code == 400
    assert "This confirmation link has expired" in response.content.decode()
    assert Subscriber.objects.get().status == "pending"


def test_unsubscribing_deletes_the_address_and_a_second_use_is_told_so(client, vendor):
    subscriber = Subscriber.objects.create(email="it@customer.example", vendor=vendor, status="confirmed")
    path = mails.unsubscribe_url(subscriber).removeprefix("https://help.example")
    assert client.get(path).status_code == 200
    assert Subscriber.objects.exists()
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscriber.objects.filter(email="it@customer.example").exists()
    again = client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert again.status_code == 410
    assert "already unsubscribed" in again.content.decode()


def test_a_tampered_unsubscribe_link_is_refused_and_deletes_nothing(client, vendor):
    subscriber = Subscriber.objects.create(email="it@customer.example", vendor=vendor, status="confirmed")
    other = Subscriber.objects.create(email="other@customer.example", vendor=vendor, status="confirmed")
    token = mails.unsubscribe_token(subscriber)
    forged = signing.Signer(salt="wrong").sign_object({"s": other.pk, "e": other.email})
    for bad in (token[:-2] + "xx", forged):
        assert client.post(f"/unsubscribe/{bad}/").status_code == 400
    assert Subscriber.objects.count() == 2


def test_subscribing_is_rate_limited_per_client(client, vendor, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "subscribe": "2/m"}
    assert ask(client, email="a@customer.example").status_code == 200
    assert ask(client, email="b@customer.example").status_code == 200
    refused = ask(client, email="c@customer.example")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert not Subscriber.objects.filter(email="c@customer.example").exists()


def test_requests_never_confirmed_are_deleted_once_their_link_expired(vendor, settings):
    subscriptions.subscribe(email="late@customer.example", vendor_slug="acme")
    assert subscriptions.prune_unconfirmed() == 0
    later = timezone.now() + dt.timedelta(hours=settings.SUBSCRIBE_CONFIRM_HOURS + 1)
    assert subscriptions.prune_unconfirmed(later) == 1
    assert not Subscriber.objects.exists()


def test_the_vendor_hub_carries_the_subscribe_form(client, vendor):
    page = client.get("/acme/").content.decode()
    assert 'action="/subscribe/"' in page
    assert 'name="vendor" value="acme"' in page
    assert "csrfmiddlewaretoken" not in page


def test_the_guides_it_section_and_the_for_it_page_carry_the_subscribe_form(client, vendor):
    make_article(vendor, "allowlisting-guide", show_it_section=True)
    for path in ("/acme/allowlisting-guide/", "/acme/for-it/"):
        page = client.get(path).content.decode()
        assert '<h3 id="subscribe-acme">' in page, path
        assert 'name="vendor" value="acme"' in page
