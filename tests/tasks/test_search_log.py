"""The nightly prune, run through the worker's own task machinery (huey, in-process)."""

import datetime as dt

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from articles.search.models import SearchQueryLog
from articles.tasks.search_log import prune_search_log_daily

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_in_process():
    """huey's immediate mode: an enqueued task runs at once, in this process and its test transaction,
    with a fresh in-memory store instead of the worker's file."""
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


def log_search(query: str, days_ago: int) -> SearchQueryLog:
    return SearchQueryLog.objects.create(
        query=query, normalised=query, result_count=1, created_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_the_nightly_task_deletes_searches_past_the_retention_and_keeps_the_rest(worker_in_process, settings):
    settings.SEARCH_LOG_RETENTION_DAYS = 90
    for query, days in {"today": 0, "edge": 89, "old": 91, "ancient": 400}.items():
        log_search(query, days)
    prune_search_log_daily()
    assert set(SearchQueryLog.objects.values_list("query", flat=True)) == {"today", "edge"}


def test_a_second_copy_enqueued_the_same_day_does_nothing(worker_in_process, settings):
    # What a second worker's scheduler enqueues at the same minute.
    settings.SEARCH_LOG_RETENTION_DAYS = 30
    log_search("old", 31)
    prune_search_log_daily()
    assert not SearchQueryLog.objects.exists()
    log_search("older", 45)
    prune_search_log_daily()
    assert list(SearchQueryLog.objects.values_list("query", flat=True)) == ["older"]
