"""The admin support staff work in: pages, inlines, pasting ranges, previews, validation.

Forms are submitted the way a browser would: the change page is fetched, its
form read field by field (``form_data``), a few values changed and the whole
form posted back, inlines and management forms included.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import timezone

from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from tests.admin.forms import (
    add_inline_row,
    article_add_data,
    article_url,
    errors_shown,
    form_data,
    inline_row,
    paste,
    paste_url,
    staff_user,
    vendor_facts,
    vendor_form,
    vendor_url,
)
from tests.conftest import make_article, make_client, make_range, make_vendor


@pytest.fixture
def gmail(db) -> MailClient:
    return make_client("gmail", "Gmail", steps=["Open Gmail.", "Mark {{ primary_address }} as not spam."])


# Markdown preview ---------------------------------------------------------------------------


def test_markdown_preview_gives_staff_sanitised_html_with_example_facts(admin_client):
    response = admin_client.post(
        "/admin/markdownx/markdownify/",
        {"content": "Allow **{{ vendor }}**<script>alert('x')</script> [x](javascript:alert(1))"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Example Vendor</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html


def test_markdown_preview_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.post("/admin/markdownx/markdownify/", {"content": "**hi**"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/admin/articles/article/add/", ["body"]),
        ("/admin/articles/steplist/add/", ["intro", "steps-0-text", "steps-__prefix__-text"]),
    ],
)
def test_every_markdown_field_has_the_live_preview(admin_client, url, fields):
    html = admin_client.get(url).content.decode()
    for name in fields:
        editor = re.search(rf'<textarea [^>]*name="{re.escape(name)}"[^>]*>', html).group(0)
        assert "markdownx-editor" in editor
        assert 'data-markdownx-urls-path="/admin/markdownx/markdownify/"' in editor
    assert html.count('class="markdownx-preview"') == len(fields)


def test_markdown_preview_script_and_style_come_from_our_own_static_files(admin_client):
    html = admin_client.get("/admin/articles/steplist/add/").content.decode()
    sources = re.findall(r'<(?:script|link)[^>]* (?:src|href)="([^"]+)"', html)
    assert not [s for s in sources if "//" in s], "no third-party requests"
    markdownx_files = [s for s in sources if "/markdownx/" in s and s.startswith("/static/")]
    assert {s.rsplit(".", 1)[-1] for s in markdownx_files} == {"js", "css"}
    assert any("admin-markdown-inlines" in s for s in sources)
    for source in markdownx_files:
        assert admin_client.get(source).status_code == 200


# Every page answers -------------------------------------------------------------------------


@pytest.fixture
def stocked(acme, gmail):
    """One of everything, so that every change page has an object to show."""
    StepList.objects.create(mail_client=gmail, vendor=acme, intro="Acme's own steps.")
    article = make_article(acme, "guide", clients=[gmail], body="Allow {{ vendor }}.")
    return {"vendor": acme, "client": gmail, "article": article}


def test_every_admin_page_answers_for_staff(admin_client, stocked):
    acme, gmail, article = stocked["vendor"], stocked["client"], stocked["article"]
    step_list = StepList.objects.get(vendor__isnull=True)
    ip_range = IPRange.objects.first()
    urls = [
        "/admin/",
        "/admin/articles/",
        *(
            f"/admin/articles/{model}/"
            for model in ["vendor", "iprange", "mailclient", "steplist", "article"]
        ),
        *(
            f"/admin/articles/{model}/add/"
            for model in ["vendor", "iprange", "mailclient", "steplist", "article"]
        ),
        vendor_url(acme),
        paste_url(acme),
        f"/admin/articles/iprange/{ip_range.pk}/change/",
        f"/admin/articles/mailclient/{gmail.pk}/change/",
        f"/admin/articles/steplist/{step_list.pk}/change/",
        f"/admin/articles/article/{article.pk}/change/",
        f"/admin/articles/article/{article.pk}/preview/",
    ]
    for url in urls:
        assert admin_client.get(url).status_code == 200, url


def _grow(gmail: MailClient, prefix: str, count: int) -> None:
    """``count`` vendors, each with facts, steps and articles, and as many mail clients."""
    for n in range(count):
        vendor = make_vendor(f"{prefix}-{n}")
        SenderAddress.objects.create(vendor=vendor, address=f"news@{prefix}{n}.example")
        SenderDomain.objects.create(vendor=vendor, domain=f"{prefix}{n}.example")
        make_range(vendor, f"45.{n}.0.0/16")
        make_range(vendor, f"45.{n}.1.0/24", "additional")
        StepList.objects.create(mail_client=gmail, vendor=vendor)
        make_article(vendor, "guide", clients=[gmail])
        make_article(vendor, "draft", published=False)
        make_client(f"{prefix}-client-{n}", steps=["Step one.", "Step two."])


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/admin/articles/vendor/", 5),
        ("/admin/articles/iprange/", 7),
        ("/admin/articles/iprange/?retired=no&tier=primary&q=45.1.2.3", 7),
        ("/admin/articles/mailclient/", 6),
        ("/admin/articles/steplist/", 7),
        ("/admin/articles/article/", 8),
    ],
)
def test_changelist_queries_do_not_grow_with_the_data(
    admin_client, gmail, django_assert_num_queries, url, queries
):
    _grow(gmail, "few", 2)
    admin_client.get(url)  # Warm the session and content types, as a returning user would.
    with django_assert_num_queries(queries):
        assert admin_client.get(url).status_code == 200
    _grow(gmail, "many", 8)
    with django_assert_num_queries(queries):
        assert admin_client.get(url).status_code == 200


# The vendor page: addresses, domains and ranges inline -----------------------------------------


def test_vendor_page_stores_an_international_domain_in_its_ascii_form(admin_client, acme):
    data = add_inline_row(vendor_form(admin_client, acme), "sender_domains", domain="Bücher.example")
    response = admin_client.post(vendor_url(acme), data)
    assert response.status_code == 302, errors_shown(response)
    assert set(acme.sender_domains.values_list("domain", flat=True)) == {
        "acme.example",
        "xn--bcher-kva.example",
    }
    assert "bücher.example" in admin_client.get(vendor_url(acme)).content.decode()


@pytest.mark.parametrize(
    ("prefix", "row", "message"),
    [
        ("sender_domains", {"domain": "acme mail.example"}, "“acme mail.example” contains a space"),
        ("sender_domains", {"domain": "alerts@acme.example"}, "looks like an email address"),
        ("sender_domains", {"domain": "ACME.example."}, "This vendor already has that sender domain."),
        ("sender_addresses", {"address": "alerts at acme.example"}, "is not an email address"),
        ("sender_addresses", {"address": "alerts@acme..example"}, "is not a valid email address"),
        (
            "sender_addresses",
            {"address": "alerts@acme.example"},
            "This vendor already has that sender address.",
        ),
        (
            "sender_addresses",
            {"address": " Alerts@ACME.example "},
            "This vendor already has that sender address.",
        ),
        ("ip_ranges", {"network": "10.0.0.0/33"}, "The prefix length /33 is too long"),
        ("ip_ranges", {"network": "3.93.157.24/24"}, "has host bits set"),
        ("ip_ranges", {"network": "192.0.2.0/24"}, "This vendor already lists that range."),
    ],
)
def test_vendor_page_refuses_a_bad_fact_with_a_clear_message_and_changes_nothing(
    admin_client, acme, prefix, row, message
):
    before = vendor_facts(acme)
    data = vendor_form(admin_client, acme)
    data["name"] = "Acme Renamed"
    response = admin_client.post(vendor_url(acme), add_inline_row(data, prefix, **row))
    assert response.status_code == 200
    assert message in errors_shown(response)
    assert vendor_facts(acme) == before


@pytest.mark.parametrize(
    ("prefix", "field", "first", "second", "message"),
    [
        (
            "sender_addresses",
            "address",
            "news@acme.example",
            "news@acme.example",
            "This email address is entered twice",
        ),
        (
            "sender_addresses",
            "address",
            "news@acme.example",
            "News@ACME.example",
            "This email address is entered twice",
        ),
        (
            "sender_domains",
            "domain",
            "bücher.example",
            "xn--bcher-kva.example",
            "This domain is entered twice",
        ),
        ("ip_ranges", "network", "203.0.113.9", "203.0.113.9/32", "This network is entered twice"),
    ],
)
def test_vendor_page_refuses_the_same_fact_on_two_new_rows(
    admin_client, acme, prefix, field, first, second, message
):
    before = vendor_facts(acme)
    data = add_inline_row(vendor_form(admin_client, acme), prefix, **{field: first})
    data = add_inline_row(data, prefix, **{field: second})
    if prefix == "ip_ranges":
        index = int(data["ip_ranges-TOTAL_FORMS"]) - 1
        data[f"ip_ranges-{index}-tier"] = "primary"
        data[f"ip_ranges-{index}-added_on"] = data["ip_ranges-2-added_on"]
    response = admin_client.post(vendor_url(acme), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert vendor_facts(acme) == before


def test_vendor_page_puts_a_new_address_without_a_position_last(admin_client, acme):
    SenderAddress.objects.filter(vendor=acme).update(position=20)
    data = add_inline_row(vendor_form(admin_client, acme), "sender_addresses", address="billing@acme.example")
    assert admin_client.post(vendor_url(acme), data).status_code == 302
    assert list(acme.sender_addresses.values_list("address", "position")) == [
        ("alerts@acme.example", 20),
        ("billing@acme.example", 30),
    ]


def test_vendor_page_keeps_a_saved_range_as_it_was_and_offers_no_delete_box(admin_client, acme):
    ip_range = acme.ip_ranges.get(network="192.0.2.0/24")
    data = vendor_form(admin_client, acme)
    row = inline_row(data, "ip_ranges", ip_range.pk)
    assert f"{row}-network" not in data  # shown, but not editable
    assert f"{row}-DELETE" not in data
    data[f"{row}-network"] = "203.0.113.0/24"
    data[f"{row}-public_note"] = "Main pool"
    data[f"{row}-staff_note"] = "checked in November"
    assert admin_client.post(vendor_url(acme), data).status_code == 302
    assert list(acme.ip_ranges.order_by("pk").values_list("network", "public_note", "staff_note")) == [
        ("192.0.2.0/24", "Main pool", "checked in November"),
        ("198.51.100.7/32", "", ""),
    ]


def test_vendor_page_flags_overlapping_ranges(admin_client, acme):
    make_range(acme, "192.0.2.24", "primary")
    html = admin_client.get(vendor_url(acme)).content.decode()
    assert "inside 192.0.2.0/24" in html
    assert "contains 192.0.2.24/32" in html


def test_vendor_page_shows_a_retired_range_with_its_date(admin_client, acme):
    make_range(acme, "203.0.113.0/24", added_on=dt.date(2024, 1, 1), retired_on=dt.date(2025, 1, 1))
    html = admin_client.get(vendor_url(acme)).content.decode()
    assert 'value="2025-01-01"' in html
    assert ">retired<" in html


def test_vendor_page_links_to_the_vendors_own_steps(admin_client, acme, gmail):
    own = StepList.objects.create(mail_client=gmail, vendor=acme)
    html = admin_client.get(vendor_url(acme)).content.decode()
    assert f'href="/admin/articles/steplist/{own.pk}/change/"' in html
    assert f'href="/admin/articles/steplist/add/?vendor={acme.pk}"' in html


def test_vendor_page_queries_do_not_grow_with_the_facts(admin_client, acme, gmail, django_assert_num_queries):
    admin_client.get(vendor_url(acme))
    # Two of them read the history of every fact on the page (revisions/trace.py).
    with django_assert_num_queries(10):
        assert admin_client.get(vendor_url(acme)).status_code == 200
    for n in range(30):
        SenderAddress.objects.create(vendor=acme, address=f"team{n}@acme.example", position=n)
        SenderDomain.objects.create(vendor=acme, domain=f"mail{n}.acme.example")
        if n < 20:  # inline up to RANGE_INLINE_LIMIT; above it, see tests/admin/test_big_vendors.py
            make_range(acme, f"45.0.{n}.0/24", "additional")
            make_range(acme, f"45.0.{n}.1")
    for n in range(5):
        StepList.objects.create(mail_client=make_client(f"client-{n}"), vendor=acme)
    with django_assert_num_queries(10):
        assert admin_client.get(vendor_url(acme)).status_code == 200


def test_vendor_search_finds_who_sends_from_an_ip_address(admin_client, acme):
    other = make_vendor("other", "Other Mail")
    make_range(other, "203.0.113.0/24")
    html = admin_client.get("/admin/articles/vendor/?q=192.0.2.77").content.decode()
    assert "Acme Mail" in html
    assert "Other Mail" not in html


# Pasting many ranges -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("192.0.2.200\n10.0.0.0/33", "The prefix length /33 is too long: IPv4 allows at most /32."),
        ("300.1.1.1\n203.0.113.0/24", "“300.1.1.1” is not an IPv4 address: 300 is more than 255."),
        ("3.93.157.24/24", "“3.93.157.24/24” has host bits set"),
        ("1.2.3", "“1.2.3” is not an IPv4 address: it has 3 parts, an address has 4."),
        ("", "Paste at least one IP address or range."),
        ("  \n\n", "Paste at least one IP address or range."),
        ("203.0.113.0/24\ngarbage", "“garbage” is not an IP address or a CIDR range"),
        ("::ffff:1.2.3.4", "is an IPv4 address written in IPv6 form; enter it as 1.2.3.4."),
        ("2001:db8::/129", "The prefix length /129 is too long: IPv6 allows at most /128."),
    ],
)
def test_paste_gives_each_bad_line_its_reason_and_saves_nothing(admin_client, acme, text, message):
    before = vendor_facts(acme)
    response = paste(admin_client, acme, text)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Nothing was saved" in html
    assert 'class="verdict-invalid"' in html
    assert vendor_facts(acme) == before


def test_paste_check_shows_verdicts_and_saves_nothing(admin_client, acme):
    before = vendor_facts(acme)
    response = paste(admin_client, acme, "[3.93.157.24]\n2001:DB8::/32\n192.0.2.0/24", save=False)
    html = response.content.decode()
    assert "3.93.157.24/32 accepted, written from “[3.93.157.24]”." in html
    assert "2001:db8::/32 accepted, written from “2001:DB8::/32”." in html
    assert "192.0.2.0/24 is already listed for Acme Mail; this line is skipped." in html
    assert "2 ranges to add, 1 already listed or repeated, 0 invalid." in html
    assert vendor_facts(acme) == before


def test_paste_saves_normalised_lines_together_and_says_so(admin_client, acme):
    response = paste(
        admin_client,
        acme,
        "[3.93.157.24]\n2001:DB8::/32\n",
        tier="additional",
        public_note="US pool",
        staff_note="2025 list",
    )
    assert response.status_code == 302
    assert response["Location"] == vendor_url(acme) + "#ip_ranges-group"
    added = acme.ip_ranges.filter(public_note="US pool", staff_note="2025 list").order_by("version")
    assert [(r.network, r.tier) for r in added] == [
        ("3.93.157.24/32", "additional"),
        ("2001:db8::/32", "additional"),
    ]
    html = admin_client.get(response["Location"]).content.decode()
    assert "Added 2 IP ranges to Acme Mail." in html
    entry = LogEntry.objects.get(object_id=str(acme.pk))
    assert "3.93.157.24/32" in entry.get_change_message()


def test_paste_skips_duplicates_of_listed_ranges_and_of_earlier_lines(admin_client, acme):
    text = "192.0.2.0/24\n203.0.113.5\n203.0.113.5/32"
    html = paste(admin_client, acme, text, save=False).content.decode()
    assert "192.0.2.0/24 is already listed for Acme Mail; this line is skipped." in html
    assert "203.0.113.5/32 repeats line 2; this line is skipped." in html
    response = paste(admin_client, acme, text)
    assert list(acme.ip_ranges.order_by("pk").values_list("network", flat=True)) == [
        "192.0.2.0/24",
        "198.51.100.7/32",
        "203.0.113.5/32",
    ]
    assert (
        "Added 1 IP range to Acme Mail; 2 duplicate lines skipped."
        in admin_client.get(response["Location"]).content.decode()
    )


def test_paste_of_only_listed_ranges_adds_nothing_and_says_so(admin_client, acme):
    before = vendor_facts(acme)
    response = paste(admin_client, acme, "192.0.2.0/24\n198.51.100.7")
    assert response.status_code == 302
    assert (
        "Nothing to add: every line is already listed for Acme Mail."
        in admin_client.get(response["Location"]).content.decode()
    )
    assert vendor_facts(acme) == before


def test_paste_flags_overlaps_but_accepts_them(admin_client, acme):
    html = paste(admin_client, acme, "192.0.2.24\n198.51.100.0/24", save=False).content.decode()
    assert "inside 192.0.2.0/24 (already listed)" in html
    assert "contains 198.51.100.7/32 (already listed)" in html
    assert paste(admin_client, acme, "192.0.2.24\n198.51.100.0/24").status_code == 302
    assert acme.ip_ranges.filter(network__in=["192.0.2.24/32", "198.51.100.0/24"]).count() == 2


def test_paste_previews_the_shortest_equivalent_list(admin_client, acme):
    html = paste(admin_client, acme, "192.0.3.0/24\n198.51.100.0/24", save=False).content.decode()
    assert (
        "After saving, Acme Mail would publish 4 ranges. The same addresses can be written as these 2:"
        in html
    )
    assert "<code>192.0.2.0/23</code>" in html
    assert "<code>198.51.100.0/24</code>" in html


def test_paste_keeps_what_was_typed_when_a_field_is_refused(admin_client, acme):
    before = vendor_facts(acme)
    response = paste(admin_client, acme, "203.0.113.0/24", staff_note="x" * 201)
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in errors_shown(response)
    assert "203.0.113.0/24</textarea>" in response.content.decode()
    assert vendor_facts(acme) == before


def test_paste_page_queries_do_not_grow_with_the_lines(admin_client, acme, django_assert_num_queries):
    few = "\n".join(f"198.18.{n}.0/24" for n in range(3))
    many = "\n".join(f"198.18.{n}.0/24" for n in range(60)) + "\n192.0.2.9\nnot an address"
    paste(admin_client, acme, few, save=False)
    with django_assert_num_queries(4):
        assert paste(admin_client, acme, few, save=False).status_code == 200
    with django_assert_num_queries(4):
        assert paste(admin_client, acme, many, save=False).status_code == 200


def test_paste_page_needs_a_login(client, acme):
    response = client.get(paste_url(acme))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("perms", [(), ("view_vendor",), ("change_vendor",), ("view_vendor", "add_iprange")])
def test_paste_page_needs_permission_to_change_the_vendor_and_add_ranges(acme, perms):
    client = staff_user(*perms)
    before = vendor_facts(acme)
    assert client.get(paste_url(acme)).status_code == 403
    assert paste(client, acme, "203.0.113.0/24").status_code == 403
    assert vendor_facts(acme) == before


def test_paste_page_works_for_staff_with_just_those_permissions(acme):
    client = staff_user("change_vendor", "add_iprange")
    assert "Paste many ranges" in client.get(vendor_url(acme)).content.decode()
    assert paste(client, acme, "203.0.113.0/24").status_code == 302
    assert acme.ip_ranges.filter(network="203.0.113.0/24").exists()


def test_vendor_page_hides_the_paste_button_without_permission_to_add_ranges(acme):
    client = staff_user("change_vendor", "view_iprange")
    assert "Paste many ranges" not in client.get(vendor_url(acme)).content.decode()


def test_paste_page_refuses_a_post_without_the_csrf_token(admin_user, acme):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    before = vendor_facts(acme)
    assert paste(client, acme, "203.0.113.0/24").status_code == 403
    assert vendor_facts(acme) == before


def test_paste_page_for_a_vendor_that_does_not_exist_goes_back_to_the_admin(admin_client, db):
    response = admin_client.get("/admin/articles/vendor/999/ranges/paste/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


# IP ranges list: retire, never delete silently ----------------------------------------------------


def test_retire_action_keeps_the_ranges_and_takes_them_out_of_the_published_lists(admin_client, acme):
    chosen = list(acme.ip_ranges.order_by("pk").values_list("pk", flat=True))
    acme.refresh_from_db()  # each row carries its vendor's version, as the list shows it (admin/locking.py)
    versions = {f"_version_{pk}": acme.edit_version for pk in chosen}
    response = admin_client.post(
        "/admin/articles/iprange/",
        {"action": "retire_today", "_selected_action": chosen, **versions},
        follow=True,
    )
    assert "Retired 2 ranges as of today." in response.content.decode()
    assert list(acme.ip_ranges.values_list("retired_on", flat=True)) == [timezone.localdate()] * 2
    assert not acme.ip_ranges.active().exists()


def test_ip_range_list_offers_no_bulk_delete(admin_client, acme):
    html = admin_client.get("/admin/articles/iprange/").content.decode()
    assert 'value="retire_today"' in html
    assert 'value="delete_selected"' not in html


def test_ip_range_search_finds_the_range_covering_an_address(admin_client, acme):
    html = admin_client.get("/admin/articles/iprange/?q=192.0.2.77").content.decode()
    assert "192.0.2.0/24" in html
    assert "198.51.100.7/32" not in html


def test_ip_range_list_filters_retired_ranges(admin_client, acme):
    make_range(acme, "203.0.113.0/24", added_on=dt.date(2024, 1, 1), retired_on=dt.date(2025, 1, 1))
    published = admin_client.get("/admin/articles/iprange/?retired=no").content.decode()
    retired = admin_client.get("/admin/articles/iprange/?retired=yes").content.decode()
    assert "192.0.2.0/24" in published and "203.0.113.0/24" not in published
    assert "203.0.113.0/24" in retired and "192.0.2.0/24" not in retired


def test_ip_range_page_shows_a_saved_network_read_only(admin_client, acme):
    ip_range = acme.ip_ranges.get(network="192.0.2.0/24")
    response = admin_client.get(f"/admin/articles/iprange/{ip_range.pk}/change/")
    assert 'name="network"' not in response.content.decode()
    assert "retire" in response.content.decode()


# Mail clients and steps ------------------------------------------------------------------------


def steplist_url(step_list: StepList) -> str:
    return f"/admin/articles/steplist/{step_list.pk}/change/"


def test_step_list_page_shows_steps_in_position_order(admin_client, gmail):
    step_list = gmail.step_lists.get()
    Step.objects.filter(step_list=step_list, text="Open Gmail.").update(position=50)
    html = admin_client.get(steplist_url(step_list)).content.decode()
    assert html.index("Mark {{ primary_address }} as not spam.") < html.index("Open Gmail.")


def test_new_steps_without_a_position_go_last_spaced_by_ten(admin_client, gmail):
    step_list = gmail.step_lists.get()
    data = form_data(admin_client.get(steplist_url(step_list)), "steplist_form")
    data = add_inline_row(data, "steps", text="Click **Not spam**.")
    data = add_inline_row(data, "steps", text="Add {{ primary_address }} to your contacts.")
    response = admin_client.post(steplist_url(step_list), data)
    assert response.status_code == 302, errors_shown(response)
    assert list(step_list.steps.values_list("position", "text")) == [
        (0, "Open Gmail."),
        (1, "Mark {{ primary_address }} as not spam."),
        (11, "Click **Not spam**."),
        (21, "Add {{ primary_address }} to your contacts."),
    ]


def test_step_with_an_unknown_placeholder_is_refused_and_nothing_changes(admin_client, gmail):
    step_list = gmail.step_lists.get()
    before = list(Step.objects.order_by("pk").values_list())
    data = form_data(admin_client.get(steplist_url(step_list)), "steplist_form")
    data["steps-0-text"] = "Open {{ vendr }} in Gmail."
    response = admin_client.post(steplist_url(step_list), data)
    assert response.status_code == 200
    assert "Unknown placeholder {{ vendr }}." in errors_shown(response)
    assert list(Step.objects.order_by("pk").values_list()) == before


def test_step_list_add_page_takes_the_vendor_and_client_from_the_link(admin_client, acme, gmail):
    html = admin_client.get(
        f"/admin/articles/steplist/add/?vendor={acme.pk}&mail_client={gmail.pk}"
    ).content.decode()
    assert f'<option value="{acme.pk}" selected>' in html
    assert f'<option value="{gmail.pk}" selected>' in html


def test_mail_client_list_shows_which_vendors_override_the_generic_steps(admin_client, acme, gmail):
    StepList.objects.create(mail_client=gmail, vendor=acme)
    html = admin_client.get("/admin/articles/mailclient/").content.decode()
    assert re.search(r'<td class="field-overridden_by">Acme Mail</td>', html)
    assert re.search(r'<td class="field-generic_steps">2</td>', html)


def test_step_list_filter_tells_generic_from_vendors_own(admin_client, acme, gmail):
    StepList.objects.create(mail_client=gmail, vendor=acme)
    generic = admin_client.get("/admin/articles/steplist/?owner=generic").content.decode()
    own = admin_client.get("/admin/articles/steplist/?owner=vendor").content.decode()
    assert "Generic (every vendor)</td>" in generic and "Acme Mail</td>" not in generic
    assert "Acme Mail</td>" in own and "Generic (every vendor)</td>" not in own


# Articles ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"published": False},
        {"published_at": timezone.now() + dt.timedelta(days=7)},
    ],
    ids=["draft", "future"],
)
def test_staff_preview_an_article_the_public_cannot_see(admin_client, client, acme, gmail, fields):
    article = make_article(
        acme, "new-guide", clients=[gmail], title="New Acme guide", body="Allow {{ vendor }}.", **fields
    )
    assert client.get("/acme/new-guide/").status_code == 404
    response = admin_client.get(article_url(article, "preview/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "New Acme guide" in html
    assert "Allow Acme Mail." in html
    assert "Mark alerts@acme.example as not spam." in html
    assert "Preview" in html
    assert response["X-Robots-Tag"] == "noindex"
    assert "private" in response["Cache-Control"]


def test_article_preview_needs_permission_to_view_articles(acme):
    article = make_article(acme, "draft", published=False)
    assert staff_user().get(article_url(article, "preview/")).status_code == 403
    editor = staff_user("view_article", username="editor")
    assert editor.get(article_url(article, "preview/")).status_code == 200


def test_article_page_links_to_the_preview_and_to_the_site_only_when_public(admin_client, acme):
    draft = make_article(acme, "draft", published=False)
    public = make_article(acme, "guide")
    draft_html = admin_client.get(article_url(draft)).content.decode()
    public_html = admin_client.get(article_url(public)).content.decode()
    assert article_url(draft, "preview/") in draft_html
    assert "View on site" not in draft_html
    assert "View on site" in public_html


def test_article_with_an_unknown_placeholder_is_refused_with_the_placeholders_listed(admin_client, acme):
    data = article_add_data(admin_client, acme, body="Mail from {{ vendr }} lands in spam.")
    response = admin_client.post("/admin/articles/article/add/", data)
    assert response.status_code == 200
    shown = errors_shown(response)
    assert "Unknown placeholder {{ vendr }}. The placeholders you can use are: {{ vendor }}" in shown
    assert not Article.objects.exists()


def test_publishing_without_a_time_publishes_now(admin_client, acme):
    data = article_add_data(admin_client, acme, status="published", body="Allow {{ vendor }}.")
    data["published_at_0"] = data["published_at_1"] = ""
    before = timezone.now()
    response = admin_client.post("/admin/articles/article/add/", data)
    assert response.status_code == 302, errors_shown(response)
    article = Article.objects.get()
    assert before <= article.published_at <= timezone.now()
    assert article.is_public


def test_article_sections_without_a_position_go_last(admin_client, acme, gmail):
    outlook = make_client("outlook", "Outlook")
    article = make_article(acme, "guide", clients=[gmail])
    data = form_data(admin_client.get(article_url(article)), "article_form")
    data = add_inline_row(data, "client_sections", mail_client=str(outlook.pk))
    response = admin_client.post(article_url(article), data)
    assert response.status_code == 302, errors_shown(response)
    assert list(
        ArticleClient.objects.filter(article=article).values_list("mail_client__slug", "position")
    ) == [
        ("gmail", 0),
        ("outlook", 10),
    ]


def test_article_page_queries_do_not_grow_with_its_sections(admin_client, acme, django_assert_num_queries):
    clients = [make_client(f"client-{n}") for n in range(8)]
    article = make_article(acme, "guide", clients=clients[:1])
    admin_client.get(article_url(article))
    with django_assert_num_queries(7):
        assert admin_client.get(article_url(article)).status_code == 200
    for position, mail_client in enumerate(clients[1:], start=1):
        ArticleClient.objects.create(article=article, mail_client=mail_client, position=position)
    with django_assert_num_queries(7):
        assert admin_client.get(article_url(article)).status_code == 200


def test_new_vendor_is_saved_with_its_first_facts_in_one_go(admin_client, db):
    data = form_data(admin_client.get("/admin/articles/vendor/add/"), "vendor_form")
    data.update({"name": "SmartTRAK", "slug": "smarttrak", "website": "https://www.smarttrak.com"})
    add_inline_row(data, "sender_addresses", address="Info@SmartTRAK.com", used_for="password resets")
    add_inline_row(data, "sender_domains", domain="smarttrak.com")
    add_inline_row(data, "ip_ranges", network="3.93.157.24")
    response = admin_client.post("/admin/articles/vendor/add/", data)
    assert response.status_code == 302, errors_shown(response)
    vendor = Vendor.objects.get(slug="smarttrak")
    assert list(vendor.sender_addresses.values_list("address", "position")) == [("info@smarttrak.com", 10)]
    assert list(vendor.sender_domains.values_list("domain", flat=True)) == ["smarttrak.com"]
    assert list(vendor.ip_ranges.values_list("network", "tier")) == [("3.93.157.24/32", "primary")]
