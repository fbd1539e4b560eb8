"""The read-only JSON API: shapes, errors, query counts, and schemathesis against /api/schema."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from articles.content.models import Article
from articles.facts.models import IPRange, SenderAddress
from tests.conftest import make_article, make_client, make_range, make_vendor

pytestmark = pytest.mark.django_db


def get_json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


@pytest.fixture
def site(acme):
    """Two vendors, IPv6, a retired range, published, draft and general articles, a renamed vendor."""
    make_range(acme, "2001:db8::/32", "additional", public_note="IPv6")
    make_range(acme, "203.0.113.0/24", retired_on=dt.date(2020, 1, 1), added_on=dt.date(2019, 1, 1))
    zeta = make_vendor("zeta", "Zeta Mail", description="Newsletters", public=True)
    make_range(zeta, "192.0.2.0/25")  # inside Acme's 192.0.2.0/24
    gmail = make_client("gmail", "Gmail", steps=["Open Gmail."])
    make_article(acme, "guide", clients=[gmail], title="Allowlist Acme", summary="Keep Acme out of spam.")
    make_article(acme, "draft", published=False)
    make_article(acme, "later", published_at=timezone.now() + dt.timedelta(days=3))
    make_article(None, "what-is-allowlisting", kind=Article.Kind.EXPLAINER, show_it_section=False)
    old = make_vendor("oldname", "Renamed Mail", public=True)
    old.slug = "renamed"
    old.save()
    return acme


# Shapes ------------------------------------------------------------------------------------


def test_index_links_to_everything(client, db):
    data = get_json(client, "/api/")
    assert data["links"] == {
        "schema": "/api/schema",
        "vendors": "/api/vendors",
        "articles": "/api/articles",
        "ip_lookup": "/api/ip/{ip}",
        "changes": "/api/changes",
        "allowlist_json": "/allowlist.json",
    }


def test_vendor_list_is_every_vendor_by_slug(client, site):
    vendors = get_json(client, "/api/vendors")["vendors"]
    assert [v["slug"] for v in vendors] == ["acme", "renamed", "zeta"]
    assert vendors[2] == {
        "slug": "zeta",
        "name": "Zeta Mail",
        "website": None,
        "description": "Newsletters",
        "url": "/zeta/",
        "api_url": "/api/vendors/zeta",
        "facts_changed_at": vendors[2]["facts_changed_at"],
    }


def test_vendor_detail_matches_the_database_and_the_range_file(client, site):
    data = get_json(client, "/api/vendors/acme")
    assert data["sender_addresses"] == [{"address": "alerts@acme.example", "used_for": "password resets"}]
    assert data["sender_domains"] == [{"domain": "acme.example", "display_name": "acme.example"}]
    assert {ipaddress.ip_network(r["network"]) for r in data["ip_ranges"]} == {
        ipaddress.ip_network(n)
        for n in IPRange.objects.active().filter(vendor=site).values_list("network", flat=True)
    }
    assert "203.0.113.0/24" not in json.dumps(data)
    range_file = json.loads(client.get("/acme/allowlist.json").content)
    assert data["sync_token"] == range_file["syncToken"]
    assert data["facts_changed_at"] == range_file["createDate"]
    assert data["downloads"]["for_it"] == "/acme/for-it/"
    for url in data["downloads"].values():
        assert client.get(url).status_code == 200


def test_articles_are_the_public_ones_only(client, site):
    articles = get_json(client, "/api/articles")["articles"]
    assert [(a["vendor"], a["slug"]) for a in articles] == [
        (None, "what-is-allowlisting"),
        ("acme", "guide"),
        ("renamed", "published-guide"),
        ("zeta", "published-guide"),
    ]
    guide = articles[1]
    assert (
        guide["url"] == "/acme/guide/"
        and guide["kind"] == "guide"
        and guide["summary"] == "Keep Acme out of spam."
    )
    vendor_articles = get_json(client, "/api/vendors/acme/articles")
    assert vendor_articles["vendor"] == "acme"
    assert [a["slug"] for a in vendor_articles["articles"]] == ["guide"]


# Which vendor owns this IP -----------------------------------------------------------------


def test_ip_lookup_names_every_vendor_whose_range_covers_the_address(client, site):
    data = get_json(client, "/api/ip/192.0.2.5")
    assert data["query"] == "192.0.2.5" and data["address"] == "192.0.2.5"
    assert [(m["vendor"]["slug"], m["network"], m["tier"]) for m in data["matches"]] == [
        ("acme", "192.0.2.0/24", "primary"),
        ("zeta", "192.0.2.0/25", "primary"),
    ]
    assert data["matches"][0]["vendor"] == {
        "slug": "acme",
        "name": "Acme Mail",
        "url": "/acme/",
        "api_url": "/api/vendors/acme",
    }


@pytest.mark.parametrize(
    ("ip", "vendors"),
    [
        ("192.0.2.200", ["acme"]),
        ("198.51.100.7", ["acme"]),
        ("2001:db8:ffff::1", ["acme"]),
        ("::ffff:192.0.2.5", ["acme", "zeta"]),
        ("203.0.113.9", []),  # a retired range
        ("8.8.8.8", []),
    ],
)
def test_ip_lookup_answers_for_ipv4_ipv6_and_retired_ranges(client, site, ip, vendors):
    data = get_json(client, f"/api/ip/{ip}")
    assert [m["vendor"]["slug"] for m in data["matches"]] == vendors


@pytest.mark.parametrize(
    ("ip", "code", "words"),
    [
        ("300.1.1.1", "invalid_address", "300 is more than 255"),
        ("192.0.2.0/24", "not_an_address", "not a single IP address"),
        ("1.2.3.4/²", "invalid_prefix", "whole number"),
        ("fe80::1%eth0", "zone", "zone"),
        ("hello", "invalid_address", "not an IP address"),
        (" 192.0.2.1", "not_an_address", "not a single IP address"),
    ],
)
def test_a_bad_ip_is_a_400_naming_the_parameter(client, site, ip, code, words):
    before = list(IPRange.objects.values_list("pk", "network", "retired_on"))
    error = get_json(client, f"/api/ip/{ip}", status=400)["error"]
    assert error["status"] == 400 and error["parameter"] == "ip" and error["code"] == code
    assert words in error["message"]
    assert list(IPRange.objects.values_list("pk", "network", "retired_on")) == before


def test_an_empty_ip_is_a_400_too(client, db):
    error = get_json(client, "/api/ip/", status=400)["error"]
    assert error["parameter"] == "ip" and error["code"] == "empty"


# Errors, redirects, methods, caching -------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/vendors/nobody",
        "/api/vendors/nobody/articles",
        "/api/vendors/a%2Fb",
        "/api/vendors/a%0Ab",
        "/api/vendors/%00",
    ],
)
def test_an_unknown_vendor_is_a_json_404_naming_the_parameter(client, site, url):
    error = get_json(client, url, status=404)["error"]
    assert error == {
        "status": 404,
        "code": "unknown_vendor",
        "parameter": "vendor",
        "message": error["message"],
    }
    assert "GET /api/vendors" in error["message"]


def test_an_unknown_api_address_is_a_json_404(client, db):
    assert get_json(client, "/api/nothing/here", status=404)["error"]["code"] == "not_found"


def test_a_renamed_vendor_redirects_permanently(client, site):
    response = client.get("/api/vendors/oldname")
    assert response.status_code == 301 and response["Location"] == "/api/vendors/renamed"
    response = client.get("/api/vendors/oldname/articles")
    assert response.status_code == 301 and response["Location"] == "/api/vendors/renamed/articles"


def test_other_methods_get_405_not_a_csrf_page(client, site):
    for url in ["/api/vendors", "/api/vendors/acme", "/api/ip/192.0.2.1", "/api/schema"]:
        response = client.post(url)
        assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_answers_carry_an_etag_and_304_when_unchanged(client, site):
    first = client.get("/api/vendors/acme")
    assert first["Cache-Control"] == "public, max-age=300" and first["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/vendors/acme", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    SenderAddress.objects.create(vendor=site, address="new@acme.example", position=2)
    assert client.get("/api/vendors/acme", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


# Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/vendors", 1),
        ("/api/vendors/acme", 4),
        ("/api/vendors/acme/articles", 2),
        ("/api/articles", 1),
        ("/api/ip/10.0.0.1", 1),
        ("/api/schema", 0),
    ],
)
def test_api_query_counts_do_not_grow_with_ranges_or_articles(
    client, acme, django_assert_num_queries, url, queries
):
    for count in (2, 40):
        IPRange.objects.filter(network__startswith="45.").delete()
        for n in range(count):
            IPRange(vendor=acme, network=f"45.0.{n}.0/24").save()
            make_vendor(f"v{count}-{n}")
        make_article(acme, f"guide-{count}")
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


# The OpenAPI document, and schemathesis against it ----------------------------------------


def test_schema_is_openapi_3_and_describes_every_api_view(client, db):
    document = get_json(client, "/api/schema")
    assert document["openapi"].startswith("3.0")
    assert set(document["paths"]) >= {
        "/api/",
        "/api/schema",
        "/api/vendors",
        "/api/vendors/{vendor}",
        "/api/vendors/{vendor}/articles",
        "/api/articles",
        "/api/ip/{ip}",
        "/api/changes",
        "/api/vendors/{vendor}/changes",
        "/allowlist.json",
        "/{vendor}/allowlist.json",
    }


# The schema view runs no query, so the document can be fetched from the WSGI
# application while the tests are collected; each case then runs against the
# test database that the ``site`` fixture fills.
schema = schemathesis.openapi.from_wsgi("/api/schema", WSGIHandler())


@pytest.fixture
def shared_test_connection():
    """Keep the test's database connection open across WSGI requests.

    Django's own test client does the same: after each request Django closes
    "old" connections, and inside a test's transaction that would be this one.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_served_schema(case, site, shared_test_connection):
    case.call_and_validate()


def test_api_answers_400_for_unicode_digits(client, acme):
    response = client.get("/api/ip/1.2.3.%C2%B2")
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "ip"
