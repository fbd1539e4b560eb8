"""A vendor with thousands of ranges in the admin, and pastes of thousands of lines (issue 14, point 4).

Sizes are generated here. Timings are printed (``-s`` shows them) and held
to the issue's targets with room for a shared machine: the page in under a
second, a 10,000-line paste checked in under a second and saved in under 10 s.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from huey.contrib.djhuey import HUEY
from reversion.models import Revision, Version

from articles.admin.big_vendors import RANGE_INLINE_LIMIT, SHOWN_VERDICTS
from articles.facts.models import IPRange, Vendor
from articles.services import changes
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
from tests.conftest import make_range, make_vendor

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
