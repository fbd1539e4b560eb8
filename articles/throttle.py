"""Who a client of the site is, and how much it may ask of it in a while.

A client is known by its IP address: ``REMOTE_ADDR``, or, behind
``TRUSTED_PROXY_COUNT`` reverse proxies, the address the outermost of them
saw, read from the right-hand end of X-Forwarded-For. Entries further left
were written by the client and are not believed.

The counting is django-ratelimit's ``get_usage``: a fixed window per client and
scope in the default cache, one atomic ``add``/``incr`` per request, so every
app server sharing Redis shares the counts. Its own decorator is not used: it
answers 403 through PermissionDenied and has no Retry-After, where a reader
who searched too fast should get 429 and be told when to try again.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django_ratelimit.core import get_usage

View = Callable[..., HttpResponse]


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as the configured number of trusted proxies reports it.

    Also django-axes' ``AXES_CLIENT_IP_CALLABLE``, so logins are locked out
    per the same address that rate limits count.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies:
            try:
                return str(ipaddress.ip_address(forwarded[-proxies]))
            except ValueError:
                pass
    return remote


def _rate_key(group: str, request: HttpRequest) -> str:
    # One IPv6 client is handed a whole /64 and can change address inside it at will.
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


def too_many_requests(request: HttpRequest, *, retry_after: int, as_json: bool = False) -> HttpResponse:
    """429 with Retry-After, a short page (or a JSON error) saying how long to wait."""
    message = f"Too many requests from your address. Please wait {retry_after} seconds and try again."
    if as_json:
        response = JsonResponse({"error": message, "retry_after": retry_after}, status=429)
    else:
        html = render_to_string("429.html", {"retry_after": retry_after}, request=request)
        response = HttpResponse(html, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(scope: str, *, methods: Iterable[str] | None = None, as_json: bool = False):
    """Limit a view to ``settings.RATE_LIMITS[scope]`` requests per client (``"60/m"``).

    ``methods`` restricts the counting to those request methods (all by
    default); ``as_json`` answers an excess with JSON instead of a page.
    Apply it inside ``require_POST`` / ``require_safe``, so refused methods
    are not counted.
    """
    counted = [method.upper() for method in methods] if methods else None

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            usage = get_usage(
                request,
                group=f"throttle.{scope}",
                key=_rate_key,
                rate=settings.RATE_LIMITS[scope],
                method=counted if counted else get_usage.ALL,
                increment=True,
            )
            if usage is not None and usage["should_limit"]:
                return too_many_requests(request, retry_after=max(1, usage["time_left"]), as_json=as_json)
            return view(request, *args, **kwargs)

        return limited

    return decorator
