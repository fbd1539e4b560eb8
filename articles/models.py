"""The help center's facts and articles.

Vendors own the facts (sender addresses, sender domains, IP ranges). Mail
clients own step lists: one generic list per client serves every vendor, and a
vendor may override it with a list of its own. Articles render those facts, so
a range typed once shows everywhere it is mentioned.
"""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from . import networks, senders
from .placeholders import validate_placeholders

# First path segments the site itself uses: a vendor slug must not shadow them.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "search",
        "static",
        "media",
        "help",
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


# Second path segments under a vendor that the site uses for its own pages.
RESERVED_ARTICLE_SLUGS = frozenset({"for-it"})


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
    description = models.TextField(_("short description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    facts_changed_at = models.DateTimeField(
        _("facts changed"),
        default=timezone.now,
        help_text=_(
            "When the name, slug, website, or an address, domain or range of this vendor last changed."
        ),
    )

    #: Vendor fields that the downloads and the API publish beside its facts.
    FACT_FIELDS = ("name", "slug", "website")

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        old = _saved_values(self, self.FACT_FIELDS)
        # The downloads name the vendor, so their Last-Modified must move too.
        if old and any(old[name] != getattr(self, name) for name in self.FACT_FIELDS):
            self.facts_changed_at = timezone.now()
        _remember_old_slug(self, old, VendorOldSlug, "vendor")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:vendor", kwargs={"vendor": self.slug})


class SenderAddress(models.Model):
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

    class Meta:
        verbose_name = _("sender address")
        verbose_name_plural = _("sender addresses")
        ordering = ["vendor", "position", "address"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "address"],
                name="unique_sender_address_per_vendor",
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

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


class SenderDomain(models.Model):
    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="sender_domains", verbose_name=_("vendor")
    )
    domain = models.CharField(
        _("domain"),
        max_length=253,
        help_text=_("International names are accepted and stored in their ASCII (xn--) form."),
    )

    class Meta:
        verbose_name = _("sender domain")
        verbose_name_plural = _("sender domains")
        ordering = ["vendor", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "domain"],
                name="unique_sender_domain_per_vendor",
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

    @property
    def display_name(self) -> str:
        return senders.display_domain(self.domain)


class IPRangeQuerySet(models.QuerySet):
    def active(self, on=None):
        """Ranges in force: not retired, or retired only after ``on`` (today)."""
        on = on or timezone.localdate()
        return self.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=on))

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


class IPRange(models.Model):
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
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_on = models.DateField(_("added on"), default=timezone.localdate)
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
        network = networks.parse_network(self.network)
        self.network = network.with_prefixlen
        self.version = network.version
        self.prefixlen = network.prefixlen
        self.start, self.end = networks.bounds(network)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.network:
            try:
                self.network = networks.normalise(self.network)
            except networks.RangeError as error:
                raise ValidationError({"network": ValidationError(str(error), code=error.code)}) from None
        if self.retired_on and self.added_on and self.retired_on < self.added_on:
            raise ValidationError({"retired_on": _("A range cannot be retired before it was added.")})

    @property
    def ip_network(self) -> networks.Network:
        return ipaddress.ip_network(self.network)

    @property
    def is_active(self) -> bool:
        """For a range already loaded, what ``IPRange.objects.active()`` decides in the database."""
        return self.retired_on is None or self.retired_on > timezone.localdate()

    @property
    def display(self) -> str:
        """A single address without its /32 or /128, as readers expect to see it."""
        return networks.display(self.ip_network)


class MailClient(models.Model):
    class Audience(models.TextChoices):
        PERSON = "person", _("A person reading mail")
        IT = "it", _("An IT department")

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("anchor"),
        max_length=40,
        unique=True,
        help_text=_("The section's anchor in a guide: #slug. Keep it stable; support links to it."),
    )
    audience = models.CharField(_("audience"), max_length=10, choices=Audience, default=Audience.PERSON)
    short_name = models.CharField(
        _("short name"), max_length=40, blank=True, help_text=_("Shown in the client picker.")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("mail client")
        verbose_name_plural = _("mail clients")
        ordering = ["audience", "position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class StepList(models.Model):
    """The ordered steps for one mail client: generic, or one vendor's override."""

    mail_client = models.ForeignKey(
        MailClient, on_delete=models.CASCADE, related_name="step_lists", verbose_name=_("mail client")
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="step_lists",
        verbose_name=_("vendor"),
        help_text=_("Leave empty for the generic steps that serve every vendor."),
    )
    intro = MarkdownxField(_("introduction"), blank=True, validators=[validate_placeholders])
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("step list")
        verbose_name_plural = _("step lists")
        ordering = ["mail_client", "vendor"]
        constraints = [
            models.UniqueConstraint(
                fields=["mail_client", "vendor"],
                name="unique_step_list_per_client_and_vendor",
                violation_error_message=_("This vendor already has its own steps for that client."),
            ),
            models.UniqueConstraint(
                fields=["mail_client"],
                condition=Q(vendor__isnull=True),
                name="unique_generic_step_list_per_client",
                violation_error_message=_("That mail client already has generic steps."),
            ),
        ]

    def __str__(self) -> str:
        owner = self.vendor.name if self.vendor_id else _("generic")
        return f"{self.mail_client} ({owner})"


class Step(models.Model):
    step_list = models.ForeignKey(
        StepList, on_delete=models.CASCADE, related_name="steps", verbose_name=_("step list")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = MarkdownxField(_("text"), validators=[validate_placeholders])

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["step_list", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ArticleQuerySet(models.QuerySet):
    def public(self):
        """Articles a reader may see: published, and not dated in the future."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


class Article(models.Model):
    class Kind(models.TextChoices):
        GUIDE = "guide", _("Allowlisting guide")
        TROUBLESHOOTING = "troubleshooting", _("Troubleshooting")
        EXPLAINER = "explainer", _("Concept explainer")
        REFERENCE = "reference", _("Settings reference")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("vendor"),
        help_text=_("Leave empty for an article that is about no one vendor (address /help/slug/)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.GUIDE)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=80, help_text=_("Renaming it keeps the old address working.")
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = MarkdownxField(
        _("body"),
        blank=True,
        validators=[validate_placeholders],
        help_text=_("Markdown. Placeholders such as {{ vendor }} insert the vendor's current facts."),
    )
    clients = models.ManyToManyField(
        MailClient, through="ArticleClient", blank=True, verbose_name=_("mail client sections")
    )
    show_it_section = models.BooleanField(
        _("show the IT section"),
        default=False,
        help_text=_("Addresses, domains and IP ranges for IT departments."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("Readers see a published article from this time on; empty means now, on publishing."),
    )
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["vendor__name", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "slug"],
                name="unique_article_slug_per_vendor",
                violation_error_message=_("This vendor already has an article with that slug."),
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(vendor__isnull=True),
                name="unique_general_article_slug",
                violation_error_message=_("A general article already has that slug."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="published_article_has_time",
                violation_error_message=_("A published article needs a publication time."),
            ),
        ]
        indexes = [models.Index(fields=["status", "published_at"], name="article_public_idx")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        old = _saved_values(self, ("slug", "vendor_id"))
        _remember_old_slug(self, old, ArticleOldSlug, "article", scope=("vendor_id",))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if self.vendor_id:
            return reverse("articles:article", kwargs={"vendor": self.vendor.slug, "article": self.slug})
        return reverse("articles:general_article", kwargs={"article": self.slug})

    def clean(self) -> None:
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self.vendor_id and self.slug in RESERVED_ARTICLE_SLUGS:
            raise ValidationError(
                {
                    "slug": ValidationError(
                        _("“%(slug)s” is a page every vendor has (/vendor/%(slug)s/); choose another slug."),
                        code="reserved_slug",
                        params={"slug": self.slug},
                    )
                }
            )

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


class ArticleClient(models.Model):
    """A mail client section shown in an article, in the article's order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="client_sections")
    mail_client = models.ForeignKey(MailClient, on_delete=models.PROTECT, verbose_name=_("mail client"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("mail client section")
        verbose_name_plural = _("mail client sections")
        ordering = ["article", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "mail_client"],
                name="unique_client_section_per_article",
                violation_error_message=_("That mail client is already a section of this article."),
            )
        ]

    def __str__(self) -> str:
        return str(self.mail_client)


class VendorOldSlug(models.Model):
    """A slug a vendor used to have: its old addresses answer with a 301."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        verbose_name = _("old vendor slug")
        verbose_name_plural = _("old vendor slugs")

    def __str__(self) -> str:
        return self.slug


class ArticleOldSlug(models.Model):
    """A (vendor, slug) an article used to be published under."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    slug = models.SlugField(max_length=80)

    class Meta:
        verbose_name = _("old article slug")
        verbose_name_plural = _("old article slugs")
        constraints = [models.UniqueConstraint(fields=["vendor", "slug"], name="unique_old_article_slug")]

    def __str__(self) -> str:
        return self.slug


def _saved_values(instance: models.Model, fields: tuple[str, ...]) -> dict | None:
    """The row as stored before this save (one query), or None for a new object."""
    if instance.pk is None:
        return None
    return type(instance).objects.filter(pk=instance.pk).values(*fields).first()


def _remember_old_slug(
    instance: models.Model, old: dict | None, history_model, field: str, scope: tuple[str, ...] = ()
) -> None:
    """Before a rename is saved, keep the old address so it can redirect.

    ``old`` holds the stored slug and ``scope``, the other fields that are part
    of the address (an article's vendor).
    """
    if old is None or all(old[name] == getattr(instance, name) for name in ("slug", *scope)):
        return
    # The current object reclaiming one of its own old slugs drops that record;
    # an old slug held by another object is handed to this one.
    history_model.objects.filter(
        **{field: instance}, slug=instance.slug, **{name: getattr(instance, name) for name in scope}
    ).delete()
    history_model.objects.update_or_create(
        slug=old["slug"], **{name: old[name] for name in scope}, defaults={field: instance}
    )


# Search's models (the index, synonyms, analytics) live with the search package.
from .search.models import (  # noqa: E402,F401
    ArticleReadCount,
    PromotedResult,
    SearchClick,
    SearchDocument,
    SearchQueryLog,
    SearchTerm,
    Synonym,
)
