"""A fact retiring at midnight leaves the search documents by itself, through the worker's nightly task."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.facts.models import IPRange, SenderAddress
from articles.search import index
from articles.search.models import SearchDocument
from articles.tasks.facts_due import reindex_facts_dated, reindex_facts_dated_today
from tests.conftest import make_article, make_vendor

pytestmark = pytest.mark.django_db


def details(article) -> str:
    return SearchDocument.objects.get(article=article).details


def test_an_address_and_a_range_retiring_today_leave_the_search_documents_after_midnight():
    vendor = make_vendor("retiring", public=True)
    article = make_article(vendor, "guide")
    today = timezone.localdate()
    address = SenderAddress.objects.create(vendor=vendor, address="old@retiring.example")
    ip_range = IPRange.objects.create(vendor=vendor, network="198.51.100.0/24")
    # Yesterday's document: both were still in force.
    SenderAddress.objects.filter(pk=address.pk).update(retired_on=today + dt.timedelta(days=1))
    IPRange.objects.filter(pk=ip_range.pk).update(retired_on=today + dt.timedelta(days=1))
    index.reindex([article.pk])
    assert "old@retiring.example" in details(article) and "198.51.100.0/24" in details(article)
    # Midnight: their day has come; nothing was written since.
    SenderAddress.objects.filter(pk=address.pk).update(retired_on=today)
    IPRange.objects.filter(pk=ip_range.pk).update(retired_on=today)
    other = make_article(make_vendor("untouched", public=True), "guide")
    rebuilt = reindex_facts_dated(timezone.localdate())
    assert rebuilt == vendor.articles.count() == 2, "only the articles of a vendor with a fact dated today"
    assert "old@retiring.example" not in details(article) and "198.51.100.0/24" not in details(article)
    assert SearchDocument.objects.filter(article=other).exists()


def test_a_day_with_no_dated_fact_rebuilds_nothing():
    vendor = make_vendor("quiet", public=True)
    make_article(vendor, "guide")
    IPRange.objects.create(
        vendor=vendor, network="198.51.100.0/24", added_on=timezone.localdate() - dt.timedelta(days=3)
    )
    assert reindex_facts_dated(timezone.localdate()) == 0


def test_the_worker_runs_it_just_after_midnight_in_the_site_time_zone():
    schedule = reindex_facts_dated_today.schedule
    assert schedule.time == dt.time(0, 1)
