"""Vendors and the facts they publish: sender addresses, sender domains, IP ranges.

Every published list, page and file derives from these rows, so they are
stored normalised (a domain in its ``xn--`` form, a range as a CIDR network
with fixed-width hex bounds for indexed lookups) and refused when invalid.
"""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.facts import networks, sender_ranges, senders
from articles.facts.limits import VENDOR_DESCRIPTION_MAX_LENGTH, TextLimit
from articles.facts.old_slugs import remember_old_slug, saved_values

# First path segments the site itself uses: a vendor slug must not shadow them.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "search",
        "feedback",
        "static",
        "media",
        "help",
        "subscribe",
        "unsubscribe",
        "sitemap.xml",
        "robots.txt",
        "allowlist.json",
        "allowlist.txt",
        "allowlist.csv",
        "favicon.ico",
        "feeds",
        "accounts",
        "markdownx",
        "health",
        "well-known",
        ".well-known",
    }
)


def validate_vendor_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is a web address the site itself uses; choose another slug."),
            code="reserved_slug",
            params={"slug": value},
        )


class Vendor(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        validators=[validate_vendor_slug],
        help_text=_("The vendor's web address: /slug/. Renaming it keeps the old address working."),
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(
        _("short description"), blank=True, validators=[TextLimit(VENDOR_DESCRIPTION_MAX_LENGTH)]
    )
    # Where a reader who is still stuck can turn ("Still stuck?" on every article and section).
    support_email = models.EmailField(
        _("support email"), blank=True, help_text=_("The address readers write to for help with the product.")
    )
    support_url = models.URLField(
        _("support web page"),
        blank=True,
        validators=[
            URLValidator(schemes=["https"], message=_("The support page must be an https:// address."))
        ],
        help_text=_("The vendor's help or contact page, with https://."),
    )
    support_hours = models.CharField(
        _("support hours"),
        max_length=120,
        blank=True,
        help_text=_("When support answers, with the time zone: “Monday to Friday, 9:00–17:00 UK time”."),
    )
    unsupported = models.BooleanField(
        _("no longer supported"),
        default=False,
        help_text=_("Shows a banner on every article of this vendor: the product is no longer supported."),
    )
    unsupported_note = models.CharField(
        _("note on the banner"),
        max_length=300,
        blank=True,
        help_text=_("Optional: since when, and what readers should use instead. Plain text."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    facts_changed_at = models.DateTimeField(
        _("facts changed"),
        default=timezone.now,
        help_text=_(
            "When the name, slug, website, or an address, domain or range of this vendor last changed."
        ),
    )

    edit_version = models.PositiveIntegerField(
        _("edit version"),
        default=1,
        editable=False,
        help_text=_(
            "Counts saves; a form loaded at an older version is refused (articles/admin/locking.py)."
        ),
    )

    #: Vendor fields that the downloads and the API publish beside its facts:
    #: changing one moves ``facts_changed_at`` (services/changes.py).
    FACT_FIELDS = ("name", "slug", "website")

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]
        permissions = [
            ("change_published_facts", _("Can change the facts of a vendor readers can see")),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A rename keeps the old address working. What else a save sets off (the
        # "facts changed" time, the search index) is said by the write path:
        # see services/changes.py.
        remember_old_slug(self, saved_values(self, ("slug",)), VendorOldSlug, "vendor")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:vendor", kwargs={"vendor": self.slug})


class FactQuerySet(models.QuerySet):
    """Facts with a life span: ``added_on``, and ``retired_on`` once they leave the published lists."""

    def active(self, on=None):
        """Facts in force on ``on`` (today): added by then, and not retired, or retired only after it.

        Both dates may be announced ahead: a fact added in the future joins
        every list on its day, and a retirement in the future keeps the fact
        listed until its day, each at midnight with no write to the database.
        """
        on = on or timezone.localdate()
        return self.filter(Q(added_on__lte=on), Q(retired_on__isnull=True) | Q(retired_on__gt=on))

    def announced(self, on=None):
        """Facts whose addition is announced for a day after ``on`` (today): not listed yet."""
        return self.filter(added_on__gt=on or timezone.localdate(), retired_on__isnull=True)


class FactLifeSpan(models.Model):
    """When a fact was added and retired: a published fact is retired, never deleted, so it keeps a trace."""

    added_on = models.DateField(_("added on"), default=timezone.localdate)
    retired_on = models.DateField(
        _("retired on"),
        null=True,
        blank=True,
        help_text=_("From this day it leaves the published lists; it is kept for the record."),
    )

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        """For a fact already loaded, what ``active()`` decides in the database."""
        today = timezone.localdate()
        added = self.added_on is None or self.added_on <= today
        return added and (self.retired_on is None or self.retired_on > today)

    @property
    def is_retired(self) -> bool:
        """Retired on or before today: in no list any more (announced additions are not retired)."""
        return self.retired_on is not None and self.retired_on <= timezone.localdate()

    @property
    def added_later(self) -> bool:
        """Announced for a day still to come: not listed until then."""
        return self.added_on is not None and self.added_on > timezone.localdate()

    @property
    def retires_later(self) -> bool:
        """Retired on a day still to come: listed until then."""
        return self.retired_on is not None and self.retired_on > timezone.localdate()

    def clean_life_span(self) -> None:
        if self.retired_on and self.added_on and self.retired_on < self.added_on:
            raise ValidationError(
                {
                    "retired_on": ValidationError(
                        _("A %(fact)s cannot be retired before it was added."),
                        code="retired_before_added",
                        params={"fact": self._meta.verbose_name},
                    )
                }
            )


class SenderAddress(FactLifeSpan):
    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="sender_addresses", verbose_name=_("vendor")
    )
    address = models.CharField(_("email address"), max_length=254)
    used_for = models.CharField(
        _("used for"),
        max_length=200,
        blank=True,
        help_text=_("What readers receive from it, e.g. “password resets, daily digests”."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = FactQuerySet.as_manager()

    class Meta:
        verbose_name = _("sender address")
        verbose_name_plural = _("sender addresses")
        ordering = ["vendor", "position", "address"]
        constraints = [
            # Like a range, an address may be listed again once it is retired.
            models.UniqueConstraint(
                fields=["vendor", "address"],
                condition=Q(retired_on__isnull=True),
                name="unique_active_address_per_vendor",
                violation_error_message=_("This vendor already has that sender address."),
            )
        ]

    def __str__(self) -> str:
        return self.address

    def clean(self) -> None:
        if self.address:
            try:
                self.address = senders.normalise_address(self.address)
            except ValidationError as error:
                raise ValidationError({"address": error}) from None
        self.clean_life_span()

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


class SenderDomain(FactLifeSpan):
    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="sender_domains", verbose_name=_("vendor")
    )
    domain = models.CharField(
        _("domain"),
        max_length=253,
        help_text=_("International names are accepted and stored in their ASCII (xn--) form."),
    )

    objects = FactQuerySet.as_manager()

    class Meta:
        verbose_name = _("sender domain")
        verbose_name_plural = _("sender domains")
        ordering = ["vendor", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "domain"],
                condition=Q(retired_on__isnull=True),
                name="unique_active_domain_per_vendor",
                violation_error_message=_("This vendor already has that sender domain."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.domain:
            try:
                self.domain = senders.normalise_domain(self.domain)
            except ValidationError as error:
                raise ValidationError({"domain": error}) from None
        self.clean_life_span()

    @property
    def display_name(self) -> str:
        return senders.display_domain(self.domain)


class IPRangeQuerySet(FactQuerySet):
    def covering(self, address: networks.Address):
        """Ranges that contain ``address``: an indexed lookup, see networks.py."""
        return self.filter(
            version=address.version,
            start__in=networks.candidate_starts(address),
            end__gte=networks.key(address, address.version),
        )

    def covering_network(self, network: networks.Network):
        """Ranges that contain every address of ``network``."""
        return self.covering(network.network_address).filter(
            end__gte=networks.key(network.broadcast_address, network.version)
        )


class IPRange(FactLifeSpan):
    class Tier(models.TextChoices):
        PRIMARY = "primary", _("Primary: allow these first")
        ADDITIONAL = "additional", _("Additional: if mail is still blocked")

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="ip_ranges", verbose_name=_("vendor")
    )
    network = models.CharField(
        _("network"),
        max_length=43,
        help_text=_("An IPv4 or IPv6 address or CIDR range; a single address is stored as /32 or /128."),
    )
    version = models.PositiveSmallIntegerField(_("IP version"), editable=False)
    prefixlen = models.PositiveSmallIntegerField(_("prefix length"), editable=False)
    start = models.CharField(max_length=networks.KEY_WIDTH, editable=False)
    end = models.CharField(max_length=networks.KEY_WIDTH, editable=False)
    tier = models.CharField(_("tier"), max_length=12, choices=Tier, default=Tier.PRIMARY)
    public_note = models.CharField(
        _("public note"),
        max_length=200,
        blank=True,
        help_text=_("Shown to readers beside the range: on the pages, in the range files and in the API."),
    )
    staff_note = models.CharField(
        _("staff note"),
        max_length=200,
        blank=True,
        help_text=_("For staff only, e.g. where the range came from: shown in the admin and nowhere else."),
    )
    retired_on = models.DateField(
        _("retired on"),
        null=True,
        blank=True,
        help_text=_("From this day the range leaves the published lists; it is kept for the record."),
    )

    objects = IPRangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("IP range")
        verbose_name_plural = _("IP ranges")
        permissions = [("retire_iprange", _("Can retire IP ranges"))]
        ordering = ["vendor", "tier", "version", "start", "prefixlen"]
        indexes = [models.Index(fields=["version", "start"], name="iprange_lookup_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "network"],
                condition=Q(retired_on__isnull=True),
                name="unique_active_range_per_vendor",
                violation_error_message=_("This vendor already lists that range."),
            ),
            models.CheckConstraint(condition=Q(version__in=[4, 6]), name="iprange_version_4_or_6"),
            models.CheckConstraint(
                condition=Q(tier__in=["primary", "additional"]), name="iprange_tier_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.network

    def save(self, *args, **kwargs):
        self.derive_lookup_fields()
        super().save(*args, **kwargs)

    def derive_lookup_fields(self, network: networks.Network | None = None) -> None:
        """Normalise the network and set the fields the covering lookup reads.

        ``save()`` calls it; a bulk write (``bulk_create`` skips ``save()``) calls it for each
        row, with the ``network`` it has already parsed from ``self.network``.
        """
        network = network or networks.parse_network(self.network)
        self.network = network.with_prefixlen
        self.version = network.version
        self.prefixlen = network.prefixlen
        self.start, self.end = networks.bounds(network)

    #: Check constraints that guard the database alone: the version comes from parsing the
    #: network in save(), and the tier field's choices are checked with the other fields.
    DATABASE_ONLY_CONSTRAINTS = frozenset({"iprange_version_4_or_6", "iprange_tier_valid"})

    def get_constraints(self):
        # Left out of validate_constraints() (its only caller): validating them would cost two
        # queries per range (on every inline row, paste line and import), and even skipped by
        # ``exclude`` each builds a query first: 1.4 s of a 10,000-line paste's full_clean().
        return [
            (model, [c for c in constraints if c.name not in self.DATABASE_ONLY_CONSTRAINTS])
            for model, constraints in super().get_constraints()
        ]

    def clean(self) -> None:
        if self.network:
            try:
                network = networks.parse_network(self.network)
                # A range no sender publishes (the whole internet, private,
                # loopback...) is refused while it is, or is announced to be, in the published lists.
                # One already retired is history that no list carries, and a
                # range stored before this rule must stay retirable.
                if not self.is_retired:
                    sender_ranges.check_sender_range(network)
            except networks.RangeError as error:
                raise ValidationError({"network": ValidationError(str(error), code=error.code)}) from None
            self.network = network.with_prefixlen
        if self.retired_on and self.added_on and self.retired_on < self.added_on:
            raise ValidationError({"retired_on": _("A range cannot be retired before it was added.")})

    @property
    def ip_network(self) -> networks.Network:
        return ipaddress.ip_network(self.network)

    @property
    def display(self) -> str:
        """A single address without its /32 or /128, as readers expect to see it."""
        return networks.display(self.ip_network)


class VendorOldSlug(models.Model):
    """A slug a vendor used to have: its old addresses answer with a 301."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        verbose_name = _("old vendor slug")
        verbose_name_plural = _("old vendor slugs")

    def __str__(self) -> str:
        return self.slug
