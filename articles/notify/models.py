"""Who asked to hear of changes, what is waiting to be sent to them, and what was already announced.

Addresses are kept for one use only, these notifications; an unsubscribed
address is deleted, not kept. Outbox rows and webhook deliveries are written
in the transaction of the change that causes them (``announce``), so a change
and the word of it are saved together or not at all, and the worker
(``outbox``) sends them later, retrying until they are delivered.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.facts.models import Vendor

#: RFC 5321's limit on a forward path, the longest address a mail server must accept.
EMAIL_MAX_LENGTH = 254


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As soon as a change is announced")
    DAILY = "daily", _("A daily digest")


class Subscriber(models.Model):
    """An address that follows one vendor's changes, or every vendor's (``vendor`` empty)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending: confirmation link sent, not yet followed")
        CONFIRMED = "confirmed", _("Confirmed")

    email = models.EmailField(_("email address"), max_length=EMAIL_MAX_LENGTH)
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscribers",
        verbose_name=_("vendor"),
        help_text=_("Empty: every vendor."),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency, default=Frequency.IMMEDIATE
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    digest_through = models.DateTimeField(
        _("digest sent through"),
        null=True,
        blank=True,
        help_text=_("The daily digest lists the changes announced after this time."),
    )

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "vendor"],
                name="subscriber_once_per_vendor",
                condition=Q(vendor__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["email"], name="subscriber_once_for_all", condition=Q(vendor__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.vendor or _('all vendors')})"


class OutboxQuerySet(models.QuerySet):
    def due(self, now=None):
        """Not yet sent, not given up on, and due now."""
        return self.filter(
            sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now or timezone.now()
        )


class Attempted(models.Model):
    """Something the worker sends, retries with backoff and claims with a lease (``outbox``)."""

    created_at = models.DateTimeField(_("written"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)

    class Meta:
        abstract = True


class OutboxMessage(Attempted):
    """One mail waiting to be sent, or sent; the worker claims it with a lease (``outbox``)."""

    to = models.EmailField(_("to"), max_length=EMAIL_MAX_LENGTH)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


class NotifiedChange(models.Model):
    """A change of the change log (``Change.key``) that was announced: each is announced once."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+", verbose_name=_("vendor"))
    key = models.CharField(_("change"), max_length=100)
    effective_on = models.DateField(_("takes effect on"))
    announced_at = models.DateTimeField(_("announced"), default=timezone.now)

    class Meta:
        verbose_name = _("announced change")
        verbose_name_plural = _("announced changes")
        ordering = ["-announced_at"]
        constraints = [models.UniqueConstraint(fields=["vendor", "key"], name="notified_change_once")]
        indexes = [models.Index(fields=["announced_at"], name="notified_change_digest_idx")]

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.key}"


class WebhookEndpoint(models.Model):
    """A customer's HTTPS endpoint that receives each change set of a vendor (or all), signed."""

    url = models.URLField(_("URL"), max_length=500, help_text=_("https://… on a public address."))
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("vendor"),
        help_text=_("Empty: every vendor."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        help_text=_("Give it to the customer; they verify each POST with it."),
    )
    description = models.CharField(_("for whom"), max_length=200, blank=True)
    paused = models.BooleanField(
        _("paused"), default=False, help_text=_("Set by itself after repeated failures; clear it to resume.")
    )
    failure_count = models.PositiveIntegerField(_("consecutive failures"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url

    def clean(self) -> None:
        # The address itself is checked when each POST is sent (notify/webhooks.py): it can change.
        if self.url and not self.url.lower().startswith("https://") and not settings.WEBHOOKS_ALLOW_LOOPBACK:
            raise ValidationError(
                {"url": _("A webhook is sent over HTTPS only: the URL must start with https://.")},
                code="https_required",
            )


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(
            status=WebhookDelivery.Status.PENDING,
            endpoint__paused=False,
            next_attempt_at__lte=now or timezone.now(),
        )


class WebhookDelivery(Attempted):
    """One change set to POST to one endpoint, and how its attempts went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Given up")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event_id = models.CharField(_("event"), max_length=200)
    body = models.TextField(_("JSON body"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="delivery_due_idx", condition=Q(status="pending"))
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint}"
