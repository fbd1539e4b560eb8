"""When the public site next changes with no write: the clock's part of what readers see.

Articles are public from ``published_at`` until ``unpublish_at``
(``ArticleQuerySet.public()``) and facts are in force from ``added_on`` until
``retired_on`` (whole days of the site's calendar), read against the clock
by every query. A page kept in the cache (articles/pagecache/) is kept no
later than the first of these moments to come. A pending change due at its
time is saved by the worker like any edit, which clears the pages itself.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min, Q
from django.utils import timezone

from articles.content.models import Article


def next_midnight(now: dt.datetime) -> dt.datetime:
    """The start of the next day on the site's calendar: facts dated that day come and go then."""
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))


def next_change(now: dt.datetime | None = None) -> dt.datetime:
    """The first moment after ``now`` at which a public page may change by itself. One query."""
    now = now or timezone.now()
    times = Article.objects.filter(status=Article.Status.PUBLISHED).aggregate(
        publication=Min("published_at", filter=Q(published_at__gt=now)),
        withdrawal=Min("unpublish_at", filter=Q(unpublish_at__gt=now)),
    )
    return min([next_midnight(now), *(moment for moment in times.values() if moment is not None)])
