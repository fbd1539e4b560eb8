"""A webhook POST: its signature, and a connection that reaches only public addresses.

The signature is Stripe's scheme: ``Safelist-Signature: t=<unix time>,v1=<hex>``
where the hex is HMAC-SHA256, keyed with the endpoint's secret, over
``f"{t}.{body}"``. The receiver recomputes it over the raw body and checks
that ``t`` is recent (README: "Verifying a webhook").

The endpoint's host is resolved when the POST is sent, every address it
resolves to is checked, and the connection is made to the checked address
(the TLS certificate is still verified for the host name): a name that
resolves to a public address when saved and to 169.254.169.254 later is
refused, and so is one that answers a second lookup differently (DNS
rebinding). Loopback, private, link-local (cloud metadata), CGNAT, multicast,
reserved and unspecified addresses are refused; ``WEBHOOKS_ALLOW_LOOPBACK``,
set by the tests only, lets loopback through over plain HTTP, since a test
receiver has no certificate a client would trust.

The standard library's ``http.client`` does the POST: it lets a connection be
made to a given address while naming the host, follows no redirects (a
redirect to an internal address would undo the check), and ``requests`` is
not among the site's dependencies.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

SIGNATURE_HEADER = "Safelist-Signature"
TIMEOUT_SECONDS = 10


class Refused(Exception):
    """The endpoint's address is one the site does not send to; retrying will not help."""


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the HTTP status, None when no answer came
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def signature(secret: str, timestamp: int, body: str) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()


def signature_header(secret: str, body: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def refusal(address: str) -> str:
    """Why the site does not send to this address, or "" if it does."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "" if settings.WEBHOOKS_ALLOW_LOOPBACK else f"{address} is a loopback address"
    for test, name in (
        ("is_unspecified", "unspecified"),
        ("is_link_local", "link-local (cloud metadata)"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
        ("is_private", "private"),
    ):
        if getattr(ip, test):
            return f"{address} is a {name} address"
    if not ip.is_global:  # 100.64.0.0/10 (CGNAT) and the other special-purpose blocks
        return f"{address} is not a public address"
    return ""


def checked_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, if all of them may be sent to; ``Refused`` otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise Refused(f"{host} does not resolve: {error}") from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        reason = refusal(address)
        if reason:
            raise Refused(f"refused to send to {host}: {reason}")
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, **kwargs) -> None:
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, **kwargs) -> None:
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: str, *, secret: str, event_id: str) -> Outcome:
    """POST ``body`` signed to ``url``; ``Refused`` if the address may not be reached."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise Refused(f"{url} is not an https:// URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = checked_addresses(parts.hostname, port)
    if parts.scheme == "http" and not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise Refused(f"{url} is not an https:// URL")
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Safelist-Help-Center-Webhooks",
        "Safelist-Event-Id": event_id,
        SIGNATURE_HEADER: signature_header(secret, body),
    }
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = connection_class(parts.hostname, port, addresses[0], timeout=TIMEOUT_SECONDS)
    try:
        connection.request("POST", path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return Outcome(response.status, "" if 200 <= response.status < 300 else f"HTTP {response.status}")
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:500])
    finally:
        connection.close()
