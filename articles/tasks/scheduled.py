"""Pending changes published at their time, by the worker, with no request or command.

Of the time-based changes only this one needs a worker: an article's own
publication and withdrawal times are read against the clock by every query
(``ArticleQuerySet.public()``, the search documents' ``public_from`` and
``public_until``), so they take effect at their moment by themselves. A
pending change due at ``publish_at`` must be saved into the article.

Two ways in, both idempotent: a task scheduled at exactly ``publish_at`` when
a publisher sets the time (admin/pending.py enqueues it on commit), and a
sweep every minute that publishes whatever is due, for a task lost with a
worker's queue or a time set while no worker ran. Publishing a change deletes
it in the same transaction, and only the one whose DELETE removed the row
goes on to save, so two workers, or the task and the sweep, never publish it
twice.

The change is replayed through the admin's own change form (the fields the
editor had), in the name of the publisher who set the time. The tasks sit
below the admin in the layers, so they ask Django's admin site for the
article's admin rather than import it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from articles.content.models import Article
from articles.revisions.models import PendingChange
from articles.revisions.pending import CannotPublish

logger = logging.getLogger(__name__)


def publish_due(pending_id: int, *, now: dt.datetime | None = None) -> bool:
    """Publish this pending change if it is due at ``now``; whether this call published it.

    A change that cannot be published (the live article was saved since, the
    publisher lost the right) keeps waiting, without its time, and says why
    on the article's page.
    """
    now = now or timezone.now()
    pending = PendingChange.objects.due(now).select_related("scheduled_by").filter(pk=pending_id).first()
    if pending is None:
        return False  # published, discarded, re-saved without a time, or set for later
    request = HttpRequest()
    request.method = "POST"
    request.user = pending.scheduled_by
    try:
        admin.site.get_model_admin(Article).publish_pending(request, pending)
    except CannotPublish as refusal:
        # Only if it is the change that was scheduled: one saved again since has no time.
        PendingChange.objects.filter(pk=pending.pk, updated_at=pending.updated_at).update(
            publish_at=None, problem=f"Not published at its time: {refusal}"[:300]
        )
        logger.warning(
            "Pending change %s of article %s not published: %s", pending.pk, pending.article_id, refusal
        )
        return False
    logger.info("Published pending change %s of article %s.", pending.pk, pending.article_id)
    return True


def publish_all_due(*, now: dt.datetime | None = None) -> int:
    """Publish every pending change due at ``now``; how many this call published."""
    now = now or timezone.now()
    due = list(PendingChange.objects.due(now).order_by("publish_at", "pk").values_list("pk", flat=True))
    return sum(publish_due(pk, now=now) for pk in due)


@db_task()
def publish_pending_at(pending_id: int) -> bool:
    """Scheduled at the change's ``publish_at`` (``.schedule(args=(pk,), eta=...)``)."""
    return publish_due(pending_id)


@db_periodic_task(crontab())
def publish_due_pending_changes() -> int:
    """Every minute: whatever is due and was not published by its own task."""
    return publish_all_due()
