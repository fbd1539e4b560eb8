"""Changes that wait for a publisher: a published article's pending change, a public vendor's proposal.

An editor's save of a published article does not touch the live article:
the form as posted (the article's fields and its client sections, already
validated) is kept here until a publisher publishes it, now or at a set
time, or discards it. Readers see nothing of it until then.

The posted form is kept rather than an article row, because publishing it
replays it through the same admin forms against the article as it then is:
every rule of the form applies again, and the save is an ordinary one, with
its revision, search index and "facts changed" consequences.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.content.models import Article
from articles.facts.models import Vendor


class PendingChangeQuerySet(models.QuerySet):
    def due(self, now):
        """Pending changes set to be published at or before ``now``."""
        return self.filter(publish_at__isnull=False, publish_at__lte=now)


class PendingChange(models.Model):
    """The one open pending change of a published article: its posted form, who and when."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="pending_change", verbose_name=_("article")
    )
    data = models.JSONField(
        _("posted form"),
        help_text=_("The change form as it was posted: each field name with its list of values."),
    )
    form_fields = models.JSONField(
        _("form fields"),
        default=list,
        help_text=_("The fields the editor's form had: publishing replays the data through those only."),
    )
    base_edit_version = models.PositiveIntegerField(
        _("based on edit version"),
        help_text=_("The live article's edit version the change was made from; a later save makes it stale."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("The worker publishes the change at this time; empty means it waits for a publisher."),
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scheduled by"),
        help_text=_("The publisher who set the time: the worker publishes in their name."),
    )
    problem = models.CharField(
        _("problem"),
        max_length=300,
        blank=True,
        help_text=_("Why the worker could not publish the change at its time, if it could not."),
    )

    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        ordering = ["article", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publish_at__isnull=True) | models.Q(scheduled_by__isnull=False),
                name="scheduled_pending_change_has_publisher",
                violation_error_message=_(
                    "A pending change set to be published at a time needs a publisher."
                ),
            ),
        ]
        indexes = [models.Index(fields=["publish_at"], name="pending_change_due_idx")]

    def __str__(self) -> str:
        return f"Pending change to “{self.article}”"


class FactProposal(models.Model):
    """The one open proposed change to a public vendor's facts: its posted form, who and when.

    A model of its own rather than PendingChange made generic (a content type
    and an object id): a vendor's proposal is never scheduled, so it has none
    of the publishing time, publisher and worker's problem fields and their
    constraint, and a real one-to-one key keeps "one open proposal per
    vendor" in the database and the vendor list's "has a proposal" column one
    indexed EXISTS. What the two share is the posted form and how it is
    replayed, which lives in admin/pending.py's ``ReplaysKeptForms``.
    """

    vendor = models.OneToOneField(
        Vendor, on_delete=models.CASCADE, related_name="fact_proposal", verbose_name=_("vendor")
    )
    data = models.JSONField(
        _("posted form"),
        help_text=_(
            "The vendor form as it was posted, with its inlines: each field name with its list of values."
        ),
    )
    form_fields = models.JSONField(
        _("form fields"),
        default=list,
        help_text=_("The fields the editor's form had: applying replays the data through those only."),
    )
    base_edit_version = models.PositiveIntegerField(
        _("based on edit version"),
        help_text=_("The vendor's edit version the proposal was made from; a later save makes it stale."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    class Meta:
        verbose_name = _("proposed fact change")
        verbose_name_plural = _("proposed fact changes")
        ordering = ["vendor", "pk"]

    def __str__(self) -> str:
        return f"Proposed change to the facts of “{self.vendor}”"
