"""The admin of notifications: subscribers, webhook endpoints with their delivery log, the outbox."""

from __future__ import annotations

import pytest

from articles.notify.models import OutboxMessage, Subscriber, WebhookDelivery, WebhookEndpoint
from tests.conftest import make_vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(db):
    vendor = make_vendor("acme", "Acme Mail", public=True)
    Subscriber.objects.create(email="it@customer.example", vendor=vendor, status="confirmed")
    Subscriber.objects.create(email="all@customer.example", vendor=None)
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.customer.example/", vendor=vendor, secret="s"
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="acme/2027-01-15/abc", body="{}", response_code=500
    )
    OutboxMessage.objects.create(to="it@customer.example", subject="Acme Mail allowlist changes", body="…")
    return vendor, endpoint


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/admin/articles/subscriber/", ["it@customer.example", "Acme Mail", "all@customer.example"]),
        ("/admin/articles/webhookendpoint/", ["https://hooks.customer.example/"]),
        ("/admin/articles/webhookdelivery/", ["acme/2027-01-15/abc"]),
        ("/admin/articles/outboxmessage/", ["Acme Mail allowlist changes"]),
    ],
)
def test_each_list_shows_its_rows(admin_client, logged, path, shown):
    page = admin_client.get(path).content.decode()
    for text in shown:
        assert text in page


def test_subscribers_and_logs_cannot_be_added_by_hand(admin_client, logged):
    for model in ("subscriber", "webhookdelivery", "outboxmessage"):
        assert admin_client.get(f"/admin/articles/{model}/add/").status_code == 403


def test_an_endpoints_page_shows_its_delivery_log_and_a_new_one_gets_a_fresh_secret(admin_client, logged):
    _, endpoint = logged
    page = admin_client.get(f"/admin/articles/webhookendpoint/{endpoint.pk}/change/").content.decode()
    assert "acme/2027-01-15/abc" in page and "500" in page
    first = (
        admin_client.get("/admin/articles/webhookendpoint/add/").context["adminform"].form.initial["secret"]
    )
    second = (
        admin_client.get("/admin/articles/webhookendpoint/add/").context["adminform"].form.initial["secret"]
    )
    assert len(first) == 64 and first != second


def test_an_endpoint_must_be_https_and_nothing_is_saved_otherwise(admin_client, logged):
    response = admin_client.post(
        "/admin/articles/webhookendpoint/add/",
        {
            "url": "http://hooks.customer.example/",
            "vendor": "",
            "secret": "s" * 20,
            "description": "",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "must start with https://" in response.content.decode()
    assert WebhookEndpoint.objects.count() == 1


def test_resuming_a_paused_endpoint_counts_failures_afresh(admin_client, logged):
    vendor, endpoint = logged
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(paused=True, failure_count=10)
    response = admin_client.post(
        f"/admin/articles/webhookendpoint/{endpoint.pk}/change/",
        {
            "url": endpoint.url,
            "vendor": vendor.pk,
            "secret": "s",
            "description": "",
            "paused": "",
            "deliveries-TOTAL_FORMS": "1",
            "deliveries-INITIAL_FORMS": "1",
            "deliveries-0-id": endpoint.deliveries.get().pk,
            "deliveries-0-endpoint": endpoint.pk,
        },
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.paused, endpoint.failure_count) == (False, 0)
