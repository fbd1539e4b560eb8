"""Writing one row of an import: compare, check, save or delete, and say what it set off.

Every row goes through ``full_clean()`` before ``save()``; a problem that only
the database can reveal is collected rather than raised, so one import lists
every problem. Each row written is named to ``services.changes``, which moves
the vendors' "facts changed" time and re-indexes articles once, at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from django.core.exceptions import ValidationError
from django.db import models

from articles.interchange.locations import PlaceOf, Problems
from articles.interchange.report import ImportReport
from articles.services import changes


def assign(instance: models.Model, **values) -> list[str]:
    """Set fields; the names of those that changed (empty, and so false, when none did)."""
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


class RowWriter:
    """Saves and deletes rows, recording each in the report and each refusal in the problems."""

    def __init__(self) -> None:
        self.problems = Problems()
        self.report = ImportReport()

    def save(
        self,
        instance: models.Model,
        *,
        kind: str,
        label: str,
        place_of: PlaceOf,
        changed: bool | list[str],
    ) -> bool:
        """Save ``instance`` if it is new or ``changed`` (true, or the names of the changed fields)."""
        created = instance.pk is None
        if not created and not changed:
            self.report.record(kind, "unchanged", label)
            return True
        try:
            instance.full_clean()
        except ValidationError as error:
            self.problems.add_validation_error(error, place_of)
            return False
        instance.save()
        changes.written(instance, fields=None if created or changed is True else changed)
        self.report.record(kind, "created" if created else "updated", label)
        return True

    def delete(self, instance: models.Model, *, kind: str, label: str) -> None:
        instance.delete()
        changes.written(instance)
        self.report.record(kind, "deleted", label)

    def delete_unlisted(
        self,
        stored: Mapping[str, models.Model],
        listed: Collection[str],
        *,
        kind: str,
        label: Callable[[str], str],
    ) -> None:
        """Delete the stored rows, keyed by their natural key, that the file no longer lists."""
        for key, row in stored.items():
            if key not in listed:
                self.delete(row, kind=kind, label=label(key))
