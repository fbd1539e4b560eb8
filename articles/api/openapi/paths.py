"""The paths of the OpenAPI document: each API endpoint and range file, and what it answers."""

from __future__ import annotations

from articles.api.openapi.components import SLUG, ref

ERROR_JSON = {"application/json": {"schema": ref("Error")}}
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
        "content": {"application/json": {"schema": ref(schema)}},
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
SINCE_PARAM = {
    "name": "since",
    "in": "query",
    "required": False,
    "description": "The syncToken of the range file (allowlist.json) you hold. Without it: every change.",
    "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
}
SINCE_REFUSED = {
    "400": {
        "description": "Not a syncToken (malformed_token): fetch the full list named in the message.",
        "content": ERROR_JSON,
    },
    "404": {
        "description": "No vendor has that slug (unknown_vendor), or this site never published a list "
        "with that syncToken (unknown_token): fetch the full list named in the message.",
        "content": ERROR_JSON,
    },
    "410": {
        "description": "The list that token names was replaced too long ago (token_too_old): "
        "fetch the full list named in the message.",
        "content": ERROR_JSON,
    },
}
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
            f"{operation}Json", f"{who} vendor's IP ranges", "application/json", ref("RangeFile"), vendor
        ),
        f"{prefix}/allowlist.txt": _range_file(
            f"{operation}Text", f"{who} vendor's IP ranges, one per line", "text/plain", TEXT_FILE, vendor
        ),
        f"{prefix}/allowlist.csv": _range_file(
            f"{operation}Csv", f"{who} vendor's IP ranges as CSV", "text/csv", CSV_FILE, vendor
        ),
    }


def paths() -> dict:
    """Every path the document describes, in the order it lists them."""
    return {
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
        "/api/vendors/{vendor}/changes": _get(
            "listVendorChanges",
            "One vendor's additions and removals since a syncToken, upcoming ones included",
            {
                "200": _json_ok("The changes, and the current syncToken", "ChangeList"),
                "301": MOVED,
                **SINCE_REFUSED,
            },
            [VENDOR_PARAM, SINCE_PARAM],
        ),
        "/api/changes": _get(
            "listChanges",
            "Every vendor's additions and removals since a syncToken of the file for all vendors",
            {"200": _json_ok("The changes, and the current syncToken", "ChangeList"), **SINCE_REFUSED},
            [SINCE_PARAM],
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
    }
