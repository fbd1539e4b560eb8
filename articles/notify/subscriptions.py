"""Subscribing, confirming and unsubscribing: double opt-in, and nothing kept of an address that leaves.

``subscribe()`` answers nothing about the address: whether it was new,
pending or confirmed, the caller shows one answer. It sends the confirmation
(the only mail before confirmation) through the outbox, and no second mail to
an address within a day, whatever vendor is asked for, so the form cannot
flood a third party's mailbox. Bad input raises ``ValidationError`` naming
what is wrong, before anything is written.

These rows are not edits of the help center's content (no revision, no
``edit_version``), so they are written here in a transaction of their own
rather than through ``services.changes.recording()``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.content.visibility import public_vendors_only
from articles.facts.models import Vendor
from articles.notify import mails
from articles.notify.announce import wake_worker
from articles.notify.models import EMAIL_MAX_LENGTH, Frequency, OutboxMessage, Subscriber

QUIET_PERIOD = dt.timedelta(days=1)


def clean_email(value: str) -> str:
    email = (value or "").strip()
    if not email:
        raise ValidationError("Enter your email address.", code="required")
    if len(email) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            f"That address is {len(email)} characters long; an email address has at most {EMAIL_MAX_LENGTH}.",
            code="too_long",
        )
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            "That is not an email address: it should look like name@example.com.", code="invalid"
        ) from None
    return BaseUserManager.normalize_email(email)


def clean_vendor(slug: str) -> Vendor | None:
    """The vendor readers can see with this slug; None (every vendor) for an empty one."""
    if not slug:
        return None
    vendor = public_vendors_only(Vendor.objects.filter(slug=slug)).first()
    if vendor is None:
        raise ValidationError(
            "There is no vendor with that name here; choose one from the site's vendor list.",
            code="unknown_vendor",
        )
    return vendor


def clean_frequency(value: str) -> str:
    if value not in Frequency.values:
        raise ValidationError("Choose immediate mails or a daily digest.", code="invalid_frequency")
    return value


def subscribe(*, email: str, vendor_slug: str = "", frequency: str = Frequency.IMMEDIATE) -> None:
    """Ask for a subscription: a confirmation mail unless one went to this address within a day."""
    errors = []
    cleaned = {}
    for name, clean, value in (
        ("email", clean_email, email),
        ("vendor", clean_vendor, vendor_slug),
        ("frequency", clean_frequency, frequency),
    ):
        try:
            cleaned[name] = clean(value)
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        recent = Subscriber.objects.filter(
            email=cleaned["email"], confirmation_sent_at__gt=now - QUIET_PERIOD
        )
        if (
            recent.exists()
            or Subscriber.objects.filter(email=cleaned["email"], vendor=cleaned["vendor"]).exists()
        ):
            return
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=cleaned["email"],
                    vendor=cleaned["vendor"],
                    frequency=cleaned["frequency"],
                    confirmation_sent_at=now,
                )
        except IntegrityError:  # asked twice at once: the other request sends the mail
            return
        mail = mails.confirmation(subscriber)
        OutboxMessage.objects.create(to=mail.to, subject=mail.subject, body=mail.body, headers=mail.headers)
        wake_worker()


def _subscriber(data: dict) -> Subscriber | None:
    return Subscriber.objects.filter(pk=data.get("s"), email=data.get("e")).select_related("vendor").first()


def confirming(token: str) -> Subscriber:
    """The subscriber a confirmation link names; ``ValidationError`` if the link is bad, old or spent."""
    try:
        data = mails.read_confirmation_token(token)
    except signing.SignatureExpired:
        raise ValidationError(
            "This confirmation link has expired. Subscribe again to get a new one.", code="expired"
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            "This confirmation link is not valid: it may have been cut short. Copy the whole link from the mail.",
            code="tampered",
        ) from None
    subscriber = _subscriber(data)
    if subscriber is None:
        raise ValidationError(
            "This subscription no longer exists (it was unsubscribed or expired). Subscribe again if you wish.",
            code="gone",
        )
    return subscriber


def confirm(token: str) -> Subscriber:
    """Confirm the subscription a link names; confirming twice changes nothing."""
    subscriber = confirming(token)
    if subscriber.status != Subscriber.Status.CONFIRMED:
        now = timezone.now()
        Subscriber.objects.filter(pk=subscriber.pk).update(
            status=Subscriber.Status.CONFIRMED, confirmed_at=now, digest_through=now
        )
        subscriber.status = Subscriber.Status.CONFIRMED
    return subscriber


def unsubscribing(token: str) -> Subscriber:
    """The subscriber an unsubscribe link names; ``ValidationError`` if the link is bad or already used."""
    try:
        data = mails.read_unsubscribe_token(token)
    except signing.BadSignature:
        raise ValidationError(
            "This unsubscribe link is not valid: it may have been cut short. Copy the whole link from the mail.",
            code="tampered",
        ) from None
    subscriber = _subscriber(data)
    if subscriber is None:
        raise ValidationError(
            "This address is already unsubscribed: the link was used before. Nothing more will be sent to it.",
            code="already_unsubscribed",
        )
    return subscriber


def unsubscribe(token: str) -> None:
    """Delete the subscription a link names, and so the address (if it follows nothing else)."""
    subscriber = unsubscribing(token)
    Subscriber.objects.filter(pk=subscriber.pk).delete()


def prune_unconfirmed(now: dt.datetime | None = None) -> int:
    """Delete requests never confirmed whose link has expired: their addresses are not kept."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.SUBSCRIBE_CONFIRM_HOURS)
    deleted, _ = Subscriber.objects.filter(status=Subscriber.Status.PENDING, created_at__lt=cutoff).delete()
    return deleted
