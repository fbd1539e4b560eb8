"""Delivery of the outbox (mails) and of webhook deliveries, and the daily digest.

Why huey and not django-tasks with django-tasks-db, which issue 10 asks for:
the outbox table is already the durable, database-backed queue (each row
carries its attempts, next attempt and lease, and is written in the change's
transaction); the worker only needs to be woken when rows are committed and
to sweep for due retries. huey already runs beside the site (``make run``,
``make worker``) with a once-a-minute scheduler and the shared store that
keeps several workers' daily tasks from running twice; django-tasks has no
scheduler, so the sweep and the digest would still need huey or cron, and a
second worker process and queue table to run. The delivery functions
(``notify.outbox``) know nothing of huey: moving to Django 6's tasks is
replacing the three decorators below and the waker.

- ``deliver_now``: enqueued when a transaction that wrote messages commits;
- ``sweep_outbox``: every minute, whatever was not delivered (retries, a lost wake-up);
- ``daily_digest``: at ``DIGEST_HOUR`` in the site's time zone; also deletes
  subscription requests never confirmed.
Several workers may run: each claims rows the others skip (``notify.outbox``).
"""

from __future__ import annotations

import os
import socket

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from articles.notify import announce, outbox
from articles.notify.digest import send_digests
from articles.notify.subscriptions import prune_unconfirmed
from articles.tasks.periodic import daily_task


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def deliver_due() -> tuple[int, int]:
    """Send the due mails and webhook deliveries: how many of each were delivered."""
    return outbox.deliver_mail(worker=worker_name()), outbox.deliver_webhooks(worker=worker_name())


@db_task()
def deliver_now() -> tuple[int, int]:
    return deliver_due()


@db_periodic_task(crontab())
def sweep_outbox() -> tuple[int, int]:
    return deliver_due()


@daily_task(hour=settings.DIGEST_HOUR, minute=0)
def daily_digest() -> int:
    prune_unconfirmed()
    return send_digests()


announce.on_new_work(deliver_now)
