"""A vendor with thousands of ranges in the admin, and pastes of thousands of lines (issue 14, point 4).

Sizes are generated here. Timings are printed (``-s`` shows them) and held
to the issue's targets with room for a shared machine: the page in under a
second, a 10,000-line paste checked in under a second and saved in under 10 s.
"""

from __future__ import annotations

import ipaddress
import math
import re
import time
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from reversion.models import Revision, Version

from articles.admin.big_vendors import RANGE_INLINE_LIMIT, SHOWN_VERDICTS
from articles.facts.models import IPRange, Vendor
from articles.facts.networks import bounds
from articles.notify.models import NotifiedChange
from articles.revisions.trace import format_day, traces
from articles.search.models import SearchDocument
from articles.services import changes, range_pastes
from articles.services import ranges as services
from articles.services.models import RangePaste
from articles.services.range_pastes import BACKGROUND_LINES, range_paste_run, range_paste_start
from tests.admin.forms import (
    add_inline_row,
    form_data,
    paste,
    paste_url,
    staff_user,
    vendor_facts,
    vendor_form,
    vendor_url,
)
from tests.conftest import make_article, make_range, make_vendor

#: On a shared 2-core machine a timing varies: the issue's target times this.
SLACK = 3


def networks(count: int, *, first: int = 0) -> list[str]:
    """``count`` distinct public /24 ranges, 45.0.0.0/24 on (45/8 is ordinary unicast)."""
    return [f"45.{n // 256}.{n % 256}.0/24" for n in range(first, first + count)]


def many_ranges(vendor: Vendor, count: int, *, first: int = 0) -> None:
    """``count`` ranges for ``vendor`` in a few INSERTs, each as a paste would store it."""
    rows = []
    for number, network in enumerate(networks(count, first=first)):
        ip_range = IPRange(
            vendor=vendor, network=network, tier="additional" if number % 4 == 0 else "primary"
        )
        ip_range.derive_lookup_fields()
        rows.append(ip_range)
    IPRange.objects.bulk_create(rows, batch_size=1000)
    changes.facts_changed(vendor.pk)


def timed(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def field_count(response) -> int:
    return len(form_data(response, "vendor_form"))


@pytest.fixture
def big(db) -> Vendor:
    vendor = make_vendor("bigmail", "Big Mail", website="https://bigmail.example")
    many_ranges(vendor, 5000)
    return vendor


@pytest.fixture
def worker_in_process():
    """huey's immediate mode: an enqueued task runs at once, in this process and its test transaction."""
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


# The vendor page -----------------------------------------------------------------------------


def test_vendor_page_with_5000_ranges_loads_in_under_a_second_small_and_far_from_the_field_limit(
    admin_client, big
):
    admin_client.get(vendor_url(big))  # templates compiled, content types cached
    response, seconds = timed(lambda: admin_client.get(vendor_url(big)))
    size, fields = len(response.content), field_count(response)
    print(f"\nvendor page, 5,000 ranges: {seconds * 1000:.0f} ms, {size / 1024:.1f} KB, {fields} fields")
    assert response.status_code == 200
    assert seconds < 1 * SLACK
    assert size < 100 * 1024
    assert fields < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS / 10
    assert "ip_ranges-TOTAL_FORMS" not in response.content.decode()


def test_vendor_page_with_5000_ranges_summarises_them_with_links(admin_client, big):
    IPRange.objects.filter(pk__in=IPRange.objects.filter(vendor=big).values("pk")[:10]).update(
        retired_on="2020-01-01", added_on="2019-01-01"
    )
    html = admin_client.get(vendor_url(big)).content.decode()
    assert "Big Mail publishes 4990 IP ranges." in html
    assert f'href="/admin/articles/iprange/?vendor__id__exact={big.pk}"' in html
    assert f'href="/admin/articles/iprange/?vendor__id__exact={big.pk}&amp;tier__exact=primary"' in html
    assert f'href="/admin/articles/iprange/?vendor__id__exact={big.pk}&amp;retired=yes"' in html
    assert f'href="{paste_url(big)}"' in html
    primary = IPRange.objects.filter(vendor=big, tier="primary", retired_on__isnull=True).count()
    assert f"<td>{primary}</td>" in html
    assert "<td>10</td>" in html  # retired, all of them of one tier or the other


def test_vendor_page_with_5000_ranges_saves_its_own_fields_and_leaves_the_ranges_alone(admin_client, big):
    ranges_before = vendor_facts(big)["ranges"]
    data = vendor_form(admin_client, big)
    data["description"] = "Sends a great deal of mail."
    response, seconds = timed(lambda: admin_client.post(vendor_url(big), data))
    print(f"\nvendor page save, 5,000 ranges: {seconds * 1000:.0f} ms")
    assert response.status_code == 302, response.content.decode()[:2000]
    big.refresh_from_db()
    assert big.description == "Sends a great deal of mail."
    assert vendor_facts(big)["ranges"] == ranges_before
    assert seconds < 10


def test_vendor_page_queries_stay_constant_from_60_to_5000_ranges(
    admin_client, db, django_assert_num_queries
):
    vendor = make_vendor("growing")
    many_ranges(vendor, RANGE_INLINE_LIMIT + 10)
    admin_client.get(vendor_url(vendor))
    with django_assert_num_queries(7):
        assert admin_client.get(vendor_url(vendor)).status_code == 200
    many_ranges(vendor, 5000, first=RANGE_INLINE_LIMIT + 10)
    with django_assert_num_queries(7):
        assert admin_client.get(vendor_url(vendor)).status_code == 200


@pytest.mark.parametrize("ranges", [RANGE_INLINE_LIMIT + 10, 5000])
def test_vendor_page_save_queries_stay_constant_from_60_to_5000_ranges_but_for_batched_versions(
    admin_client, db, ranges
):
    vendor = make_vendor("growing")
    many_ranges(vendor, ranges)
    data = vendor_form(admin_client, vendor)
    data["description"] = "Sends a great deal of mail."
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.post(vendor_url(vendor), data).status_code == 302
    versions = [q for q in queries if q["sql"].startswith('INSERT INTO "reversion_version"')]
    # The revision keeps the vendor with every range as it now stands, in batches.
    assert len(versions) == statements(Version, 1 + ranges)
    assert len(queries) - len(versions) == 25


def test_a_vendor_up_to_the_limit_edits_its_ranges_inline_and_one_above_has_the_summary(admin_client, db):
    vendor = make_vendor("edge")
    many_ranges(vendor, RANGE_INLINE_LIMIT)
    html = admin_client.get(vendor_url(vendor)).content.decode()
    assert f'name="ip_ranges-TOTAL_FORMS" value="{RANGE_INLINE_LIMIT + 1}"' in html
    assert "publishes" not in html
    make_range(vendor, "46.0.0.0/24")
    html = admin_client.get(vendor_url(vendor)).content.decode()
    assert "ip_ranges-TOTAL_FORMS" not in html
    assert f"Edge publishes {RANGE_INLINE_LIMIT + 1} IP ranges." in html


def test_a_form_loaded_with_the_ranges_inline_and_posted_after_a_paste_is_refused(admin_client, db):
    vendor = make_vendor("edge")
    many_ranges(vendor, RANGE_INLINE_LIMIT)
    data = vendor_form(admin_client, vendor)
    paste(admin_client, vendor, "46.0.0.0/24")
    data["description"] = "Changed"
    response = admin_client.post(vendor_url(vendor), data)
    assert response.status_code == 409
    vendor.refresh_from_db()
    assert vendor.description == ""


def test_range_list_of_a_vendor_with_5000_ranges_is_paged_and_searched(
    admin_client, big, django_assert_num_queries
):
    url = f"/admin/articles/iprange/?vendor__id__exact={big.pk}"
    admin_client.get(url)
    with django_assert_num_queries(7):
        response, seconds = timed(lambda: admin_client.get(url))
    print(f"\nrange list, 5,000 ranges: {seconds * 1000:.0f} ms, {len(response.content) / 1024:.1f} KB")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 5000
    assert len(response.context["cl"].result_list) == 100
    assert seconds < 1 * SLACK
    found = admin_client.get(url, {"q": "45.3.7.200"})
    assert [r.network for r in found.context["cl"].result_list] == ["45.3.7.0/24"]


# Pasting ------------------------------------------------------------------------------------


def test_a_10000_line_paste_is_checked_in_under_a_second_and_saved_in_under_ten(
    db, django_assert_num_queries
):
    vendor = make_vendor("bigmail")
    many_ranges(vendor, 1000)
    text = "\n".join(networks(10_000, first=1000))
    check, check_seconds = timed(lambda: services.vendor_ranges_check(vendor=vendor, text=text))
    assert check.ok and len(check.to_add) == 10_000
    revisions = Revision.objects.count()
    verdicts, save_seconds = timed(
        lambda: services.vendor_ranges_add(vendor=vendor, text=text, tier="primary", staff_note="bulk")
    )
    versions = Version.objects.filter(revision__in=Revision.objects.order_by("-pk")[:1]).count()
    print(
        f"\npaste of 10,000 lines onto 1,000 ranges: check {check_seconds * 1000:.0f} ms, "
        f"save {save_seconds * 1000:.0f} ms (one revision of {versions} versions)"
    )
    assert all(verdict.ok for verdict in verdicts)
    assert IPRange.objects.filter(vendor=vendor).count() == 11_000
    assert IPRange.objects.filter(vendor=vendor, staff_note="bulk").count() == 10_000
    assert Revision.objects.count() == revisions + 1
    assert versions == 11_001  # the vendor and every one of its ranges, as it now stands
    stored = IPRange.objects.get(vendor=vendor, network="45.41.0.0/24")
    assert (stored.version, stored.prefixlen) == (4, 24)
    assert list(IPRange.objects.covering_network(stored.ip_network)) == [stored]
    assert check_seconds < 1 * SLACK
    assert save_seconds < 10 * SLACK


@pytest.mark.parametrize("lines", [100, BACKGROUND_LINES])
def test_paste_save_queries_do_not_grow_with_the_lines(admin_client, db, lines):
    vendor = make_vendor("bigmail")
    paste(admin_client, vendor, "45.255.0.0/24")  # content types cached, the vendor's first revision kept
    with CaptureQueriesContext(connection) as queries:
        response = paste(admin_client, vendor, "\n".join(networks(lines)))
    assert response.status_code == 302
    assert IPRange.objects.filter(vendor=vendor).count() == lines + 1
    inserts = [q for q in queries if q["sql"].startswith("INSERT")]
    # The ranges and the revision's versions are bulk inserts: one per 1,000 ranges on
    # PostgreSQL; SQLite takes fewer rows to a statement (its parameter limit), never one each.
    # 19 of the paste itself, and 5 of announcing what it added (notify/announce.py): the change
    # log's three reads, the changes already announced, and whether the vendor is public.
    assert len(queries) - len(inserts) == 19 + 5
    bulk = [
        q
        for q in inserts
        if q["sql"].startswith(('INSERT INTO "articles_iprange"', 'INSERT INTO "reversion_version"'))
    ]
    assert len(bulk) <= 2 + lines // 50
    # What else the paste sets off (its revision, the announced changes, the outbox) is bulk too.
    assert len(inserts) - len(bulk) <= 3 + lines // 200


def statements(model, rows: int, *, most: int | None = None) -> int:
    """The INSERTs that ``bulk_create`` takes for ``rows`` new rows of ``model`` on this database.

    As many rows to a statement as the database takes (PostgreSQL: all of them; SQLite: 999
    parameters' worth), and at most ``most``, the batch size the writer asks for.
    """
    columns = [field for field in model._meta.concrete_fields if not field.primary_key]
    per_statement = connection.ops.bulk_batch_size(columns, range(rows))
    return math.ceil(rows / min(per_statement, most or per_statement))


@pytest.mark.parametrize("lines", [10, 1000])
def test_a_paste_makes_the_same_queries_for_10_lines_as_for_1000_but_for_its_batched_inserts(
    admin_client, db, lines
):
    vendor = make_vendor("bigmail")
    many_ranges(vendor, 100)
    paste(admin_client, vendor, "46.255.0.0/24")  # content types cached, the vendor's first revision kept
    with CaptureQueriesContext(connection) as queries:
        response = paste(admin_client, vendor, "\n".join(networks(lines, first=1000)))
    assert response.status_code == 302
    inserts = Counter(
        re.match(r'INSERT (?:OR IGNORE )?INTO "(\w+)"', q["sql"])[1]
        for q in queries
        if q["sql"].startswith("INSERT")
    )
    # One revision, one admin log entry; the ranges, the revision's versions (the vendor and all
    # its ranges, as they now stand) and the changes announced (one each) in batches.
    assert inserts == {
        "articles_iprange": statements(IPRange, lines, most=services.BULK_BATCH),
        "reversion_revision": 1,
        "reversion_version": statements(Version, 1 + 101 + lines),
        "articles_notifiedchange": statements(NotifiedChange, lines),
        "django_admin_log": 1,
    }
    assert len(queries) - inserts.total() == 19 + 5  # as test_paste_save_queries_do_not_grow_with_the_lines


def test_bad_lines_in_a_big_paste_are_named_with_their_line_numbers_and_nothing_is_saved(admin_client, big):
    lines = networks(9_997, first=5000)
    lines[1233] = "10.0.0.0/8"
    lines[7000] = "45.300.1.0/24"
    lines[9000] = "45.0.0.0/33"
    before = vendor_facts(big)
    response, seconds = timed(lambda: paste(admin_client, big, "\n".join(lines)))
    html = response.content.decode()
    print(f"\nrefused paste of 9,997 lines: {seconds * 1000:.0f} ms, {len(html) / 1024:.0f} KB")
    assert response.status_code == 200
    assert "Nothing was saved" in html
    for number in (1234, 7001, 9001):
        assert f"<td>{number}</td>" in html
    assert "3 invalid" in html
    assert vendor_facts(big) == before
    assert not RangePaste.objects.exists()
    assert seconds < 1 * SLACK


def test_a_big_check_lists_the_lines_worth_a_look_and_counts_the_rest(admin_client, db):
    vendor = make_vendor("bigmail")
    lines = networks(3000)
    lines[10] = "45.0.10.7"  # normalised to 45.0.10.7/32
    lines.append("45.0.5.0/24")  # a repeat of line 6
    html = paste(admin_client, vendor, "\n".join(lines), save=False).content.decode()
    assert html.count('<tr class="verdict-') == 2
    assert "The other 2999 lines are accepted as typed" in html
    assert SHOWN_VERDICTS < 3000


# The worker's path ---------------------------------------------------------------------------


def test_a_paste_above_the_threshold_is_saved_by_the_worker_with_progress_and_a_result(
    admin_client, big, worker_in_process, django_capture_on_commit_callbacks
):
    text = "\n".join(networks(10_000, first=5000) + ["45.0.0.0/24"])  # the last line is listed already
    with django_capture_on_commit_callbacks() as enqueued:
        response = paste(admin_client, big, text)
    job = RangePaste.objects.get()
    progress_url = f"{paste_url(big)}{job.pk}/"
    assert response.status_code == 302 and response["Location"] == progress_url
    assert IPRange.objects.filter(vendor=big).count() == 5000  # nothing saved in the request
    page = admin_client.get(progress_url).content.decode()
    assert "Waiting for the worker" in page and 'value="0"' in page
    assert "Refresh</a>" in page and "js/admin-range-paste" in page
    assert admin_client.get(progress_url, {"status": ""}).json() == {
        "state": "queued",
        "label": "Waiting for the worker",
        "percent": 0,
        "finished": False,
    }
    _run, seconds = timed(lambda: [callback() for callback in enqueued])  # huey runs the task here
    print(f"\nbackground paste of 10,001 lines onto 5,000 ranges: {seconds * 1000:.0f} ms")
    job.refresh_from_db()
    assert (job.state, job.added, job.skipped, job.text) == ("saved", 10_000, 1, "")
    assert IPRange.objects.filter(vendor=big).count() == 15_000
    result = admin_client.get(progress_url).content.decode()
    assert "Added 10000 IP ranges to Big Mail; 1 duplicate line skipped." in result
    assert "js/admin-range-paste" not in result
    assert Revision.objects.order_by("-pk").first().user.username == "admin"


def loosely_written(count: int) -> tuple[list[str], list[str]]:
    """``count`` distinct public ranges as staff paste them, and each as it is stored.

    Every other line is IPv6. One line in ten of each kind is written in a way that is
    normalised: an IPv4 address alone (stored as a /32), an IPv6 range spelled out in capitals.
    """
    pasted, stored = [], []
    for n in range(count):
        if n % 2 == 0:
            third, fourth = divmod(n // 2, 256)
            if n % 20 == 0:
                pasted.append(f"46.{third}.{fourth}.7")
                stored.append(f"46.{third}.{fourth}.7/32")
            else:
                pasted.append(f"46.{third}.{fourth}.0/24")
                stored.append(f"46.{third}.{fourth}.0/24")
        else:
            group = n // 2 + 1
            stored.append(f"2a01:0:{group:x}::/48")
            pasted.append(f"2A01:0000:{group:04X}:0000:0000:0000:0000:0000/48" if n % 20 == 1 else stored[-1])
    return pasted, stored


def test_a_10000_line_paste_is_stored_normalised_indexed_and_kept_in_one_revision(
    admin_client, db, worker_in_process, django_capture_on_commit_callbacks
):
    vendor = make_vendor("bigmail", "Big Mail")
    make_article(vendor, "guide", body="Big Mail sends from {{ range_count }} ranges.")
    many_ranges(vendor, 1000)
    pasted, stored = loosely_written(10_000)
    text = "\n".join(pasted)
    check = services.vendor_ranges_check(vendor=vendor, text=text)
    assert Counter(line.status for line in check.lines) == {"accepted": 9000, "normalised": 1000}
    assert [network.with_prefixlen for network in check.to_add] == stored
    page = paste(admin_client, vendor, text, save=False).content.decode()
    assert "10000 ranges to add, 0 already listed or repeated, 0 invalid." in page
    assert IPRange.objects.filter(vendor=vendor).count() == 1000  # a check saves nothing
    revisions = Revision.objects.count()

    with django_capture_on_commit_callbacks() as enqueued:
        response = paste(admin_client, vendor, text, staff_note="bulk")
    assert response.status_code == 302
    for callback in enqueued:
        callback()  # the worker's task, run here (huey's immediate mode)

    job = RangePaste.objects.get()
    assert (job.state, job.added, job.skipped, job.lines_checked) == ("saved", 10_000, 0, 10_000)
    rows = IPRange.objects.filter(vendor=vendor, staff_note="bulk")
    assert sorted(rows.values_list("network", flat=True)) == sorted(stored)
    for network, version, prefixlen, start, end in rows.values_list(
        "network", "version", "prefixlen", "start", "end"
    ):
        parsed = ipaddress.ip_network(network)
        assert (version, prefixlen, (start, end)) == (parsed.version, parsed.prefixlen, bounds(parsed))
    assert [r.network for r in IPRange.objects.covering(ipaddress.ip_address("2a01:0:1a::9"))] == [
        "2a01:0:1a::/48"
    ]
    assert [r.network for r in IPRange.objects.covering(ipaddress.ip_address("46.0.0.7"))] == ["46.0.0.7/32"]
    # The search document of the vendor's article, re-indexed once with the new count.
    assert SearchDocument.objects.filter(article__vendor=vendor, body__contains="11000 ranges").count() == 1
    # One revision in the requester's name, keeping the vendor with all its ranges as they now
    # stand; from it, each new range's trace, and one line in the admin's log.
    assert Revision.objects.count() == revisions + 1
    revision = Revision.objects.order_by("-pk").first()
    assert revision.user.username == "admin"
    assert revision.comment.startswith("Pasted ranges: Added 10000 IP ranges: 46.0.0.7/32, 2a01:0:1::/48, ")
    assert revision.version_set.count() == 1 + 11_000
    new_row = rows.get(network="2a01:0:1a::/48")
    assert str(traces(IPRange, [new_row])[new_row.pk]) == f"Added {format_day(timezone.localdate())} by admin"
    (entry,) = LogEntry.objects.filter(object_id=str(vendor.pk))
    assert entry.change_message.endswith(" and 9980 more.")
    # Each new range is a change announced once (notify/announce.py).
    assert NotifiedChange.objects.filter(vendor=vendor).count() == 11_000


def test_the_worker_judges_the_lines_once_when_the_vendors_ranges_did_not_change_meanwhile(big, monkeypatch):
    judged = count_calls(monkeypatch, services, "judge_lines")
    job = range_paste_start(vendor=big, text="\n".join(networks(3000, first=6000)), tier="primary", user=None)
    range_paste_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.added, job.skipped) == ("saved", 3000, 0)
    assert judged == [1]


def test_a_range_added_while_the_worker_checked_is_judged_again_and_skipped_as_a_duplicate(big, monkeypatch):
    lines = networks(3000, first=6000)
    judged = count_calls(monkeypatch, services, "judge_lines")
    save = range_pastes.vendor_ranges_add

    def save_after_another_edit(**arguments):
        make_range(big, lines[7])  # pasted by someone else between the check and the save
        return save(**arguments)

    monkeypatch.setattr(range_pastes, "vendor_ranges_add", save_after_another_edit)
    job = range_paste_start(vendor=big, text="\n".join(lines), tier="primary", user=None)
    range_paste_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.added, job.skipped) == ("saved", 2999, 1)
    assert judged == [2]
    assert IPRange.objects.filter(vendor=big, network=lines[7]).count() == 1
    assert IPRange.objects.filter(vendor=big).count() == 5000 + 3000


def count_calls(monkeypatch, module, name: str) -> list[int]:
    """Count the calls of ``module.name`` in a one-item list, the count so far."""
    calls = [0]
    function = getattr(module, name)

    def counted(*args, **kwargs):
        calls[0] += 1
        return function(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_paste_the_worker_refuses_names_each_bad_line_and_saves_nothing(admin_client, big):
    text = "\n".join([*networks(2500, first=6000), "192.168.1.0/24", "", "not an address"])
    job = range_paste_start(vendor=big, text=text, tier="primary", user=None)
    before = vendor_facts(big)
    range_paste_run(job.pk)
    job.refresh_from_db()
    assert job.state == "refused"
    assert [(line["line"], line["text"]) for line in job.refused_lines] == [
        (2501, "192.168.1.0/24"),
        (2503, "not an address"),
    ]
    assert vendor_facts(big) == before
    html = admin_client.get(f"{paste_url(big)}{job.pk}/").content.decode()
    assert "Nothing was saved: 2 lines are not IP ranges" in html
    assert "<td>2503</td>" in html and "private" in html


def test_a_paste_is_run_once_however_often_its_task_arrives(big):
    job = range_paste_start(vendor=big, text="46.0.0.0/24", tier="primary", user=None)
    assert range_paste_run(job.pk) is not None
    assert range_paste_run(job.pk) is None
    assert IPRange.objects.filter(vendor=big, network="46.0.0.0/24").count() == 1


def test_the_progress_page_needs_the_right_to_paste_and_the_paste_of_that_vendor(admin_client, big):
    job = range_paste_start(vendor=big, text="46.0.0.0/24", tier="primary", user=None)
    other = make_vendor("other")
    assert admin_client.get(f"{paste_url(other)}{job.pk}/").status_code == 404
    viewer = staff_user("view_vendor", "change_vendor")
    assert viewer.get(f"{paste_url(big)}{job.pk}/").status_code == 403


# Proposals for a big public vendor ---------------------------------------------------------


def test_an_editors_proposal_for_a_big_vendor_covers_its_fields_and_addresses_and_is_applied(big):
    from articles.revisions.models import FactProposal
    from tests.conftest import publish
    from tests.test_proposals import member_of

    publish(big)
    editor, publisher = member_of("Editor", "edna"), member_of("Publisher", "pablo")
    data = vendor_form(editor, big)
    assert "ip_ranges-TOTAL_FORMS" not in data
    data["description"] = "Proposed by the editor."
    data = add_inline_row(data, "sender_addresses", address="news@bigmail.example", used_for="news")
    ranges_before = vendor_facts(big)["ranges"]
    assert editor.post(vendor_url(big), {**data, "_save": "Save"}).status_code == 302
    proposal = FactProposal.objects.get()
    big.refresh_from_db()
    assert big.description == ""  # nothing live changed
    shown = publisher.get(vendor_url(big)).content.decode()
    assert "news@bigmail.example" in shown
    response = publisher.post(vendor_url(big, "proposal/apply/"), {"seen": proposal.updated_at.isoformat()})
    assert response.status_code == 302
    big.refresh_from_db()
    assert big.description == "Proposed by the editor."
    assert big.sender_addresses.filter(address="news@bigmail.example").exists()
    assert vendor_facts(big)["ranges"] == ranges_before
