"""What changed between two snapshots of an edited object, in words a support person reads.

- each changed field of the root, its value before beside its value after;
  a long text (an article's body, a step's text, a description) also as a
  line diff (difflib), each line marked added, removed or unchanged;
- each followed row added, removed or changed ("IP range 203.0.113.5/32
  added"), with its changed fields;
- for a vendor, each IP range that enters or leaves the published lists.

The same diff serves the history (one revision against another) and the
preview of a revert (now against what the revert would leave).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from articles.content.models import ArticleClient, Step
from articles.facts.models import IPRange, SenderAddress, SenderDomain
from articles.revisions.snapshot import Snapshot, Values, edited_fields, followed

#: Lines of unchanged text kept around each change of a line diff.
CONTEXT_LINES = 3

EMPTY = "(empty)"
TAKES_OUT = "takes "


@dataclass(frozen=True)
class Line:
    """One line of a text diff: ``change`` is "added", "removed", "unchanged" or "skipped" (a gap)."""

    change: str
    text: str


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str
    lines: tuple[Line, ...] = ()  # a long text's line diff; empty for a short value


@dataclass(frozen=True)
class RowChange:
    """A followed row: ``kind`` is "added", "removed" or "changed"."""

    kind: str
    noun: str
    label: str
    fields: tuple[FieldChange, ...]

    @property
    def summary(self) -> str:
        return f"{capfirst(self.noun)} {self.label} {self.kind}"


@dataclass(frozen=True)
class Diff:
    fields: tuple[FieldChange, ...]
    rows: tuple[RowChange, ...]
    #: IP ranges entering or leaving the published lists, as sentences.
    publication: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.fields or self.rows)

    @property
    def retires(self) -> bool:
        """Whether an IP range leaves the published lists."""
        return any(sentence.startswith(TAKES_OUT) for sentence in self.publication)


def diff(before: Snapshot, after: Snapshot, *, reverting: bool = False) -> Diff:
    """What changed from ``before`` to ``after``; ``reverting`` words the range changes as a revert's.

    Related objects are named with one query per related model, whatever the number of rows.
    """
    names = _Names([before, after])
    fields = tuple(_field_changes(before.model, before.fields, after.fields, names))
    rows: list[RowChange] = []
    publication: list[str] = []
    for row_model, link in followed(before.model):
        old, new = _unpaired(before.rows.get(row_model, {}), after.rows.get(row_model, {}))
        for pk in sorted(old.keys() | new.keys(), key=lambda pk: (pk not in old, pk)):
            rows.extend(_row_change(row_model, link, old.get(pk), new.get(pk), names))
            if row_model is IPRange:
                publication.extend(_publication(old.get(pk), new.get(pk), reverting=reverting))
    return Diff(fields=fields, rows=tuple(rows), publication=tuple(publication))


def _unpaired(old: dict[int, Values], new: dict[int, Values]) -> tuple[dict, dict]:
    """``old`` and ``new`` without the rows taken away and put back alike (a revert recreates a row
    under a new key): the same values under another key are no change to a reader."""
    gone = {pk: values for pk, values in old.items() if pk not in new}
    came = {pk: values for pk, values in new.items() if pk not in old}
    for pk, values in list(came.items()):
        twin = next((other for other, kept in gone.items() if kept == values), None)
        if twin is not None:
            del gone[twin], came[pk]
            old, new = {k: v for k, v in old.items() if k != twin}, {k: v for k, v in new.items() if k != pk}
    return old, new


def line_diff(before: str, after: str) -> tuple[Line, ...]:
    """``after`` against ``before`` line by line, with a few unchanged lines around each change."""
    old, new = before.splitlines(), after.splitlines()
    groups = list(difflib.SequenceMatcher(None, old, new).get_grouped_opcodes(CONTEXT_LINES))
    lines: list[Line] = []
    for group in groups:
        if group[0][1] > 0 or group[0][3] > 0:
            lines.append(Line("skipped", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(Line("unchanged", text) for text in old[i1:i2])
                continue
            lines.extend(Line("removed", text) for text in old[i1:i2])
            lines.extend(Line("added", text) for text in new[j1:j2])
    if groups and groups[-1][-1][2] < len(old):
        lines.append(Line("skipped", "…"))
    return tuple(lines)


def is_published(values: Values | None) -> bool:
    """An IP range row in the published lists today (``IPRange.objects.active()``)."""
    if values is None:
        return False
    retired_on = values.get("retired_on")
    return retired_on is None or retired_on > timezone.localdate()


def _publication(old: Values | None, new: Values | None, *, reverting: bool) -> list[str]:
    network = (new or old)["network"]
    if is_published(new) and not is_published(old):
        return [f"{'re-adds' if reverting else 'adds'} {network} to the published lists"]
    if is_published(old) and not is_published(new):
        return [f"{TAKES_OUT}{network} out of the published lists"]
    return []


def _row_change(
    row_model, link: str, old: Values | None, new: Values | None, names: _Names
) -> list[RowChange]:
    noun = str(row_model._meta.verbose_name)
    if old is None or new is None:
        values = new if old is None else old
        shown = [
            FieldChange(
                label=capfirst(str(f.verbose_name)),
                before=EMPTY if old is None else names.show(f, values[f.attname]),
                after=EMPTY if new is None else names.show(f, values[f.attname]),
            )
            for f in edited_fields(row_model, link=link)
            if values[f.attname] not in (None, "")
        ]
        kind = "added" if old is None else "removed"
        return [RowChange(kind, noun, _row_label(row_model, values, names), tuple(shown))]
    changed = tuple(_field_changes(row_model, old, new, names, link=link))
    if not changed:
        return []
    return [RowChange("changed", noun, _row_label(row_model, new, names), changed)]


def _field_changes(model, old: Values, new: Values, names: _Names, *, link: str | None = None):
    for f in edited_fields(model, link=link):
        before, after = old.get(f.attname), new.get(f.attname)
        if before == after:
            continue
        lines = ()
        if isinstance(f, models.TextField):
            lines = line_diff(before or "", after or "")
        yield FieldChange(capfirst(str(f.verbose_name)), names.show(f, before), names.show(f, after), lines)


def _row_label(row_model, values: Values, names: _Names) -> str:
    if row_model is IPRange:
        return values["network"]
    if row_model is SenderAddress:
        return values["address"]
    if row_model is SenderDomain:
        return values["domain"]
    if row_model is ArticleClient:
        return names.show(ArticleClient._meta.get_field("mail_client"), values["mail_client_id"])
    if row_model is Step:
        text = " ".join(values["text"].split())
        return f"at position {values['position']} (“{text[:50]}{'…' if len(text) > 50 else ''}”)"
    return ""


class _Names:
    """The names of the objects the snapshots' foreign keys point to: one query per related model."""

    def __init__(self, snapshots: Iterable[Snapshot]) -> None:
        wanted: dict[type, set] = {}
        for snapshot in snapshots:
            self._collect(wanted, snapshot.model, [snapshot.fields])
            for row_model, rows in snapshot.rows.items():
                self._collect(wanted, row_model, rows.values())
        self.names = {
            related: {obj.pk: str(obj) for obj in self._named(related, pks)}
            for related, pks in wanted.items()
        }

    @staticmethod
    def _collect(wanted, model, rows) -> None:
        for f in edited_fields(model):
            if f.is_relation and f.many_to_one:
                wanted.setdefault(f.related_model, set()).update(
                    row[f.attname] for row in rows if row.get(f.attname) is not None
                )

    @staticmethod
    def _named(related, pks):
        found = related._default_manager.filter(pk__in=pks)
        # A name may say what the object points to (a step list names its mail client and vendor).
        related_names = [f.name for f in related._meta.concrete_fields if f.is_relation and f.many_to_one]
        return found.select_related(*related_names) if related_names else found

    def show(self, f: models.Field, value) -> str:
        if value is None or value == "":
            return EMPTY
        if f.is_relation:
            name = self.names.get(f.related_model, {}).get(value)
            return name if name is not None else f"(deleted {f.related_model._meta.verbose_name} #{value})"
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)
