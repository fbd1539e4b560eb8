"""When the public site next changes with no write: the earliest publication, withdrawal or midnight."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles.content.schedule import next_change, next_midnight
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def test_midnight_when_nothing_is_scheduled(acme, django_assert_num_queries):
    now = timezone.now()
    make_article(acme, "live")
    with django_assert_num_queries(1):
        assert next_change(now) == next_midnight(now)


def test_the_earliest_scheduled_publication_or_withdrawal_first(acme):
    now = timezone.now().replace(hour=10, minute=0)
    soon, later = now + dt.timedelta(minutes=5), now + dt.timedelta(minutes=50)
    make_article(acme, "coming", published_at=later)
    make_article(acme, "going", published_at=now - dt.timedelta(days=1), unpublish_at=soon)
    assert next_change(now) == soon
    assert next_change(soon) == later
    assert next_change(later) == next_midnight(later)


def test_a_draft_with_a_date_changes_nothing(acme):
    now = timezone.now().replace(hour=10, minute=0)
    make_article(acme, "draft", published=False, published_at=now + dt.timedelta(minutes=5))
    assert next_change(now) == next_midnight(now)
