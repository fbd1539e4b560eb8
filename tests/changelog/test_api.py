"""/api/changes and /api/vendors/<vendor>/changes: every add and remove since the list a syncToken names."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from articles.downloads.changes_since import KEPT_DAYS
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from tests.changelog.conftest import ANNOUNCED, DAY_BEFORE, RETIRING, NoWrites, range_file
from tests.conftest import make_article, make_range, make_vendor

pytestmark = pytest.mark.django_db

URL = "/api/vendors/acme/changes"


def get(client, url, status=200, **headers) -> dict:
    response = client.get(url, **headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def ids(answer: dict) -> list[str]:
    return [change["id"] for change in answer["changes"]]


def pk(model, **lookup) -> int:
    return model.objects.get(**lookup).pk


def test_without_since_every_change_oldest_first_and_the_current_token(client, history):
    answer = get(client, URL)
    assert answer["vendor"] == "acme" and answer["since"] is None and answer["since_date"] is None
    assert answer["sync_token"] == range_file(client)["syncToken"]
    assert answer["full_list"] == "/acme/allowlist.json"
    days = [change["effective_on"] for change in answer["changes"]]
    assert days == sorted(days) and len(days) == 10
    announced = next(c for c in answer["changes"] if c["value"] == "198.51.100.0/24")
    assert announced == {
        "id": f"range:{pk(IPRange, network='198.51.100.0/24')}:added",
        "vendor": "acme",
        "kind": "range",
        "action": "added",
        "value": "198.51.100.0/24",
        "effective_on": "2027-01-15",
        "upcoming": True,
        "tier": "additional",
        "note": "EU relay <b>",
        "changes_url": "/acme/changes/",
    }
    domain = next(c for c in answer["changes"] if c["kind"] == "domain")
    assert domain["tier"] is None and domain["note"] is None and domain["upcoming"] is False
    assert [c["upcoming"] for c in answer["changes"]] == [False] * 7 + [True] * 3


def test_since_a_token_held_the_day_before_gives_the_changes_that_came_and_are_coming(client, history, clock):
    held = range_file(client)["syncToken"]
    assert "198.51.100.0/24" not in str(range_file(client)), "announced: not listed before its day"
    clock.at(ANNOUNCED, dt.time(0, 0, 5))
    today = range_file(client)
    assert "198.51.100.0/24" in str(today) and today["syncToken"] != held
    with NoWrites():
        answer = get(client, f"{URL}?since={held}")
    assert answer["since"] == held and answer["sync_token"] == today["syncToken"]
    # The held list stood from 2026-06-01 (the last range change before it): what came after, upcoming included.
    assert answer["since_date"] == "2026-06-01"
    assert [(c["value"], c["action"], c["effective_on"], c["upcoming"]) for c in answer["changes"]] == [
        ("old@acme.example", "removed", "2026-09-01", False),
        ("198.51.100.0/24", "added", "2027-01-15", False),
        ("new@acme.example", "added", "2027-01-15", False),
        ("203.0.113.0/24", "removed", "2027-02-01", True),
    ]
    current = get(client, f"{URL}?since={today['syncToken']}")
    assert current["since_date"] == "2027-01-15"
    assert [(c["value"], c["upcoming"]) for c in current["changes"]] == [("203.0.113.0/24", True)]


def test_the_answer_for_all_vendors_follows_the_file_for_all_vendors(client, history, clock):
    zeta = make_vendor("zeta", "Zeta Mail", public=True)
    make_range(zeta, "192.0.2.128/25", added_on=dt.date(2026, 7, 1))
    hidden = make_vendor("hidden")
    make_range(hidden, "2001:db8:1::/48")
    held = range_file(client, "/allowlist.json")["syncToken"]
    clock.at(RETIRING)
    answer = get(client, f"/api/changes?since={held}")
    assert answer["vendor"] is None and answer["full_list"] == "/allowlist.json"
    assert answer["sync_token"] == range_file(client, "/allowlist.json")["syncToken"]
    assert answer["since_date"] == "2026-07-01"
    assert [(c["vendor"], c["value"]) for c in answer["changes"]] == [
        ("acme", "old@acme.example"),
        ("acme", "198.51.100.0/24"),
        ("acme", "new@acme.example"),
        ("acme", "203.0.113.0/24"),
    ]
    assert "2001:db8:1::" not in str(get(client, "/api/changes")), "a draft vendor's facts are in no answer"


def stored() -> tuple:
    """Everything a request could change."""
    return (
        list(Vendor.objects.values_list("slug", "facts_changed_at").order_by("slug")),
        list(IPRange.objects.values_list("network", "added_on", "retired_on").order_by("network")),
        SenderAddress.objects.count(),
        SenderDomain.objects.count(),
    )


@pytest.mark.parametrize(
    ("since", "status", "code"),
    [
        ("garbage", 400, "malformed_token"),
        ("", 400, "malformed_token"),
        ("%00", 400, "malformed_token"),
        ("A" * 64, 400, "malformed_token"),
        ("0" * 64 + "0", 400, "malformed_token"),
        ("0" * 64, 404, "unknown_token"),
    ],
)
@pytest.mark.parametrize("url", [URL, "/api/changes"])
def test_a_bad_since_is_a_clear_4xx_that_says_to_fetch_the_full_list_and_changes_nothing(
    client, history, url, since, status, code
):
    before = stored()
    with NoWrites():
        answer = get(client, f"{url}?since={since}", status=status)
    error = answer["error"]
    assert (error["status"], error["code"], error["parameter"]) == (status, code, "since")
    full_list = "/acme/allowlist.json" if url == URL else "/allowlist.json"
    assert f"Fetch the full list from {full_list}" in error["message"]
    assert stored() == before


def test_a_token_whose_list_was_replaced_long_ago_is_gone_and_changes_nothing(client, history, clock):
    clock.at(dt.date(2026, 4, 1))
    oldest = range_file(client)["syncToken"]  # replaced on 2026-06-01
    clock.at(DAY_BEFORE)
    held = range_file(client)["syncToken"]
    assert get(client, f"{URL}?since={oldest}")["since_date"] == "2026-03-01", "still kept"
    clock.at(dt.date(2026, 6, 1) + dt.timedelta(days=KEPT_DAYS + 1))
    before = stored()
    with NoWrites():
        error = get(client, f"{URL}?since={oldest}", status=410)["error"]
    assert error["code"] == "token_too_old" and "replaced on 2026-06-01" in error["message"]
    assert "/acme/allowlist.json" in error["message"]
    assert stored() == before
    assert get(client, f"{URL}?since={held}")["since_date"] == "2026-06-01", "a later list is still known"


def test_a_token_from_before_a_notes_edit_is_unknown(client, history):
    held = range_file(client)["syncToken"]
    IPRange.objects.filter(network="192.0.2.0/24").update(public_note="Main pool")
    assert get(client, f"{URL}?since={held}", status=404)["error"]["code"] == "unknown_token"


def test_an_unknown_or_draft_vendor_is_a_json_404(client, db):
    draft = make_vendor("hidden")
    make_article(draft, "guide", published=False)
    for slug in ("hidden", "nobody", "a%00b"):
        error = get(client, f"/api/vendors/{slug}/changes", status=404)["error"]
        assert (error["code"], error["parameter"]) == ("unknown_vendor", "vendor")


def test_a_renamed_vendor_redirects_with_its_question(client, history):
    history.slug = "acme-mail"
    history.save()
    response = client.get(f"{URL}?since=abc")
    assert response.status_code == 301
    assert response["Location"] == "/api/vendors/acme-mail/changes?since=abc"


def test_etag_and_304(client, history, clock):
    for url in (URL, "/api/changes", f"{URL}?since={range_file(client)['syncToken']}"):
        first = client.get(url)
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    first = client.get(URL)
    clock.at(ANNOUNCED)
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200, "upcoming flags moved"


@pytest.mark.parametrize("url", [URL, "/api/changes"])
def test_query_count_is_constant_with_the_number_of_facts(client, history, django_assert_num_queries, url):
    for count in (2, 30):
        IPRange.objects.filter(network__startswith="45.").delete()
        for n in range(count):
            make_range(history, f"45.0.{n}.0/24", added_on=dt.date(2026, 5, 1))
        token = range_file(client)["syncToken"]
        with django_assert_num_queries(5):
            answer = get(client, f"{url}?since={token}" if url == URL else url)
        assert sum(c["value"].startswith("45.") for c in answer["changes"]) == (0 if url == URL else count)
