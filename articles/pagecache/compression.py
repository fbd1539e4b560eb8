"""Compressed copies of a kept page, made once when it is stored, chosen per request.

Only pages the cache keeps are compressed here, and those carry no secret
(no CSRF token, no session: see ``middleware``), so BREACH has nothing to
guess. gzip is Django's own (``compress_string``, what ``GZipMiddleware``
writes); brotli is the reference library's binding: django-brotli is a
middleware that would compress every response again on every request.
"""

from __future__ import annotations

import re

import brotli
from django.utils.text import compress_string

#: Bodies smaller than this are sent as they are (compression would not pay).
MINIMUM_SIZE = 200
#: Quality 5, paid on every page stored (a miss). Measured on the demo guide (54 KB):
#: q5 0.9 ms for 9,092 bytes, q9 11.8 ms for 8,911, q11 48 ms for 7,946; on a 10 KB
#: results page q5 0.2 ms and q9 8 ms for the same size. Results pages are stored per query.
BROTLI_QUALITY = 5
_COMPRESSIBLE = re.compile(r"^(text/|application/(json|xml|javascript)|image/svg)")
_TOKEN = re.compile(r"\s*([a-z0-9*-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*", re.IGNORECASE)


def compressible(content_type: str, body: bytes) -> bool:
    return len(body) >= MINIMUM_SIZE and bool(_COMPRESSIBLE.match(content_type))


def variants(body: bytes) -> dict[str, bytes]:
    """The body under each content coding we serve: ``br`` and ``gzip``, kept only if smaller."""
    found = {
        "br": brotli.compress(body, quality=BROTLI_QUALITY),
        "gzip": compress_string(body),
    }
    return {coding: data for coding, data in found.items() if len(data) < len(body)}


def accepted(accept_encoding: str) -> set[str]:
    """The content codings a client takes (RFC 9110 12.5.3), ``q=0`` meaning "not this one"."""
    codings = set()
    for part in accept_encoding.split(","):
        match = _TOKEN.fullmatch(part)
        if not match:
            continue
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if quality > 0:
            codings.add(match.group(1).lower())
    return codings


def choose(available: dict[str, bytes], accept_encoding: str) -> str | None:
    """The coding to answer with: brotli, then gzip, if the client takes it; None: as it is."""
    if not available or not accept_encoding:
        return None
    takes = accepted(accept_encoding)
    for coding in ("br", "gzip"):
        if coding in available and (coding in takes or "*" in takes):
            return coding
    return None
