"""Readers' answers to "Was this helpful?": one row per vote, with nothing that identifies the reader.

A vote names the article, the mail client section it was given under (empty
for the article as a whole), yes or no, and the day. No IP address, user
agent, cookie or time of day is kept: the day is enough for a report and a
time to the second could be matched against a server's access log. A "no" may
carry a short comment, masked before it is stored (services/feedback.py).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.content.models import Article

#: The longest comment a reader may leave after a "no".
FEEDBACK_COMMENT_MAX_LENGTH = 500


class Feedback(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("article")
    )
    section = models.SlugField(
        _("section"),
        max_length=60,
        blank=True,
        help_text=_(
            "The mail client section voted under (its anchor, e.g. gmail); empty: the whole article."
        ),
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.CharField(_("comment"), max_length=FEEDBACK_COMMENT_MAX_LENGTH, blank=True)
    created_on = models.DateField(_("day"), default=timezone.localdate)

    class Meta:
        verbose_name = _("feedback vote")
        verbose_name_plural = _("feedback")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["article", "section"], name="feedback_by_article_section")]
        constraints = [
            models.CheckConstraint(
                condition=Q(helpful=False) | Q(comment=""), name="feedback_comment_only_after_no"
            )
        ]

    def __str__(self) -> str:
        where = f" #{self.section}" if self.section else ""
        return f"{'Yes' if self.helpful else 'No'} on {self.article_id}{where}, {self.created_on}"
