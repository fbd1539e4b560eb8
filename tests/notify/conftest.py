"""A real SMTP server on loopback (aiosmtpd) for the notification tests, and a public vendor."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import make_range, make_vendor, publish
from tests.servers import free_port


@dataclass
class Recorder:
    """Keeps every message the server accepted; can stall once on a chosen recipient."""

    messages: list = field(default_factory=list)
    stall_on: str = ""
    stall_seconds: float = 10
    stalled: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.stall_on and not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(self.stall_seconds)  # the worker times out, or is killed, meanwhile
            return "451 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        for recipient in envelope.rcpt_tos:
            self.messages.append((recipient, message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for recipient, message in self.messages if recipient == address]


class SMTPServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.recorder = Recorder()
        self.controller = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    """An SMTP server on a free loopback port, and the site's mail settings pointing at it."""
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://help.example"
    yield server
    server.stop()


@pytest.fixture
def vendor(db):
    """A public vendor with one range."""
    vendor = make_vendor("acme", "Acme Mail")
    make_range(vendor, "192.0.2.0/24")
    publish(vendor)
    return vendor
