"""Word of a change is written with the change: the outbox half of every write of a vendor's facts.

``services.changes`` calls ``announce()`` at the end of each ``recording()``
block that changed a vendor's facts, inside its transaction. The vendor's
changes (``facts.changelog``) whose key was never announced are announced now:
an outbox message per confirmed immediate subscriber, a webhook delivery per
endpoint, and a ``NotifiedChange`` row per change so it is never announced
twice (daily digests read those rows). A change dated in the future is
announced when it is written, with its date. The worker is woken once the
transaction commits; if it never is, its sweep finds the rows within a minute.

A change of a draft vendor is marked as announced and sent to nobody: readers
cannot see the vendor yet, and when it is published its facts are its first
list, not news. Editing a fact keeps its key, so a changed note or date is not
announced a second time.

Queries: four when nothing is new (the log's three and the announced keys);
when something is, one more each for the new rows, the vendors, the
subscribers, their messages, the endpoints, the current ranges and the
deliveries, whatever the number of changes, subscribers or endpoints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles.content.visibility import public_vendors_only
from articles.facts import changelog
from articles.facts.models import IPRange, Vendor
from articles.notify import mails
from articles.notify.models import (
    Frequency,
    NotifiedChange,
    OutboxMessage,
    Subscriber,
    WebhookDelivery,
    WebhookEndpoint,
)
from articles.notify.payloads import change_set_event, current_sync_tokens

_wakers: list[Callable[[], None]] = []


def on_new_work(waker: Callable[[], None]) -> Callable[[], None]:
    """Register what wakes the worker once new messages are committed (``articles.tasks.notify``)."""
    if waker not in _wakers:
        _wakers.append(waker)
    return waker


def wake_worker() -> None:
    """Wake the worker once the current transaction commits."""
    for waker in _wakers:
        # robust: a queue that is down must not fail the write; the sweep finds the rows within a minute.
        transaction.on_commit(waker, robust=True)


def announce(vendor_ids: Collection[int]) -> int:
    """Announce these vendors' changes not yet announced; how many changes were new."""
    ids = sorted(vendor_ids)
    found = changelog.changes(ids)
    known = set(NotifiedChange.objects.filter(vendor_id__in=ids).values_list("vendor_id", "key"))
    new = [change for change in found if (change.vendor_id, change.key) not in known]
    if not new:
        return 0
    now = timezone.now()
    NotifiedChange.objects.bulk_create(
        [
            NotifiedChange(vendor_id=c.vendor_id, key=c.key, effective_on=c.effective_on, announced_at=now)
            for c in new
        ],
        ignore_conflicts=True,  # a concurrent write announced it first
    )
    vendors = {vendor.pk: vendor for vendor in public_vendors_only(Vendor.objects.filter(pk__in=ids))}
    change_sets = changelog.change_sets(new, vendors)
    if change_sets:
        _write_mails(change_sets, vendors)
        _write_deliveries(change_sets, vendors)
        wake_worker()
    return len(new)


def following(subscribers, vendors: Collection[int]):
    """Subscribers of one of these vendors or of all vendors."""
    return subscribers.filter(Q(vendor__in=list(vendors)) | Q(vendor__isnull=True))


def _write_mails(change_sets: list[changelog.ChangeSet], vendors: dict[int, Vendor]) -> None:
    subscribers = following(
        Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED, frequency=Frequency.IMMEDIATE), vendors
    ).select_related("vendor")
    today = timezone.localdate()
    messages = []
    for subscriber in subscribers:
        theirs = [cs for cs in change_sets if subscriber.vendor_id in (None, cs.vendor.pk)]
        if theirs:
            mail = mails.notification(subscriber, theirs, today=today, digest=False)
            messages.append(
                OutboxMessage(to=mail.to, subject=mail.subject, body=mail.body, headers=mail.headers)
            )
    OutboxMessage.objects.bulk_create(messages)


def _write_deliveries(change_sets: list[changelog.ChangeSet], vendors: dict[int, Vendor]) -> None:
    endpoints = list(following(WebhookEndpoint.objects.all(), vendors))
    if not endpoints:
        return
    tokens = current_sync_tokens(IPRange.objects.active().filter(vendor__in=list(vendors)), vendors)
    deliveries = []
    for change_set in change_sets:
        event = change_set_event(change_set, sync_token=tokens[change_set.vendor.pk])
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        for endpoint in endpoints:
            if endpoint.vendor_id in (None, change_set.vendor.pk):
                deliveries.append(WebhookDelivery(endpoint=endpoint, event_id=event["id"], body=body))
    WebhookDelivery.objects.bulk_create(deliveries)
