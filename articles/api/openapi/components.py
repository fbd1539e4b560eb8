"""The schemas of the OpenAPI document: every object the API and the range files answer with.

Every object lists all its keys as required and allows no others
(``object_of``), so a key added to a view without being added here fails the
schemathesis tests. Enumerations come from the models' choices.
"""

from __future__ import annotations

from articles.content.models import Article
from articles.facts.changelog import ADDED, KINDS, REMOVED
from articles.facts.models import IPRange

SLUG = {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$", "example": "smarttrak"}
PATH = {"type": "string", "description": "A path on this site.", "example": "/smarttrak/"}
NULLABLE_TEXT = {"type": "string", "nullable": True}
DATE = {"type": "string", "format": "date", "example": "2024-05-01"}
DATE_TIME = {"type": "string", "format": "date-time", "example": "2026-01-15T09:00:00Z"}
TIER = {"type": "string", "enum": IPRange.Tier.values}
SYNC_TOKEN = {"type": "string", "pattern": "^[0-9a-f]{64}$"}


def object_of(properties: dict) -> dict:
    """An object whose every listed key is always present, and nothing else."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def list_of(name: str) -> dict:
    return {"type": "array", "items": ref(name)}


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
    "note": {"type": "string", "description": "The range's public note; empty when it has none."},
    "added_on": {**DATE, "nullable": True},
}

ARTICLE = {
    "title": {"type": "string"},
    "slug": SLUG,
    "kind": {"type": "string", "enum": Article.Kind.values},
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
    "note": {"type": "string", "description": "The range's public note; empty when it has none."},
}

SCHEMAS = {
    "Error": object_of(
        {
            "error": object_of(
                {
                    "status": {"type": "integer"},
                    "code": {"type": "string", "description": "Stable, for programs: e.g. invalid_address."},
                    "parameter": {**NULLABLE_TEXT, "description": "The parameter at fault, if one is."},
                    "message": {"type": "string", "description": "What went wrong, for people."},
                }
            )
        }
    ),
    "Index": object_of(
        {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "links": object_of(
                {
                    "schema": PATH,
                    "vendors": PATH,
                    "articles": PATH,
                    "ip_lookup": PATH,
                    "changes": PATH,
                    "allowlist_json": PATH,
                }
            ),
        }
    ),
    "VendorSummary": object_of(VENDOR_SUMMARY),
    "VendorList": object_of({"vendors": list_of("VendorSummary")}),
    "SenderAddress": object_of({"address": {"type": "string", "format": "email"}, "used_for": NULLABLE_TEXT}),
    "SenderDomain": object_of(
        {
            "domain": {"type": "string", "description": "ASCII (xn--) form."},
            "display_name": {"type": "string", "description": "Unicode form, for people."},
        }
    ),
    "IPRange": object_of(IP_RANGE),
    "Downloads": object_of(
        {
            "allowlist_txt": PATH,
            "allowlist_csv": PATH,
            "allowlist_json": PATH,
            "contact_card": PATH,
            "gmail_filter": PATH,
            "for_it": PATH,
        }
    ),
    "Vendor": object_of(
        {
            **VENDOR_SUMMARY,
            "sender_addresses": list_of("SenderAddress"),
            "sender_domains": list_of("SenderDomain"),
            "ip_ranges": {**list_of("IPRange"), "description": "In force today, in the range files' order."},
            "sync_token": {
                "type": "string",
                "pattern": "^[0-9a-f]{64}$",
                "description": "The syncToken of this vendor's allowlist.json.",
            },
            "downloads": ref("Downloads"),
        }
    ),
    "Article": object_of(ARTICLE),
    "ArticleList": object_of({"articles": list_of("Article")}),
    "VendorArticles": object_of({"vendor": SLUG, "articles": list_of("Article")}),
    "IPMatch": object_of(
        {
            **IP_RANGE,
            "vendor": object_of({"slug": SLUG, "name": {"type": "string"}, "url": PATH, "api_url": PATH}),
        }
    ),
    "IPLookup": object_of(
        {
            "query": {"type": "string", "description": "The address as asked."},
            "address": {"type": "string", "description": "The address looked up, in canonical form."},
            "matches": list_of("IPMatch"),
        }
    ),
    "RangeFile": object_of(
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
                "items": object_of({"ip_prefix": {"type": "string"}, **RANGE_FILE_ENTRY}),
            },
            "ipv6_prefixes": {
                "type": "array",
                "items": object_of({"ipv6_prefix": {"type": "string"}, **RANGE_FILE_ENTRY}),
            },
        }
    ),
    "Change": object_of(
        {
            "id": {
                "type": "string",
                "description": "Names this change for good: the fact's kind and number, and added or removed.",
                "example": "range:12:added",
            },
            "vendor": SLUG,
            "kind": {"type": "string", "enum": list(KINDS)},
            "action": {"type": "string", "enum": [ADDED, REMOVED]},
            "value": {
                "type": "string",
                "description": "The range in CIDR form, the sender address, or the domain as readers see it.",
            },
            "effective_on": {**DATE, "description": "The day it joins or leaves the lists."},
            "upcoming": {"type": "boolean", "description": "Announced: its day has not come yet."},
            "tier": {
                **TIER,
                "nullable": True,
                "description": "A range's tier; null for an address or a domain.",
            },
            "note": {
                **NULLABLE_TEXT,
                "description": "A range's public note; null for an address or a domain.",
            },
            "changes_url": PATH,
        }
    ),
    "ChangeList": object_of(
        {
            "vendor": {**SLUG, "nullable": True, "description": "Null in the answer about every vendor."},
            "since": {**NULLABLE_TEXT, "description": "The since token asked about, or null."},
            "since_date": {
                **DATE,
                "nullable": True,
                "description": "The first day the list that token names stood; the changes are those after it.",
            },
            "sync_token": {
                **SYNC_TOKEN,
                "description": "The syncToken of the range file today: ask with it next.",
            },
            "full_list": {**PATH, "description": "The range file to fetch when a token is refused."},
            "changes": {**list_of("Change"), "description": "Oldest first; upcoming ones last."},
        }
    ),
}
