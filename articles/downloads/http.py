"""Answering HTTP for the downloads and the API: methods, content types, caching.

Conditional GET: every file carries a strong ETag (a hash of its bytes) and a
Last-Modified time, and a request whose ``If-None-Match`` or
``If-Modified-Since`` still matches gets a 304 without a body. The ETag needs
the bytes, so a view writes the file once and hands the response to
``django.utils.cache.get_conditional_response``, the function
``ConditionalGetMiddleware`` uses; the ``condition`` decorator would load the
facts again in each of its callbacks.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from articles.pagecache import public_page

#: How long a browser or proxy may reuse a download before asking again.
CACHE_SECONDS = 300

TEXT = "text/plain; charset=utf-8"
CSV = "text/csv; charset=utf-8; header=present"
JSON = "application/json"
VCARD = "text/vcard; charset=utf-8"
XML = "application/xml; charset=utf-8"


def read_only(view):
    """GET and HEAD only; any other method gets a 405 with an Allow header.

    CSRF protection would answer a POST (or any method Django does not know to
    be safe) with a 403 before the view could say 405; a view that never
    changes anything has nothing for it to protect. Its answers are the same
    for every reader, so the page cache keeps them (``pagecache.public_page``).
    """
    return public_page(csrf_exempt(require_safe(view)))


def content_etag(body: bytes) -> str:
    """A strong ETag (quoted) for a response body: the same bytes, the same tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def conditional_response(
    request: HttpRequest,
    response: HttpResponse,
    *,
    last_modified: dt.datetime | None = None,
) -> HttpResponse:
    """Add ETag, Last-Modified and Cache-Control, and answer 304 if the client is current."""
    response.headers["ETag"] = content_etag(response.content)
    timestamp = None
    if last_modified is not None:
        timestamp = int(last_modified.timestamp())
        response.headers["Last-Modified"] = http_date(timestamp)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    # Public facts, read by scripts and by tools in other sites' pages; no cookies involved.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return get_conditional_response(
        request, etag=response.headers["ETag"], last_modified=timestamp, response=response
    )


def file_response(
    request: HttpRequest,
    body: str,
    *,
    content_type: str,
    filename: str,
    last_modified: dt.datetime,
    attachment: bool = True,
) -> HttpResponse:
    """A file to download (or, with ``attachment=False``, to show), answered conditionally."""
    response = HttpResponse(body.encode("utf-8"), content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return conditional_response(request, response, last_modified=last_modified)
