"""Mail clients, their step lists, and the articles that render a vendor's facts.

A generic step list per mail client serves every vendor; a vendor may override
it with a list of its own. An article shows some of those clients' sections,
in its own order, around a Markdown body.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from articles.content.placeholders import validate_placeholders

from ..facts.limits import (
    ARTICLE_BODY_MAX_LENGTH,
    STEP_LIST_INTRO_MAX_LENGTH,
    STEP_TEXT_MAX_LENGTH,
    TextLimit,
)
from ..facts.models import Vendor, remember_old_slug, saved_values

# Second path segments under a vendor that the site uses for its own pages.
RESERVED_ARTICLE_SLUGS = frozenset({"for-it", "changes"})


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
    edit_version = models.PositiveIntegerField(
        _("edit version"),
        default=1,
        editable=False,
        help_text=_(
            "Counts saves; a form loaded at an older version is refused (articles/admin/locking.py)."
        ),
    )

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
    intro = MarkdownxField(
        _("introduction"),
        blank=True,
        validators=[validate_placeholders, TextLimit(STEP_LIST_INTRO_MAX_LENGTH)],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    edit_version = models.PositiveIntegerField(
        _("edit version"),
        default=1,
        editable=False,
        help_text=_(
            "Counts saves; a form loaded at an older version is refused (articles/admin/locking.py)."
        ),
    )

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
    text = MarkdownxField(_("text"), validators=[validate_placeholders, TextLimit(STEP_TEXT_MAX_LENGTH)])

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["step_list", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ArticleQuerySet(models.QuerySet):
    def public(self):
        """Articles a reader may see: published, not dated in the future, not yet withdrawn.

        Read against the clock at each query, so a scheduled publication or
        withdrawal takes effect at its moment with no write and no task.
        """
        now = timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now).filter(
            Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now)
        )


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
        validators=[validate_placeholders, TextLimit(ARTICLE_BODY_MAX_LENGTH)],
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
    unpublish_at = models.DateTimeField(
        _("withdrawal time"),
        null=True,
        blank=True,
        help_text=_("Readers stop seeing the article at this time, by itself; empty means never."),
    )
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    unsupported = models.BooleanField(
        _("no longer supported"),
        default=False,
        help_text=_("Shows a banner: what this article describes is no longer supported."),
    )
    unsupported_note = models.CharField(
        _("note on the banner"),
        max_length=300,
        blank=True,
        help_text=_("Optional: since when, and what readers should use instead. Plain text."),
    )
    review_interval_days = models.PositiveSmallIntegerField(
        _("review every (days)"),
        default=180,
        validators=[MinValueValidator(1)],
        help_text=_(
            "The article is listed as needing review this many days after it was last reviewed, "
            "and at once when its vendor's facts or its sections' generic steps change after that."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    edit_version = models.PositiveIntegerField(
        _("edit version"),
        default=1,
        editable=False,
        help_text=_(
            "Counts saves; a form loaded at an older version is refused (articles/admin/locking.py)."
        ),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("publish_article", _("Can publish, schedule and unpublish articles")),
        ]
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
        old = saved_values(self, ("slug", "vendor_id"))
        remember_old_slug(self, old, ArticleOldSlug, "article", scope=("vendor_id",))
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
        if self.unpublish_at and self.published_at and self.unpublish_at <= self.published_at:
            raise ValidationError(
                {
                    "unpublish_at": ValidationError(
                        _("The article would be withdrawn before it is published: choose a later time."),
                        code="unpublish_before_publish",
                    )
                }
            )

    @property
    def is_public(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.unpublish_at is None or self.unpublish_at > now)
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
