"""Search analytics without personal data, the staff report, synonyms and promotions in the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.search import analytics, log_buffer
from articles.search.engine import search
from articles.search.models import PromotedResult, SearchClick, SearchQueryLog, Synonym

pytestmark = pytest.mark.django_db


def log(query: str, *, page: int = 1) -> SearchQueryLog | None:
    """Log a search as the page does, write the buffer, and give the row it made."""
    logged = analytics.log_search(search(query, page=page))
    log_buffer.flush()
    return SearchQueryLog.objects.get(token=logged.answer) if logged else None


def test_the_log_has_no_field_that_could_identify_a_reader():
    fields = {field.name for field in SearchQueryLog._meta.get_fields()}
    # The token is a random name of the answer shown, which the page cache shows to many readers.
    assert fields == {"id", "query", "normalised", "kind", "result_count", "created_at", "token", "clicks"}


@pytest.mark.parametrize(
    ("query", "stored", "kind"),
    [
        ("Me.Myself@Home.example never gets mail", "*@Home.example never gets mail", "sender"),
        ("alerts@acme.example", "alerts@acme.example", "sender"),  # a vendor's address is not personal
        ("192.0.2.10", "192.0.2.10/32", "ip"),  # a vendor's range
        ("[203.0.113.77]", "203.0.113.0/24", "ip"),  # anyone's address: only its network is kept
        ("Received: from me [198.51.100.99] by x", "198.51.100.0/24", "ip"),
        ("  Outlook   Junk ", "Outlook Junk", "text"),
    ],
)
def test_email_and_ip_addresses_of_readers_are_masked(help_center, query, stored, kind):
    entry = log(query)
    assert (entry.query, entry.kind) == (stored, kind)
    assert entry.normalised == stored.lower()


def test_only_first_pages_of_non_empty_queries_are_logged(help_center):
    assert log("") is None and log("acme", page=2) is None
    entry = log("Acme")
    assert entry.result_count == search("acme").total > 0


def test_report_counts_top_zero_result_and_click_through_in_the_period(help_center):
    guide = help_center["acme-guide"]
    for _ in range(3):
        log("acme")
    clicked = SearchQueryLog.objects.filter(normalised="acme").first()
    SearchClick.objects.create(log=clicked, article=guide, position=1)
    log("plumbus")
    old = log("acme")
    SearchQueryLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=90))
    now = timezone.now()
    report = analytics.report(since=now - dt.timedelta(days=30), until=now + dt.timedelta(minutes=1))
    assert report.searches == 4
    assert report.top[0] == {
        "normalised": "acme",
        "searches": 3,
        "zero": 0,
        "clicked": 1,
        "click_through": 1 / 3,
    }
    assert [(row["normalised"], row["searches"]) for row in report.zero_results] == [("plumbus", 1)]
    assert [(row["log__normalised"], row["article_id"], row["clicks"]) for row in report.clicked] == [
        ("acme", guide.pk, 1)
    ]


@pytest.fixture
def staff(admin_client):
    """A client logged in as a superuser (pytest-django's ``admin_client``)."""
    return admin_client


def test_staff_see_the_report_with_links_to_promote(staff, help_center):
    log("plumbus")
    url = reverse("admin:articles_searchquerylog_report")
    html = staff.get(url).content.decode()
    assert "Queries that found nothing" in html and "plumbus" in html
    assert f"{reverse('admin:articles_promotedresult_add')}?query=plumbus" in html
    reversed_period = staff.get(url, {"since": "2026-02-01", "until": "2026-01-01"})
    assert reversed_period.status_code == 200
    assert "The period must start before it ends." in reversed_period.content.decode()
    assert "Search report" in staff.get(reverse("admin:articles_searchquerylog_changelist")).content.decode()


def test_the_report_is_for_staff_only(client, help_center):
    response = client.get(reverse("admin:articles_searchquerylog_report"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_pin_an_article_for_a_query(staff, help_center):
    article = help_center["relay"]
    response = staff.post(
        reverse("admin:articles_promotedresult_add"), {"query": "  Plumbus  BOUNCE ", "article": article.pk}
    )
    assert response.status_code == 302
    assert PromotedResult.objects.get().query == "plumbus bounce"
    assert search("plumbus bounce").hits[0].article == article


@pytest.mark.parametrize(
    ("terms", "code"),
    [("allowlist", "too_few"), ("a, a, A", "too_few"), ("safe, one two three four five", "term_too_long")],
)
def test_a_synonym_group_that_means_nothing_is_refused_with_a_code(terms, code):
    with pytest.raises(ValidationError) as error:
        Synonym(terms=terms).full_clean()
    assert error.value.error_dict["terms"][0].code == code


def test_synonyms_are_seeded_and_edited_in_the_admin(staff):
    seeded = {str(group) for group in Synonym.objects.all()}
    assert "whitelist = allowlist = safelist = safe senders = approved senders = trusted senders" in seeded
    assert "microsoft 365 = office 365 = o365 = exchange online" in seeded
    response = staff.post(
        reverse("admin:articles_synonym_add"), {"terms": "Bounce = NDR\nnon-delivery report"}
    )
    assert response.status_code == 302
    assert Synonym.objects.get(terms__startswith="bounce").terms == "bounce, ndr, non-delivery report"
