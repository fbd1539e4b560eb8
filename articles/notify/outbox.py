"""The worker's side of the outbox: claim what is due, send it, and retry what failed, with backoff.

Claiming. On PostgreSQL a message is claimed by locking its row
(``select_for_update(skip_locked=True)``) in a transaction that also sends it
and marks it sent: two workers never take one row, and a worker killed
mid-send takes its transaction with it, so the row is unlocked, still unsent,
and the next worker sends it. On SQLite (a first look, one worker) the claim
is a conditional UPDATE that sets a lease (``lease_until``); a worker killed
mid-send leaves the lease to run out, then the row is sent again.

At-least-once, honestly. SMTP has no two-phase commit: a mail server can
accept a message (250 after DATA) in the instant before the worker's COMMIT,
and if the worker dies in that instant the message is sent again. Everywhere
else a crash loses nothing and sends nothing twice. Each message keeps one
``Message-ID`` (from its row) across attempts, so a duplicate is recognisable
as one. We prefer a rare duplicate to a lost notice that a range changes.

Retries. A connection failure, timeout or 4xx answer is retried after 1, 2,
4 … minutes, at most 30 minutes apart, so a mail server down for an hour gets
everything within half an hour of its return; the batch stops at the first
connection failure rather than trying every row against a dead server. A 5xx
answer for the recipient or the message is final (``failed_at``). Webhook deliveries follow the
same rules (``webhooks`` for the POST); an endpoint is paused after
``WEBHOOK_PAUSE_AFTER`` failed attempts in a row.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from articles.notify import webhooks
from articles.notify.models import OutboxMessage, WebhookDelivery, WebhookEndpoint

LEASE = dt.timedelta(minutes=5)
MAX_DELAY = dt.timedelta(minutes=30)
MAIL_MAX_ATTEMPTS = 200  # about four days of retries 30 minutes apart
WEBHOOK_MAX_ATTEMPTS = 12


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: 1, 2, 4 … minutes, at most 30."""
    return min(dt.timedelta(minutes=2 ** max(0, attempts - 1)), MAX_DELAY)


def _claim(queryset, worker: str, now: dt.datetime):
    """The next due row, claimed; None when nothing is due (see the module's docstring)."""
    queryset = queryset.filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now)).order_by(
        "next_attempt_at", "pk"
    )
    if db_connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",)).first()
    for pk in queryset.values_list("pk", flat=True)[:5]:
        if queryset.filter(pk=pk).update(claimed_by=worker, lease_until=now + LEASE):
            return queryset.model.objects.get(pk=pk)
    return None


@contextmanager
def _claiming() -> Iterator[None]:
    # PostgreSQL: claim, send and mark in one transaction. SQLite: the claim commits at once
    # (the lease), and the send must not hold the database's one write lock.
    if db_connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            yield
    else:
        yield


def deliver_mail(*, worker: str, limit: int = 200) -> int:
    """Send the due outbox messages, up to ``limit``; how many were sent."""
    smtp = get_connection(fail_silently=False)
    sent = 0
    try:
        for _ in range(limit):
            with _claiming():
                now = timezone.now()
                message = _claim(OutboxMessage.objects.due(now), worker, now)
                result = None if message is None else _send_mail(smtp, message, worker)
            if result is None or result == "down":
                break
            sent += result == "sent"
    finally:
        smtp.close()
    return sent


def _send_mail(smtp, message: OutboxMessage, worker: str) -> str:
    """Try one message and record the outcome on its row: "sent", "failed", "retry" or "down"."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">") or "localhost"
    email = EmailMessage(
        message.subject,
        message.body,
        settings.DEFAULT_FROM_EMAIL,
        [message.to],
        headers={**message.headers, "Message-ID": f"<outbox-{message.pk}@{domain}>"},
    )
    message.attempts += 1
    message.claimed_by = worker
    message.lease_until = None
    result = "sent"
    try:
        if smtp.connection is None:
            smtp.open()  # one connection for the batch: send_messages() alone opens one per call
        smtp.send_messages([email])
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
        codes = (
            [code for code, _ in error.recipients.values()]
            if hasattr(error, "recipients")
            else [error.smtp_code]
        )
        result = "failed" if all(code >= 500 for code in codes) else "retry"
        message.last_error = str(error)[:500]
    except (smtplib.SMTPException, OSError) as error:
        # Includes our sender refused: the site's configuration, not this message, is at fault.
        result = "down"
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        smtp.close()
    now = timezone.now()
    if result == "sent":
        message.sent_at = now
        message.last_error = ""
    elif result == "failed" or message.attempts >= MAIL_MAX_ATTEMPTS:
        message.failed_at = now
    else:
        message.next_attempt_at = now + backoff(message.attempts)
    message.save(
        update_fields=[
            "attempts",
            "claimed_by",
            "lease_until",
            "sent_at",
            "failed_at",
            "last_error",
            "next_attempt_at",
        ]
    )
    return result


def deliver_webhooks(*, worker: str, limit: int = 200) -> int:
    """POST the due webhook deliveries, up to ``limit``; how many were delivered."""
    delivered = 0
    for _ in range(limit):
        with _claiming():
            now = timezone.now()
            delivery = _claim(WebhookDelivery.objects.due(now).select_related("endpoint"), worker, now)
            result = None if delivery is None else _post(delivery, worker)
        if result is None:
            break
        delivered += result
    return delivered


def _post(delivery: WebhookDelivery, worker: str) -> bool:
    endpoint = delivery.endpoint
    delivery.attempts += 1
    delivery.claimed_by = worker
    delivery.lease_until = None
    try:
        outcome = webhooks.post(
            endpoint.url, delivery.body, secret=endpoint.secret, event_id=delivery.event_id
        )
    except webhooks.Refused as error:
        outcome, final = webhooks.Outcome(None, str(error)[:500]), True
    else:
        final = delivery.attempts >= WEBHOOK_MAX_ATTEMPTS
    now = timezone.now()
    delivery.response_code = outcome.status
    delivery.last_error = outcome.error
    if outcome.delivered:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_count=0)
    else:
        if final:
            delivery.status = WebhookDelivery.Status.FAILED
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_count=F("failure_count") + 1)
        WebhookEndpoint.objects.filter(
            pk=endpoint.pk, failure_count__gte=settings.WEBHOOK_PAUSE_AFTER
        ).update(paused=True)
    delivery.save(
        update_fields=[
            "attempts",
            "claimed_by",
            "lease_until",
            "status",
            "delivered_at",
            "response_code",
            "last_error",
            "next_attempt_at",
        ]
    )
    return outcome.delivered
