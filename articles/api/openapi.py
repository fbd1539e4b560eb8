"""The OpenAPI 3.0 document of the read-only API and the range files, served at /api/schema.

Written by hand, next to the views it describes (``api.py`` and the range
files in ``downloads.py``), and held to them by the schemathesis tests: every
object lists all its keys as required and allows no others, so a key added to
a view without being added here fails the tests.
"""

from __future__ import annotations

API_VERSION = "1.0"

SLUG = {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$", "example": "smarttrak"}
PATH = {"type": "string", "description": "A path on this site.", "example": "/smarttrak/"}
NULLABLE_TEXT = {"type": "string", "nullable": True}
DATE = {"type": "string", "format": "date", "example": "2024-05-01"}
DATE_TIME = {"type": "string", "format": "date-time", "example": "2026-01-15T09:00:00Z"}
TIER = {"type": "string", "enum": ["primary", "additional"]}


def _object(properties: dict, description: str = "") -> dict:
    """An object whose every listed key is always present, and nothing else."""
    shape = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        shape["description"] = description
    return shape


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str) -> dict:
    return {"type": "array", "items": _ref(name)}


VENDOR_SUMMARY = {
    "slug": SLUG,
    "name": {"type": "string"},
    "website": {**NULLABLE_TEXT, "description": "The vendor's website, or null."},
    "description": NULLABLE_TEXT,
    "url": PATH,
    "api_url": PATH,
    "facts_changed_at": {
        **DATE_TIME,
        "description": "When the published facts last changed: an edit, or a range's retirement taking effect.",
    },
}

IP_RANGE = {
    "network": {"type": "string", "description": "CIDR form; a single address is a /32 or /128."},
    "version": {"type": "integer", "enum": [4, 6]},
    "tier": TIER,
    "note": {"type": "string"},
    "added_on": {**DATE, "nullable": True},
}

ARTICLE = {
    "title": {"type": "string"},
    "slug": SLUG,
    "kind": {"type": "string", "enum": ["guide", "troubleshooting", "explainer", "reference"]},
    "summary": NULLABLE_TEXT,
    "vendor": {**SLUG, "nullable": True, "description": "Null for an article about no one vendor."},
    "url": PATH,
    "published_at": DATE_TIME,
    "updated_at": DATE_TIME,
    "reviewed_on": {**DATE, "nullable": True},
}

RANGE_FILE_ENTRY = {
    "vendor": SLUG,
    "tier": TIER,
    "added_on": {**DATE, "nullable": True},
    "note": {"type": "string"},
}

SCHEMAS = {
    "Error": _object(
        {
            "error": _object(
                {
                    "status": {"type": "integer"},
                    "code": {"type": "string", "description": "Stable, for programs: e.g. invalid_address."},
                    "parameter": {**NULLABLE_TEXT, "description": "The parameter at fault, if one is."},
                    "message": {"type": "string", "description": "What went wrong, for people."},
                }
            )
        }
    ),
    "Index": _object(
        {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "links": _object(
                {
                    "schema": PATH,
                    "vendors": PATH,
                    "articles": PATH,
                    "ip_lookup": PATH,
                    "allowlist_json": PATH,
                }
            ),
        }
    ),
    "VendorSummary": _object(VENDOR_SUMMARY),
    "VendorList": _object({"vendors": _list_of("VendorSummary")}),
    "SenderAddress": _object({"address": {"type": "string", "format": "email"}, "used_for": NULLABLE_TEXT}),
    "SenderDomain": _object(
        {
            "domain": {"type": "string", "description": "ASCII (xn--) form."},
            "display_name": {"type": "string", "description": "Unicode form, for people."},
        }
    ),
    "IPRange": _object(IP_RANGE),
    "Downloads": _object(
        {
            "allowlist_txt": PATH,
            "allowlist_csv": PATH,
            "allowlist_json": PATH,
            "contact_card": PATH,
            "gmail_filter": PATH,
            "for_it": PATH,
        }
    ),
    "Vendor": _object(
        {
            **VENDOR_SUMMARY,
            "sender_addresses": _list_of("SenderAddress"),
            "sender_domains": _list_of("SenderDomain"),
            "ip_ranges": {**_list_of("IPRange"), "description": "In force today, in the range files' order."},
            "sync_token": {
                "type": "string",
                "pattern": "^[0-9a-f]{64}$",
                "description": "The syncToken of this vendor's allowlist.json.",
            },
            "downloads": _ref("Downloads"),
        }
    ),
    "Article": _object(ARTICLE),
    "ArticleList": _object({"articles": _list_of("Article")}),
    "VendorArticles": _object({"vendor": SLUG, "articles": _list_of("Article")}),
    "IPMatch": _object(
        {
            **IP_RANGE,
            "vendor": _object({"slug": SLUG, "name": {"type": "string"}, "url": PATH, "api_url": PATH}),
        }
    ),
    "IPLookup": _object(
        {
            "query": {"type": "string", "description": "The address as asked."},
            "address": {"type": "string", "description": "The address looked up, in canonical form."},
            "matches": _list_of("IPMatch"),
        }
    ),
    "RangeFile": _object(
        {
            "syncToken": {
                "type": "string",
                "pattern": "^[0-9a-f]{64}$",
                "description": "SHA-256 of the listed ranges: compare for equality; it changes exactly "
                "when the list does.",
            },
            "createDate": {
                **DATE_TIME,
                "description": "When the facts behind the file last changed (UTC).",
            },
            "prefixes": {
                "type": "array",
                "items": _object({"ip_prefix": {"type": "string"}, **RANGE_FILE_ENTRY}),
            },
            "ipv6_prefixes": {
                "type": "array",
                "items": _object({"ipv6_prefix": {"type": "string"}, **RANGE_FILE_ENTRY}),
            },
        }
    ),
}

ERROR_JSON = {"application/json": {"schema": _ref("Error")}}
CACHE_HEADERS = {
    "ETag": {
        "description": "A strong validator: send it back in If-None-Match.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {"schema": {"type": "string"}},
}
FILE_HEADERS = {
    **CACHE_HEADERS,
    "Last-Modified": {"description": "When the facts last changed.", "schema": {"type": "string"}},
}
NOT_MODIFIED = {
    "description": "Not modified: the copy you hold (If-None-Match / If-Modified-Since) is current."
}


def _json_ok(description: str, schema: str) -> dict:
    return {
        "description": description,
        "headers": CACHE_HEADERS,
        "content": {"application/json": {"schema": _ref(schema)}},
    }


def _get(operation_id: str, summary: str, responses: dict, parameters: list | None = None) -> dict:
    # Every answer carries an ETag, so every operation can answer 304.
    operation = {
        "operationId": operation_id,
        "summary": summary,
        "responses": {**responses, "304": NOT_MODIFIED},
    }
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


VENDOR_PARAM = {
    "name": "vendor",
    "in": "path",
    "required": True,
    "description": "The vendor's slug, as in its page's address.",
    "schema": SLUG,
}
IP_PARAM = {
    "name": "ip",
    "in": "path",
    "required": True,
    "description": "One IPv4 or IPv6 address. An IPv4 address in IPv6 form (::ffff:192.0.2.1) is "
    "looked up as IPv4.",
    "schema": {"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}]},
    "example": "192.0.2.1",
}
UNKNOWN_VENDOR = {"description": "No vendor has that slug.", "content": ERROR_JSON}
MOVED = {"description": "The vendor was renamed: the Location header gives its current address."}


def _range_file(operation_id: str, summary: str, media_type: str, schema: dict, vendor: bool) -> dict:
    responses = {
        "200": {"description": summary, "headers": FILE_HEADERS, "content": {media_type: {"schema": schema}}},
    }
    parameters = None
    if vendor:
        parameters = [VENDOR_PARAM]
        responses["301"] = MOVED
        responses["404"] = {
            "description": "No vendor has that slug.",
            "content": {"text/html": {"schema": {"type": "string"}}, **ERROR_JSON},
        }
    return _get(operation_id, summary, responses, parameters)


TEXT_FILE = {"type": "string", "description": "One CIDR range per line."}
CSV_FILE = {"type": "string", "description": "A header row, then one row per range."}


def _range_files(*, vendor: bool) -> dict:
    """The three range files: for one vendor, or for all of them."""
    prefix, operation, who = ("/{vendor}", "vendorRanges", "One") if vendor else ("", "allRanges", "Every")
    return {
        f"{prefix}/allowlist.json": _range_file(
            f"{operation}Json", f"{who} vendor's IP ranges", "application/json", _ref("RangeFile"), vendor
        ),
        f"{prefix}/allowlist.txt": _range_file(
            f"{operation}Text", f"{who} vendor's IP ranges, one per line", "text/plain", TEXT_FILE, vendor
        ),
        f"{prefix}/allowlist.csv": _range_file(
            f"{operation}Csv", f"{who} vendor's IP ranges as CSV", "text/csv", CSV_FILE, vendor
        ),
    }


def document() -> dict:
    """The whole OpenAPI document, as a dict ready for JSON."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Safelist Help Center",
            "version": API_VERSION,
            "description": (
                "Read-only facts about the senders this help center covers: their sender addresses, "
                "domains and IP ranges, their articles, and which vendor sends from an IP address. "
                "Every answer carries an ETag; send it back in If-None-Match to get a 304 when "
                "nothing changed. Ranges retired on or before today are never listed."
            ),
        },
        "paths": {
            "/api/": _get("index", "Links to everything the API offers", {"200": _json_ok("Links", "Index")}),
            "/api/schema": _get(
                "schema",
                "This OpenAPI document",
                {
                    "200": {
                        "description": "OpenAPI 3.0",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            ),
            "/api/vendors": _get(
                "listVendors", "Every vendor, by slug", {"200": _json_ok("The vendors", "VendorList")}
            ),
            "/api/vendors/{vendor}": _get(
                "getVendor",
                "One vendor's sender addresses, domains, IP ranges and downloads",
                {
                    "200": _json_ok("The vendor", "Vendor"),
                    "301": MOVED,
                    "404": UNKNOWN_VENDOR,
                },
                [VENDOR_PARAM],
            ),
            "/api/vendors/{vendor}/articles": _get(
                "listVendorArticles",
                "One vendor's published articles",
                {
                    "200": _json_ok("The articles", "VendorArticles"),
                    "301": MOVED,
                    "404": UNKNOWN_VENDOR,
                },
                [VENDOR_PARAM],
            ),
            "/api/articles": _get(
                "listArticles",
                "Every published article",
                {"200": _json_ok("The articles", "ArticleList")},
            ),
            "/api/ip/{ip}": _get(
                "lookupIP",
                "Which vendors send from an IP address",
                {
                    "200": _json_ok("The ranges that contain the address; an empty list if none", "IPLookup"),
                    "400": {
                        "description": "Not a single IP address; the message says why.",
                        "content": ERROR_JSON,
                    },
                },
                [IP_PARAM],
            ),
            **_range_files(vendor=False),
            **_range_files(vendor=True),
        },
        "components": {"schemas": SCHEMAS},
    }
