"""Delivery that loses nothing: a real SMTP server on loopback, the outbox, retries and a worker killed mid-batch."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from django.db import connection
from django.utils import timezone

from articles.notify import outbox
from articles.notify.digest import send_digests
from articles.notify.models import NotifiedChange, OutboxMessage, Subscriber
from articles.services import changes, ranges
from tests.conftest import make_range
from tests.servers import ROOT

pytestmark = pytest.mark.django_db


def deliver() -> int:
    return outbox.deliver_mail(worker="test")


def due_now() -> None:
    """Move time on for the retries: every waiting message is due."""
    OutboxMessage.objects.filter(sent_at__isnull=True).update(next_attempt_at=timezone.now())


def one_click(client, url: str):
    path = url.removeprefix("https://help.example")
    return client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")


def test_subscribe_confirm_announced_range_notified_then_one_click_unsubscribe_ends_it(client, smtp, vendor):
    address = "it@customer.example"
    client.post("/subscribe/", {"email": address, "vendor": "acme", "frequency": "immediate"})
    assert deliver() == 1
    [confirmation] = smtp.recorder.to(address)
    assert "List-Unsubscribe" not in confirmation
    link = re.search(r"https://help\.example(/subscribe/confirm/\S+/)", confirmation.get_content()).group(1)
    assert client.post(link).status_code == 200

    due = timezone.localdate() + dt.timedelta(days=30)
    make_range(vendor, "203.0.113.0/24", "primary", added_on=due, public_note="new relay")
    assert deliver() == 1
    [_, notice] = smtp.recorder.to(address)
    body = notice.get_content()
    assert notice["Subject"] == "Acme Mail allowlist changes"
    assert f"Acme Mail, upcoming, takes effect on {due.isoformat()}:" in body
    assert f"Add IP range 203.0.113.0/24 (primary, new relay) to your allow list by {due.isoformat()}" in body
    assert "https://help.example/acme/changes/" in body
    assert "https://help.example/acme/allowlist.txt" in body
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(
        r"<(https://help\.example/unsubscribe/\S+/)>", notice["List-Unsubscribe"].strip()
    ).group(1)
    assert f"Unsubscribe with one click: {unsubscribe}" in body

    assert one_click(client, unsubscribe).status_code == 200
    assert not Subscriber.objects.filter(email=address).exists()
    make_range(vendor, "198.51.100.0/24", "primary", added_on=due)
    assert deliver() == 0
    assert len(smtp.recorder.to(address)) == 2
    assert one_click(client, unsubscribe).status_code == 410


def test_each_change_is_announced_once_and_a_rolled_back_write_announces_nothing(smtp, vendor):
    Subscriber.objects.create(email="it@customer.example", vendor=None, status="confirmed")
    ip_range = make_range(vendor, "203.0.113.0/24")
    ip_range.public_note = "edited"
    ip_range.save()
    changes.written(ip_range)
    with pytest.raises(RuntimeError), changes.recording():
        make_range(vendor, "198.51.100.0/24")
        raise RuntimeError("the write fails")
    assert OutboxMessage.objects.count() == 1
    assert deliver() == 1
    assert len(smtp.recorder.messages) == 1


def test_a_draft_vendors_changes_are_marked_announced_and_sent_to_nobody(smtp, db):
    from tests.conftest import make_vendor

    Subscriber.objects.create(email="it@customer.example", vendor=None, status="confirmed")
    draft = make_vendor("draft", "Draft")
    make_range(draft, "203.0.113.0/24")
    assert NotifiedChange.objects.filter(vendor=draft).count() == 1
    assert not OutboxMessage.objects.exists()


def test_mail_server_down_then_back_everything_is_delivered_once(smtp, vendor):
    addresses = [f"it{n}@customer.example" for n in range(3)]
    for address in addresses:
        Subscriber.objects.create(email=address, vendor=vendor, status="confirmed")
    smtp.stop()
    make_range(vendor, "203.0.113.0/24")
    assert deliver() == 0  # the batch stops at the first connection failure
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert waiting.count() == 3
    tried = waiting.get(attempts=1)
    assert "ConnectionRefusedError" in tried.last_error
    assert tried.next_attempt_at > timezone.now()
    assert deliver() == 0  # nothing is due before its time

    for _attempt in range(2, 6):  # an hour of outage: retries further and further apart
        due_now()
        deliver()
    assert OutboxMessage.objects.get(pk=tried.pk).attempts == 5

    smtp.start()
    due_now()
    assert deliver() == 3
    assert sorted(recipient for recipient, _ in smtp.recorder.messages) == addresses
    assert deliver() == 0


def test_backoff_doubles_up_to_half_an_hour():
    assert [outbox.backoff(n).total_seconds() / 60 for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_permanent_refusal_is_not_retried(smtp, vendor):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 no such user"

    smtp.recorder.handle_RCPT = refuse
    Subscriber.objects.create(email="gone@customer.example", vendor=vendor, status="confirmed")
    make_range(vendor, "203.0.113.0/24")
    assert deliver() == 0
    message = OutboxMessage.objects.get()
    assert message.failed_at is not None and "550" in message.last_error


def test_the_daily_digest_lists_the_days_announcements_once(smtp, vendor):
    Subscriber.objects.create(
        email="daily@customer.example",
        vendor=vendor,
        status="confirmed",
        frequency="daily",
        confirmed_at=timezone.now() - dt.timedelta(hours=1),
        digest_through=timezone.now() - dt.timedelta(hours=1),
    )
    retiring = timezone.localdate() + dt.timedelta(days=10)
    ip_range = vendor.ip_ranges.get()
    ip_range.retired_on = retiring
    ip_range.save()
    changes.written(ip_range)
    assert not OutboxMessage.objects.exists()  # not an immediate subscriber
    assert send_digests() == 1
    assert send_digests() == 0
    deliver()
    [(_, digest)] = smtp.recorder.messages
    assert digest["Subject"] == "Daily digest: Acme Mail allowlist changes"
    assert (
        f"Remove IP range 192.0.2.0/24 (primary) from your allow list on {retiring.isoformat()}"
        in digest.get_content()
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_and_restarted_sends_no_duplicate(smtp, vendor):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it shares with the test: PostgreSQL")
    addresses = [f"it{n}@customer.example" for n in range(5)]
    for address in addresses:
        Subscriber.objects.create(email=address, vendor=vendor, status="confirmed")
    make_range(vendor, "203.0.113.0/24")
    for position, message in enumerate(OutboxMessage.objects.order_by("to")):
        OutboxMessage.objects.filter(pk=message.pk).update(
            next_attempt_at=timezone.now() - dt.timedelta(minutes=10 - position)
        )
    smtp.recorder.stall_on = "it2@customer.example"
    settings_dict = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "30",
    }
    command = [sys.executable, "manage.py", "deliver_outbox"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603 - our own command
    try:
        assert smtp.recorder.stalled.wait(30), worker.communicate(timeout=5)
        assert sorted(r for r, _ in smtp.recorder.messages) == addresses[:2]
    finally:
        worker.kill()
        worker.wait()
    restarted = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603
    assert restarted.returncode == 0, restarted.stderr
    assert "Sent 3 mail(s)" in restarted.stdout
    assert sorted(r for r, _ in smtp.recorder.messages) == addresses
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_a_mail_server_that_hangs_is_a_timeout_retried_later(smtp, vendor, settings):
    settings.EMAIL_TIMEOUT = 1
    smtp.recorder.stall_on, smtp.recorder.stall_seconds = "it@customer.example", 1.5
    Subscriber.objects.create(email="it@customer.example", vendor=vendor, status="confirmed")
    make_range(vendor, "203.0.113.0/24")
    assert deliver() == 0
    message = OutboxMessage.objects.get()
    assert "timed out" in message.last_error and message.sent_at is None
    assert message.next_attempt_at > timezone.now()
    due_now()
    assert deliver() == 1  # the server answers again (it stalls once)
    assert len(smtp.recorder.to("it@customer.example")) == 1


def test_the_paste_service_announces_what_it_adds(smtp, vendor):
    Subscriber.objects.create(email="it@customer.example", vendor=vendor, status="confirmed")
    ranges.vendor_ranges_add(vendor=vendor, text="203.0.113.0/24\n198.51.100.0/24", tier="additional")
    assert deliver() == 1
    [(_, notice)] = smtp.recorder.messages
    body = notice.get_content()
    assert "203.0.113.0/24 (additional)" in body and "198.51.100.0/24 (additional)" in body
