"""The daily digest: the changes announced since a subscriber's last digest, in one mail.

Run once a day by the worker (``articles.tasks.notify``). Each confirmed
daily subscriber gets one mail listing the changes announced (``NotifiedChange``)
after their ``digest_through`` and up to now, or none if there were none; the
mails and the moved marks are written in one transaction, so a digest is
neither lost nor sent twice by the task. Constant queries for any number of
subscribers and changes.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from articles.content.visibility import public_vendors_only
from articles.facts import changelog
from articles.facts.models import Vendor
from articles.notify import mails
from articles.notify.announce import wake_worker
from articles.notify.models import Frequency, NotifiedChange, OutboxMessage, Subscriber


def send_digests(now=None) -> int:
    """Write today's digests to the outbox; how many."""
    now = now or timezone.now()
    with transaction.atomic():
        subscribers = list(
            Subscriber.objects.select_for_update(of=("self",))
            .filter(status=Subscriber.Status.CONFIRMED, frequency=Frequency.DAILY)
            .select_related("vendor")
        )
        if not subscribers:
            return 0
        oldest = min(s.digest_through or s.confirmed_at or now for s in subscribers)
        announced = list(NotifiedChange.objects.filter(announced_at__gt=oldest, announced_at__lte=now))
        if not announced:
            return 0
        vendor_ids = {row.vendor_id for row in announced}
        vendors = {v.pk: v for v in public_vendors_only(Vendor.objects.filter(pk__in=vendor_ids))}
        found = {(c.vendor_id, c.key): c for c in changelog.changes(vendor_ids)}
        today = timezone.localdate(now)
        messages = []
        for subscriber in subscribers:
            since = subscriber.digest_through or subscriber.confirmed_at or now
            theirs = [
                found[(row.vendor_id, row.key)]
                for row in announced
                if row.announced_at > since
                and (row.vendor_id, row.key) in found
                and subscriber.vendor_id in (None, row.vendor_id)
            ]
            change_sets = changelog.change_sets(theirs, vendors)
            if change_sets:
                mail = mails.notification(subscriber, change_sets, today=today, digest=True)
                messages.append(
                    OutboxMessage(to=mail.to, subject=mail.subject, body=mail.body, headers=mail.headers)
                )
        OutboxMessage.objects.bulk_create(messages)
        Subscriber.objects.filter(pk__in=[s.pk for s in subscribers]).update(digest_through=now)
        if messages:
            wake_worker()
        return len(messages)
