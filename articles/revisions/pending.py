"""What a pending change would change in the live article: fields side by side, the body by line.

Pure: it compares two articles held in memory (the live one, and the pending
one the admin builds by replaying the posted form, admin/pending.py) with the
mail client sections each shows, and touches no database. Kept small on
purpose: the general diff between any two revisions is another module's
concern (revisions/diff.py); this one serves the "view pending" page only.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import zip_longest

from django.utils import formats, timezone

from articles.content.models import Article, MailClient

#: The article's own fields a pending change may touch, in the order the change form shows them.
COMPARED_FIELDS = [
    "vendor",
    "kind",
    "title",
    "slug",
    "summary",
    "show_it_section",
    "status",
    "published_at",
    "unpublish_at",
    "reviewed_on",
]
#: Unchanged lines kept around each changed stretch of the body.
CONTEXT_LINES = 2


class CannotPublish(Exception):
    """A pending change that cannot be published as it stands; the message says why, for staff."""


@dataclass(frozen=True)
class FieldChange:
    label: str
    live: str
    pending: str


@dataclass(frozen=True)
class BodyLine:
    """One row of the side-by-side body diff; ``None`` on a side that has no line there."""

    kind: str  # "same", "changed", "removed", "added", or "gap" between stretches
    live: str | None
    pending: str | None


@dataclass
class PendingDiff:
    fields: list[FieldChange] = field(default_factory=list)
    body: list[BodyLine] = field(default_factory=list)
    sections_added: list[str] = field(default_factory=list)
    sections_removed: list[str] = field(default_factory=list)
    sections_live: list[str] = field(default_factory=list)
    sections_pending: list[str] = field(default_factory=list)

    @property
    def sections_reordered(self) -> bool:
        kept = [name for name in self.sections_pending if name in self.sections_live]
        return kept != [name for name in self.sections_live if name in self.sections_pending]

    @property
    def sections_changed(self) -> bool:
        return bool(self.sections_added or self.sections_removed or self.sections_reordered)

    def __bool__(self) -> bool:
        return bool(self.fields or self.body or self.sections_changed)


def pending_diff(
    live: Article,
    live_clients: Sequence[MailClient],
    pending: Article,
    pending_clients: Sequence[MailClient],
) -> PendingDiff:
    """What publishing ``pending`` (with its sections) would change in ``live`` (with its own)."""
    diff = PendingDiff()
    for name in COMPARED_FIELDS:
        before, after = shown_value(live, name), shown_value(pending, name)
        if before != after:
            label = str(Article._meta.get_field(name).verbose_name)
            diff.fields.append(FieldChange(label[:1].upper() + label[1:], before, after))
    diff.body = body_diff(live.body, pending.body)
    diff.sections_live = [client.name for client in live_clients]
    diff.sections_pending = [client.name for client in pending_clients]
    diff.sections_added = [name for name in diff.sections_pending if name not in diff.sections_live]
    diff.sections_removed = [name for name in diff.sections_live if name not in diff.sections_pending]
    return diff


def shown_value(article: Article, name: str) -> str:
    """A field's value as staff read it: the label of a choice, a date in the site's format."""
    value = getattr(article, name)
    if value is None or value == "":
        return "—"
    if name in ("kind", "status"):
        return str(getattr(article, f"get_{name}_display")())
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def body_diff(live: str, pending: str) -> list[BodyLine]:
    """The body's changed stretches side by side, with a few unchanged lines around each.

    Empty if the bodies are the same line for line.
    """
    before, after = live.splitlines(), pending.splitlines()
    rows: list[BodyLine] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for number, group in enumerate(matcher.get_grouped_opcodes(CONTEXT_LINES)):
        if number:
            rows.append(BodyLine("gap", None, None))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(BodyLine("same", line, line) for line in before[i1:i2])
            elif tag == "delete":
                rows.extend(BodyLine("removed", line, None) for line in before[i1:i2])
            elif tag == "insert":
                rows.extend(BodyLine("added", None, line) for line in after[j1:j2])
            else:
                rows.extend(
                    BodyLine("changed", old, new) for old, new in zip_longest(before[i1:i2], after[j1:j2])
                )
    if all(row.kind == "same" for row in rows):
        return []
    return rows
