"""The record of a paste the worker saves: what was pasted, how far it got, what came of it.

A paste above ``range_pastes.BACKGROUND_LINES`` lines is saved by the worker
(``tasks.range_pastes``), not in the request: this row carries the pasted
text to it and its progress and result back to the admin's progress page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.facts.models import IPRange, Vendor


class RangePaste(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        CHECKING = "checking", _("Checking the lines")
        SAVING = "saving", _("Saving the ranges")
        SAVED = "saved", _("Saved")
        REFUSED = "refused", _("Refused: nothing was saved")
        FAILED = "failed", _("Failed: nothing was saved")

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="range_pastes")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    text = models.TextField(_("pasted text"))
    tier = models.CharField(_("tier"), max_length=12, choices=IPRange.Tier)
    public_note = models.CharField(_("public note"), max_length=200, blank=True)
    staff_note = models.CharField(_("staff note"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    lines_total = models.PositiveIntegerField(_("lines"))
    lines_checked = models.PositiveIntegerField(_("lines checked"), default=0)
    added = models.PositiveIntegerField(_("ranges added"), default=0)
    skipped = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    #: The refused lines, each {"line": number, "text": as pasted, "message": why}.
    refused_lines = models.JSONField(_("refused lines"), default=list, blank=True)

    class Meta:
        verbose_name = _("range paste")
        verbose_name_plural = _("range pastes")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.lines_total} lines for {self.vendor}"

    @property
    def finished(self) -> bool:
        return self.state in {self.State.SAVED, self.State.REFUSED, self.State.FAILED}

    @property
    def percent(self) -> int:
        """How far the work is, for the progress bar: checking is the first half, saving the second."""
        if self.finished:
            return 100
        if self.state == self.State.SAVING:
            return 50
        return self.lines_checked * 50 // max(self.lines_total, 1)
