"""The outbox half of a write: what announcing costs, pinned, and that it does not grow with the data."""

from __future__ import annotations

import pytest

from articles.facts.models import IPRange
from articles.notify.announce import announce
from articles.notify.models import OutboxMessage, Subscriber, WebhookDelivery, WebhookEndpoint
from articles.tasks.notify import deliver_now
from tests.conftest import make_range, make_vendor, publish

pytestmark = pytest.mark.django_db


def add_ranges(vendor, first: int, count: int) -> None:
    # Written without saying so, so that announce() is measured on its own.
    for n in range(count):
        ip_range = IPRange(vendor=vendor, network=f"45.{first}.{n}.0/24", tier="primary")
        ip_range.full_clean()
        ip_range.save()


@pytest.mark.parametrize(("subscribers", "endpoints", "ranges"), [(1, 1, 1), (5, 3, 20)])
def test_announcing_costs_eleven_queries_whatever_the_numbers(
    django_assert_num_queries, subscribers, endpoints, ranges
):
    vendor = make_vendor("acme", "Acme Mail")
    make_range(vendor, "192.0.2.0/24")
    publish(vendor)
    for n in range(subscribers):
        Subscriber.objects.create(
            email=f"it{n}@customer.example", vendor=vendor if n % 2 else None, status="confirmed"
        )
    for n in range(endpoints):
        WebhookEndpoint.objects.create(url=f"https://hooks{n}.example/", vendor=vendor, secret="s")
    add_ranges(vendor, 1, ranges)
    # The log (3), the announced keys, the new ones inserted, the public vendors, the
    # subscribers, their mails inserted, the endpoints, the ranges in force, the deliveries.
    with django_assert_num_queries(11):
        assert announce([vendor.pk]) == ranges
    assert OutboxMessage.objects.count() == subscribers
    assert WebhookDelivery.objects.count() == endpoints
    with django_assert_num_queries(4):  # nothing new: the log and the announced keys
        assert announce([vendor.pk]) == 0


def test_a_write_that_announces_wakes_the_worker_once_it_commits(django_capture_on_commit_callbacks):
    vendor = make_vendor("acme", "Acme Mail", public=True)
    Subscriber.objects.create(email="it@customer.example", vendor=vendor, status="confirmed")
    with django_capture_on_commit_callbacks() as callbacks:
        make_range(vendor, "192.0.2.0/24")
    assert deliver_now in callbacks
    assert OutboxMessage.objects.count() == 1
