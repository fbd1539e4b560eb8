"""A vendor with a history: ranges, addresses and a domain added and retired, some announced ahead.

Time is moved with a fixed clock (``clock``: ``django.utils.timezone.now``
answers what the test sets), never by sleeping; every "today" of the site
(``timezone.localdate``, the facts' ``active()``, the change log) follows it.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.facts.models import SenderAddress, SenderDomain
from articles.services import changes
from tests.conftest import make_range, make_vendor

D = dt.date
START = D(2026, 3, 1)
ANNOUNCED = D(2027, 1, 15)  # 198.51.100.0/24 and new@ join the lists on this day
RETIRING = D(2027, 2, 1)  # 203.0.113.0/24 leaves them on this day
DAY_BEFORE = D(2027, 1, 14)


class Clock:
    """What ``timezone.now()`` answers: a moment the test sets."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def at(self, day: dt.date, time: dt.time = dt.time(12)) -> None:
        """Move to ``time`` (noon) on ``day``, on the site's clocks."""
        self.now = dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def clock(monkeypatch) -> Clock:
    moving = Clock()
    monkeypatch.setattr(timezone, "now", lambda: moving.now)
    return moving


@pytest.fixture
def history(db, clock):
    """Acme, public, as it stands on the day before the announced additions."""
    clock.at(START)
    vendor = make_vendor("acme", "Acme Mail", public=True)
    make_range(vendor, "192.0.2.0/24", added_on=START)
    make_range(vendor, "203.0.113.0/24", added_on=START, retired_on=RETIRING)
    make_range(vendor, "2001:db8::/32", "additional", added_on=START, retired_on=D(2026, 6, 1))
    for address, added_on, retired_on in (
        ("old@acme.example", START, D(2026, 9, 1)),
        ("new@acme.example", ANNOUNCED, None),
    ):
        changes.written(
            SenderAddress.objects.create(
                vendor=vendor, address=address, added_on=added_on, retired_on=retired_on
            )
        )
    changes.written(SenderDomain.objects.create(vendor=vendor, domain="acme.example", added_on=START))
    clock.at(D(2027, 1, 2))
    make_range(vendor, "198.51.100.0/24", "additional", added_on=ANNOUNCED, public_note="EU relay <b>")
    clock.at(DAY_BEFORE)
    return vendor


def range_file(client, url: str = "/acme/allowlist.json") -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(response.content)


class NoWrites(CaptureQueriesContext):
    """Fails if anything in the block wrote to the database."""

    def __init__(self) -> None:
        super().__init__(connection)

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        writes = [
            query["sql"]
            for query in self.captured_queries
            if query["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
        ]
        assert not writes, writes
