"""Signed webhooks: a loopback receiver verifies each POST as the README tells customers to; retries; refusals."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.utils import timezone

from articles.notify import outbox, webhooks
from articles.notify.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import make_range
from tests.servers import ROOT

pytestmark = pytest.mark.django_db
SECRET = "whsec-test-0123456789"


def readme_verify():
    """The ``verify`` function of the README's "Verifying a webhook", run as a customer would."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("#### Verifying a webhook") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    return namespace["verify"]


class Receiver:
    """An HTTP server on loopback answering each POST with the next of ``statuses`` (then 200)."""

    def __init__(self, statuses=()) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses = list(statuses)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/safelist"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def loopback_allowed(settings):
    # The receiver is plain HTTP on loopback: the tests' setting, never production's.
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    settings.SITE_URL = "https://help.example"


def deliver() -> int:
    return outbox.deliver_webhooks(worker="test")


def test_a_change_set_is_posted_signed_and_verifies_as_the_readme_says_and_is_retried_after_a_500(
    vendor, loopback_allowed
):
    verify = readme_verify()
    with Receiver(statuses=[500]) as receiver:
        endpoint = WebhookEndpoint.objects.create(url=receiver.url, vendor=vendor, secret=SECRET)
        make_range(vendor, "203.0.113.0/24", "primary", public_note="new relay")
        assert deliver() == 0
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
        assert delivery.next_attempt_at > timezone.now()
        assert deliver() == 0  # not due yet
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())  # time moved on
        assert deliver() == 1

    assert len(receiver.requests) == 2
    (first_headers, first_body), (headers, body) = receiver.requests
    assert first_headers["Safelist-Event-Id"] == headers["Safelist-Event-Id"]
    assert first_body == body
    assert verify(SECRET, headers["Safelist-Signature"], body)
    assert not verify("another secret", headers["Safelist-Signature"], body)
    assert not verify(SECRET, headers["Safelist-Signature"], body.replace(b"203.0.113.0", b"203.0.113.1"))
    event = json.loads(body)
    assert event["vendor"] == {"slug": "acme", "name": "Acme Mail", "url": "https://help.example/acme/"}
    assert event["added"] == [
        {
            # The item exactly as the changes API lists it, its link made absolute.
            "id": f"range:{vendor.ip_ranges.get(network='203.0.113.0/24').pk}:added",
            "vendor": "acme",
            "action": "added",
            "kind": "range",
            "value": "203.0.113.0/24",
            "tier": "primary",
            "note": "new relay",
            "effective_on": timezone.localdate().isoformat(),
            "upcoming": False,
            "changes_url": "https://help.example/acme/changes/",
        }
    ]
    assert event["removed"] == [] and event["upcoming"] is False
    assert event["sync_token"] == json.loads(_client_json(vendor))["syncToken"]
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert (delivery.status, delivery.response_code, endpoint.failure_count) == ("delivered", 200, 0)


def _client_json(vendor) -> str:
    return Client().get(f"/{vendor.slug}/allowlist.json").content.decode()


def test_a_signature_older_than_the_tolerance_is_rejected():
    verify = readme_verify()
    body = b'{"id": "x"}'
    old = webhooks.signature_header(SECRET, body.decode(), timestamp=1_000_000_000)
    assert not verify(SECRET, old, body)
    assert verify(SECRET, webhooks.signature_header(SECRET, body.decode()), body)
    assert not verify(SECRET, "garbage", body)


def test_an_endpoint_is_paused_after_repeated_failures(vendor, loopback_allowed, settings):
    settings.WEBHOOK_PAUSE_AFTER = 2
    with Receiver(statuses=[500, 503, 500]) as receiver:
        endpoint = WebhookEndpoint.objects.create(url=receiver.url, vendor=None, secret=SECRET)
        make_range(vendor, "203.0.113.0/24")
        deliver()
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        deliver()
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        assert deliver() == 0
    endpoint.refresh_from_db()
    assert endpoint.paused and endpoint.failure_count == 2
    assert len(receiver.requests) == 2  # a paused endpoint is not tried


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
    ],
)
def test_an_endpoint_on_a_private_or_special_address_is_refused_and_not_contacted(vendor, url):
    WebhookEndpoint.objects.create(url=url, vendor=vendor, secret=SECRET)
    make_range(vendor, "203.0.113.0/24")
    assert deliver() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.last_error.startswith("refused to send to")
    assert delivery.response_code is None


def test_plain_http_is_refused_off_loopback(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    with pytest.raises(webhooks.Refused, match="not an https:// URL"):
        webhooks.post("http://93.184.216.34/hook", "{}", secret=SECRET, event_id="x")
    with pytest.raises(webhooks.Refused, match="loopback"):
        settings.WEBHOOKS_ALLOW_LOOPBACK = False
        webhooks.post("http://127.0.0.1:9/hook", "{}", secret=SECRET, event_id="x")


def test_public_addresses_pass_the_check(settings):
    assert webhooks.refusal("93.184.216.34") == ""
    assert webhooks.refusal("2606:4700:4700::1111") == ""
