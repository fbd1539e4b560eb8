"""The OpenAPI 3.0 document of the read-only API and the range files, served at /api/schema.

Written by hand, next to the views it describes (``api.views`` and the range
files in ``downloads.views``), and held to them by the schemathesis tests:
``components`` holds the schemas of what they answer, ``paths`` the endpoints.
"""

from __future__ import annotations

from articles.api.openapi.components import SCHEMAS
from articles.api.openapi.paths import paths

API_VERSION = "1.0"


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
        "paths": paths(),
        "components": {"schemas": SCHEMAS},
    }
