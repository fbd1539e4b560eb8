"""A bad fact is refused on each way one is written, and nothing is stored.

The ways in are the admin's vendor pages (the vendor and its inlines saved in
one go) and the import command. Each test takes every stored row before and
after the refused write, counts them and compares their values, so a write
that slipped through, even in part, would fail it. Pasting ranges (the
``vendor_ranges_add`` service) has its refusals in
``tests/services/test_ranges.py`` and ``tests/admin/test_admin.py``.
"""

from __future__ import annotations

import pytest

from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.interchange import FORMAT
from tests.admin.forms import add_inline_row, errors_shown, form_data, vendor_form, vendor_url
from tests.interchange.test_interchange import import_error

pytestmark = pytest.mark.django_db

FACTS = (Vendor, SenderAddress, SenderDomain, IPRange)

BAD_NETWORKS = [
    ("10.0.0.0/33", "The prefix length /33 is too long"),
    ("300.1.1.1", "300 is more than 255"),
    ("3.93.157.24/24", "has host bits set"),
    ("1.2.3", "it has 3 parts"),
    ("garbage", "is not an IP address"),
    ("::ffff:1.2.3.4", "is an IPv4 address written in IPv6 form"),
    ("2001:db8::/129", "The prefix length /129 is too long"),
]

BAD_SENDERS = [
    ("sender_domains", "domain", "bad domain.com", "contains a space"),
    ("sender_addresses", "address", "not-an-address", "is not an email address"),
]

SHADOWING_SLUGS = ["admin", "search", "api", "static", "sitemap.xml", "robots.txt", "help"]


def stored() -> dict[str, list[tuple]]:
    """Every stored row of the facts models, by primary key, as plain values."""
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in FACTS}


def counts(rows: dict[str, list[tuple]]) -> dict[str, int]:
    return {name: len(values) for name, values in rows.items()}


def assert_unchanged(before: dict[str, list[tuple]]) -> None:
    after = stored()
    assert counts(after) == counts(before)
    assert after == before


def acme_file(vendor_lines: str) -> str:
    """An import file that renames Acme and gives it the facts in ``vendor_lines``."""
    return f"format: {FORMAT}\nvendors:\n  - slug: acme\n    name: Acme Renamed\n{vendor_lines}"


def post_vendor_change(admin_client, vendor, prefix: str, **row: str):
    """The vendor's change page posted back renamed, with one more inline row."""
    data = vendor_form(admin_client, vendor)
    data["name"] = "Acme Renamed"
    return admin_client.post(vendor_url(vendor), add_inline_row(data, prefix, **row))


# IP ranges ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("network", "message"), BAD_NETWORKS)
def test_a_bad_range_on_the_vendor_page_is_refused_and_nothing_is_stored(
    admin_client, acme, network, message
):
    before = stored()
    response = post_vendor_change(admin_client, acme, "ip_ranges", network=network)
    assert response.status_code == 200
    assert message in errors_shown(response)
    assert_unchanged(before)


@pytest.mark.parametrize(("network", "message"), BAD_NETWORKS)
def test_a_bad_range_in_an_import_is_refused_and_nothing_is_stored(tmp_path, acme, network, message):
    before = stored()
    text = acme_file(f'    ip_ranges:\n      - network: 203.0.113.0/24\n      - network: "{network}"\n')
    assert message in import_error(text, tmp_path)
    assert_unchanged(before)


# Sender addresses and domains ---------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "field", "value", "message"), BAD_SENDERS)
def test_a_bad_sender_on_the_vendor_page_is_refused_and_nothing_is_stored(
    admin_client, acme, prefix, field, value, message
):
    before = stored()
    response = post_vendor_change(admin_client, acme, prefix, **{field: value})
    assert response.status_code == 200
    assert message in errors_shown(response)
    assert_unchanged(before)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('    sender_domains: [news.acme.example, "bad domain.com"]\n', "contains a space"),
        (
            "    sender_addresses:\n      - address: news@acme.example\n      - address: not-an-address\n",
            "is not an email address",
        ),
    ],
    ids=["domain", "address"],
)
def test_a_bad_sender_in_an_import_is_refused_and_nothing_is_stored(tmp_path, acme, lines, message):
    text = acme_file(lines)
    before = stored()
    assert message in import_error(text, tmp_path)
    assert_unchanged(before)


# Vendor slugs -------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SHADOWING_SLUGS)
def test_a_vendor_slug_that_shadows_a_site_url_is_refused_on_the_add_page_and_nothing_is_stored(
    admin_client, acme, slug
):
    data = form_data(admin_client.get("/admin/articles/vendor/add/"), "vendor_form")
    data.update({"name": "Shadow", "slug": slug})
    add_inline_row(data, "sender_domains", domain="shadow.example")
    add_inline_row(data, "ip_ranges", network="203.0.113.0/24")
    before = stored()
    response = admin_client.post("/admin/articles/vendor/add/", data)
    assert response.status_code == 200
    shown = errors_shown(response)
    assert "the site itself uses" in shown or "valid" in shown
    assert_unchanged(before)


@pytest.mark.parametrize("slug", SHADOWING_SLUGS)
def test_a_vendor_slug_that_shadows_a_site_url_is_refused_in_an_import_and_nothing_is_stored(
    tmp_path, acme, slug
):
    text = (
        f"format: {FORMAT}\nvendors:\n"
        "  - slug: acme\n    name: Acme Renamed\n"
        f'  - slug: "{slug}"\n    name: Shadow\n    sender_domains: [shadow.example]\n'
    )
    before = stored()
    message = import_error(text, tmp_path)
    assert "the site itself uses" in message or "valid" in message
    assert_unchanged(before)
