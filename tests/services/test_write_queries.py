"""The cost of every write path, pinned: a write costs its own rows, never a re-render per row.

Each path is measured twice for a vendor with 20 articles: writing one range
and writing fifty. What the write sets off (the vendor's "facts changed" time,
re-indexing its articles) is carried out once per request, so the difference
is only each extra range's own checks and insert.
"""

from __future__ import annotations

import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.facts.models import IPRange, Vendor
from articles.interchange import export_helpcenter, import_text
from articles.search.models import SearchDocument
from articles.services import ranges as services
from tests.admin.forms import add_inline_row, vendor_form, vendor_url
from tests.conftest import make_article, make_client

ARTICLES = 20
#: Keeping the revision (services/changes.py): the vendor and its three kinds of
#: fact read once as they now stand, reversion's check of which of those four
#: still exist, the revision's insert and one bulk insert of its versions.
REVISION = 10
#: Announcing the new changes (notify/announce.py): the change log's three
#: queries, the changes already announced, the new ones inserted, the public
#: vendors, their subscribers and webhook endpoints (none here, so nothing more).
ANNOUNCE = 8
#: Re-indexing replaces the articles' search sections: one delete, one bulk insert.
SECTIONS = 2


def queries(action) -> int:
    """The queries ``action`` runs. Tests write once before measuring, so that
    per-process caches (content types, for the admin's history) are warm and
    the counts do not depend on which tests ran before."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def networks(first: int, count: int) -> list[str]:
    return [f"45.{first}.{n}.0/24" for n in range(count)]


def with_articles(vendor: Vendor) -> Vendor:
    gmail = make_client("gmail", "Gmail", steps=["Mark {{ primary_address }} as not spam."])
    for number in range(ARTICLES):
        make_article(vendor, f"guide-{number}", clients=[gmail], body="{{ range_count }} ranges.")
    return vendor


def facts_changed_at(vendor: Vendor):
    return Vendor.objects.values_list("facts_changed_at", flat=True).get(pk=vendor.pk)


def test_a_paste_costs_the_same_queries_for_one_range_as_for_fifty(acme):
    with_articles(acme)
    one = queries(lambda: services.vendor_ranges_add(vendor=acme, text=networks(1, 1)[0], tier="primary"))
    fifty = queries(
        lambda: services.vendor_ranges_add(vendor=acme, text="\n".join(networks(2, 50)), tier="primary")
    )
    # One bulk INSERT for the new ranges (tests/admin/test_big_vendors.py: 10,000 of them).
    assert fifty == one
    assert one == 20 + REVISION + ANNOUNCE + SECTIONS
    assert IPRange.objects.filter(vendor=acme).count() == 2 + 51


def test_a_paste_re_indexes_each_article_once_with_the_new_ranges(acme):
    with_articles(acme)
    before = facts_changed_at(acme)
    with CaptureQueriesContext(connection) as captured:
        services.vendor_ranges_add(vendor=acme, text="\n".join(networks(2, 50)), tier="primary")
    document_writes = [q for q in captured if 'INTO "articles_searchdocument"' in q["sql"]]
    section_writes = [q for q in captured if 'INTO "articles_searchsection"' in q["sql"]]
    vendor_updates = [q for q in captured if q["sql"].startswith('UPDATE "articles_vendor"')]
    assert len(document_writes) == 1 and len(section_writes) == 1 and len(vendor_updates) == 1
    assert facts_changed_at(acme) > before
    assert SearchDocument.objects.filter(article__vendor=acme, body__contains="52 ranges").count() == ARTICLES


def _inline_save(client, vendor, nets: list[str]):
    data = vendor_form(client, vendor)
    for network in nets:
        add_inline_row(data, "ip_ranges", network=network, tier="additional", added_on="2026-01-01")
    response = client.post(vendor_url(vendor), data)
    assert response.status_code == 302, response.content[:2000]


def test_the_vendor_pages_inline_save_costs_a_few_queries_per_extra_range(admin_client, acme):
    with_articles(acme)
    _inline_save(admin_client, acme, networks(9, 1))
    one = queries(lambda: _inline_save(admin_client, acme, networks(1, 1)))
    fifty = queries(lambda: _inline_save(admin_client, acme, networks(2, 50)))
    # Each new row: its vendor looked up, its uniqueness checked (in a savepoint), its insert.
    # 47: the form's page reads the history of its facts in two queries (revisions/trace.py);
    # one more for the version check: the vendor row locked and its version read (admin/locking.py);
    # one more: the vendor read again to decide whether this save is a proposal (admin/proposals.py).
    assert (one, fifty) == (
        47 + REVISION + ANNOUNCE + SECTIONS + 2,
        47 + REVISION + ANNOUNCE + SECTIONS + 2 + 49 * 4 + 1,
    )
    assert IPRange.objects.filter(vendor=acme).count() == 3 + 51
    assert SearchDocument.objects.filter(article__vendor=acme, body__contains="54 ranges").count() == ARTICLES


def test_a_description_change_in_the_admin_leaves_the_facts_changed_time(admin_client, acme):
    before = facts_changed_at(acme)
    data = vendor_form(admin_client, acme)
    data["description"] = "A new description, not a fact."
    assert admin_client.post(vendor_url(acme), data).status_code == 302
    assert facts_changed_at(acme) == before


def test_a_rename_in_the_admin_moves_the_facts_changed_time(admin_client, acme):
    before = facts_changed_at(acme)
    data = vendor_form(admin_client, acme)
    data["name"] = "Acme Mailing"
    assert admin_client.post(vendor_url(acme), data).status_code == 302
    assert facts_changed_at(acme) > before


def _import_ranges(nets: list[str]) -> None:
    document = yaml.safe_load(export_helpcenter())
    vendor = next(v for v in document["vendors"] if v["slug"] == "acme")
    vendor["ip_ranges"].extend({"network": network, "tier": "additional"} for network in nets)
    import_text(text=yaml.safe_dump(document, allow_unicode=True, sort_keys=False))


def test_an_import_costs_a_few_queries_per_extra_range(acme):
    with_articles(acme)
    one = queries(lambda: _import_ranges(networks(1, 1)))
    fifty = queries(lambda: _import_ranges(networks(2, 50)))
    # Each new range: its vendor looked up, its uniqueness checked (in a savepoint), its insert.
    assert one == 42 + REVISION + ANNOUNCE + SECTIONS
    assert fifty - one == 49 * 5
    assert IPRange.objects.filter(vendor=acme).count() == 2 + 51


def _retire_data(ranges: list[IPRange]) -> dict:
    """The list's form: each row carries its vendor's version, read here, before measuring (admin/locking.py)."""
    version = Vendor.objects.values_list("edit_version", flat=True).get(pk=ranges[0].vendor_id)
    chosen = [str(r.pk) for r in ranges]
    return {
        "action": "retire_today",
        "_selected_action": chosen,
        **{f"_version_{pk}": version for pk in chosen},
    }


def _retire(client, data: dict) -> None:
    response = client.post("/admin/articles/iprange/", data)
    assert response.status_code == 302
    assert b"Nothing was done" not in client.get("/admin/articles/iprange/").content


def test_the_retire_action_costs_a_few_queries_per_extra_range(admin_client, acme):
    with_articles(acme)
    services.vendor_ranges_add(vendor=acme, text="\n".join(networks(3, 22)), tier="primary")
    added = list(IPRange.objects.filter(vendor=acme, network__startswith="45.").order_by("pk"))
    _retire(admin_client, _retire_data(added[:1]))
    data = _retire_data(added[1:2])
    one = queries(lambda: admin_client.post("/admin/articles/iprange/", data))
    data = _retire_data(added[2:])
    twenty = queries(lambda: admin_client.post("/admin/articles/iprange/", data))
    # Each further range: its vendor looked up, a savepoint for its checks, its update, its history line.
    # The version check: the ranges, then their vendor locked (admin/locking.py).
    assert (one, twenty) == (
        29 + REVISION + ANNOUNCE + SECTIONS + 2,
        29 + REVISION + ANNOUNCE + SECTIONS + 2 + 19 * 5,
    )
    assert not IPRange.objects.active().filter(network__startswith="45.").exists()
