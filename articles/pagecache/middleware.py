"""``PageCacheMiddleware``: answers anonymous GETs of ``public_page`` views from the "pages" cache.

It sits after WhiteNoise and before the session, CSRF and authentication
middleware: a hit costs one cache round trip and no query: the site's
generation, when this process holds the page (``local``), else the page and
the generation together (``get_many``). The middleware outside it
(security headers, CSP, Permissions-Policy) still adds its headers to every
answer.

Never kept: anything but a 200 to a GET; a request with a session cookie
(signed-in staff: their answers are marked ``private``); a response setting a
cookie, using a CSRF token, marked private or no-store, or varying on more
than ``Cookie`` and ``Accept-Encoding``. Drafts and previews answer 404 or
live under /admin/, which is no ``public_page``.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from dataclasses import MISSING, dataclass, field, fields
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, ResolverMatch, get_urlconf, resolve
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    get_max_age,
    patch_cache_control,
)
from django.utils.http import parse_http_date_safe
from django.utils.module_loading import import_string

from articles.pagecache import KEEP_ATTRIBUTE, PAGE_ATTRIBUTE, REPLAY_ATTRIBUTE, compression, local
from articles.pagecache.keys import CACHE_ALIAS, GENERATION_KEY, ensure_generation, page_key

logger = logging.getLogger(__name__)

#: A kept page lives at most this long even if nothing changes (a day: midnight comes first anyway).
LONGEST_SECONDS = 24 * 3600
#: Headers made per answer, never kept with the page.
_NOT_KEPT = {"content-length", "content-encoding", "etag", "cache-control", "date", "expires"}
_VARY_ALLOWED = {"cookie", "accept-encoding"}
_SECRET_DIRECTIVES = ("private", "no-store", "no-cache")


@dataclass
class Entry:
    """One kept page: its body as it is and compressed, and what its answers say."""

    generation: int
    valid_until: float
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    last_modified: int | None
    tags: list[str]
    compressed: dict[str, bytes] = field(default_factory=dict)
    #: ``on_every_answer``'s function and arguments, called on each hit.
    replay: tuple[str, tuple] | None = None
    #: The view's own browser lifetime (the downloads say 300 s), else ``PAGE_CACHE_MAX_AGE``.
    max_age: int | None = None

    #: Per content coding, the ETag and headers its answers carry: made on the first hit, not kept.
    _answers: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(data) for data in self.compressed.values())

    def answer_headers(self, coding: str | None) -> tuple[str, list[tuple[str, str]]]:
        """The ETag and the headers of an answer in ``coding`` (None: as it is), but Cache-Control."""
        made = self._answers.get(coding)
        if made is None:
            body = self.compressed[coding] if coding else self.body
            # A strong ETag names one representation: each coding has its own.
            etag = self.etag if coding is None else f'{self.etag[:-1]}-{coding}"'
            headers = [*self.headers, ("Content-Length", str(len(body))), ("ETag", etag)]
            if coding:
                headers.append(("Content-Encoding", coding))
            if self.compressed:
                vary = next((value for name, value in self.headers if name.lower() == "vary"), "")
                if "accept-encoding" not in vary.lower():
                    headers.append(("Vary", f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"))
            # Fastly reads Surrogate-Key (spaces), Cloudflare Cache-Tag (commas).
            headers += [("Surrogate-Key", " ".join(self.tags)), ("Cache-Tag", ",".join(self.tags))]
            made = self._answers[coding] = (etag, headers)
        return made

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_answers": {}}

    def __setstate__(self, state: dict) -> None:
        # An entry kept by the release before may lack fields added since: they take their defaults.
        self.__dict__.update({**_defaults(), **state, "_answers": {}})


def _defaults() -> dict:
    """Entry's fields that have a default, with it."""
    return {
        item.name: item.default if item.default is not MISSING else item.default_factory()
        for item in fields(Entry)
        if item.default is not MISSING or item.default_factory is not MISSING
    }


@functools.cache
def _next_change():
    return import_string(settings.PAGE_CACHE_NEXT_CHANGE)


class Page(NamedTuple):
    """What the page cache needs of a public page's view: how long to keep it, what a CDN purges it by."""

    keep_seconds: int
    tags: tuple[str, ...]


@functools.lru_cache(maxsize=4096)
def page_at(urlconf: str, path: str) -> Page | None:
    """The public page at ``path``, or None: resolved once per path, not on every hit.

    Keyed by the URL configuration too, as ``resolve`` is; bounded, so that
    a stream of made-up addresses only pushes older ones out.
    """
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    if not getattr(match.func, PAGE_ATTRIBUTE, False):
        return None
    keep = min(getattr(match.func, KEEP_ATTRIBUTE, None) or LONGEST_SECONDS, LONGEST_SECONDS)
    return Page(keep, tuple(page_tags(match)))


def page_tags(match: ResolverMatch) -> list[str]:
    """What a CDN may purge this page by: the site, and the vendor and article of its address."""
    tags = ["site"]
    vendor = match.kwargs.get("vendor")
    if vendor:
        tags.append(f"vendor:{vendor}")
    article = match.kwargs.get("article")
    if article:
        tags.append(f"article:{vendor or 'help'}/{article}")
    return tags


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PAGE_CACHE_ENABLED or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        page = page_at(get_urlconf() or settings.ROOT_URLCONF, request.path_info)
        if page is None:
            return self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            # Signed-in staff may see more than readers: never kept, by us or by anyone on the way.
            response = self.get_response(request)
            patch_cache_control(response, private=True, no_cache=True)
            return response

        cache = caches[CACHE_ALIAS]
        key = page_key(request)
        generation, entry = self._find(cache, key)
        now = time.time()
        if entry is not None and entry.generation == generation and now < entry.valid_until:
            if entry.replay is not None:
                function, arguments = entry.replay
                import_string(function)(request, *arguments)
            return self._answer(request, entry, now, hit=True)
        if generation is None:
            generation = ensure_generation()
        response = self.get_response(request)
        entry = self._keep(request, response, generation, page, now)
        if entry is None:
            return response
        cache.set(key, entry, timeout=max(1, math.ceil(entry.valid_until - now)))
        local.put(key, entry, entry.size)
        return self._answer(request, entry, now, hit=False)

    @staticmethod
    def _find(cache, key: str) -> tuple[int | None, Entry | None]:
        """The site's generation and the entry for ``key``: one round trip when this process holds it."""
        held = local.get(key)
        if held is not None:
            generation = cache.get(GENERATION_KEY)
            if held.generation == generation:
                return generation, held
            local.drop(key)
            # Another server may have kept this page under the new generation already.
            entry = cache.get(key) if generation is not None else None
        else:
            found = cache.get_many([GENERATION_KEY, key])
            generation, entry = found.get(GENERATION_KEY), found.get(key)
        if entry is not None and entry.generation == generation:
            local.put(key, entry, entry.size)
        return generation, entry

    def _keep(
        self, request: HttpRequest, response: HttpResponse, generation: int, page: Page, now: float
    ) -> Entry | None:
        """The entry to keep for this answer, or None if it may not be kept."""
        if request.method != "GET" or response.status_code != 200 or response.streaming:
            return None
        if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return None
        control = response.headers.get("Cache-Control", "").lower()
        if any(directive in control for directive in _SECRET_DIRECTIVES):
            return None
        vary = {v.strip().lower() for v in cc_delim_re.split(response.headers.get("Vary", "")) if v.strip()}
        if vary - _VARY_ALLOWED:
            return None
        next_change = self._next_change(generation, now)
        if next_change is None:
            return None
        valid_until = min(now + page.keep_seconds, next_change)
        body = response.content
        content_type = response.headers.get("Content-Type", "")
        return Entry(
            generation=generation,
            valid_until=valid_until,
            headers=[(name, value) for name, value in response.items() if name.lower() not in _NOT_KEPT],
            body=body,
            # A view's own strong ETag (the downloads') is kept; else one from the bytes.
            etag=response.headers.get("ETag")
            or '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"',
            last_modified=parse_http_date_safe(response.headers.get("Last-Modified", "")),
            tags=list(page.tags),
            compressed=compression.variants(body) if compression.compressible(content_type, body) else {},
            replay=getattr(response, REPLAY_ATTRIBUTE, None),
            max_age=get_max_age(response),
        )

    def _next_change(self, generation: int, now: float) -> float | None:
        """When the site next changes by the clock: asked once per generation, kept beside the pages.

        None if it cannot be known (the database is down): the page is answered, not kept.
        """
        cache = caches[CACHE_ALIAS]
        key = f"pages:next-change:{generation}"
        moment = cache.get(key)
        if moment is not None and moment > now:
            return moment
        try:
            moment = _next_change()().timestamp()
        except Exception:  # a cache must never turn a page that rendered into an error
            logger.exception("The next time-based change could not be read; the page is not kept.")
            return None
        cache.set(key, moment, timeout=max(1, math.ceil(moment - now)))
        return moment

    def _answer(self, request: HttpRequest, entry: Entry, now: float, *, hit: bool) -> HttpResponse:
        coding = compression.choose(entry.compressed, request.META.get("HTTP_ACCEPT_ENCODING", ""))
        body = entry.compressed[coding] if coding else entry.body
        response = HttpResponse(b"" if request.method == "HEAD" else body)
        etag, headers = entry.answer_headers(coding)
        for name, value in headers:
            response.headers[name] = value
        left = max(0, int(entry.valid_until - now))
        max_age = min(settings.PAGE_CACHE_MAX_AGE if entry.max_age is None else entry.max_age, left)
        # Written whole: the entry's headers hold no Cache-Control to merge with, and
        # patch_cache_control would parse and join the header again on every hit.
        response.headers["Cache-Control"] = (
            f"public, max-age={max_age}, s-maxage={min(settings.PAGE_CACHE_S_MAXAGE, left)}, "
            f"stale-while-revalidate={settings.PAGE_CACHE_STALE_WHILE_REVALIDATE}"
        )
        response.headers["X-Page-Cache"] = "hit" if hit else "miss"
        return get_conditional_response(
            request, etag=etag, last_modified=entry.last_modified, response=response
        )
