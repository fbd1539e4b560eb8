"""An edited object as plain values: from one of its revisions, or as it stands in the database now.

A snapshot is what the diff compares and what a revert restores: the root's
fields, and each followed row (a vendor's addresses, domains and ranges, an
article's client sections, a step list's steps) by model and primary key.

Only what staff edit is kept: the primary key, the link to the root and the
fields Django does not let a form change (``edit_version``, timestamps, an IP
range's parsed bounds) are derived from the rest, and so is a vendor's
"facts changed" time. Comparing them would show changes nobody made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from reversion.models import Revision, Version

from articles.revisions.registry import ROOTS

#: Fields kept in the database that are derived from what staff edit, though a form could show them.
DERIVED = {"facts_changed_at"}

Values = dict[str, Any]


@dataclass(frozen=True)
class Snapshot:
    """A root's fields and its followed rows: ``rows[model][pk]`` is one row's fields."""

    model: type[models.Model]
    pk: int
    fields: Values
    rows: dict[type[models.Model], dict[int, Values]] = field(default_factory=dict)


def edited_fields(model: type[models.Model], *, link: str | None = None) -> list[models.Field]:
    """The fields of ``model`` that staff edit: those a snapshot keeps, a diff shows and a revert sets.

    ``link`` names a followed row's foreign key to its root, which the row's place in the snapshot says.
    """
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in DERIVED and f.attname != link
    ]


def followed(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """Each model a root's revision follows, with the name of the foreign key that points back to the root."""
    result = []
    for name in ROOTS[model]:
        relation = model._meta.get_field(name)
        result.append((relation.related_model, relation.field.attname))
    return result


def _values(model: type[models.Model], source, link: str | None = None) -> Values:
    """``source`` is a model instance or a revision's field dict (keyed by attname)."""
    get = source.get if isinstance(source, dict) else lambda name: getattr(source, name)
    return {f.attname: get(f.attname) for f in edited_fields(model, link=link)}


def of_database(model: type[models.Model], pk: int) -> Snapshot:
    """The root as it stands now: one query for it and one per followed relation."""
    root = model._default_manager.get(pk=pk)
    rows = {}
    for row_model, link in followed(model):
        found = row_model._default_manager.filter(**{link: pk}).order_by("pk")
        rows[row_model] = {row.pk: _values(row_model, row, link) for row in found}
    return Snapshot(model=model, pk=pk, fields=_values(model, root), rows=rows)


def of_revisions(model: type[models.Model], pk: int, revisions: list[Revision]) -> dict[int, Snapshot]:
    """The root as each of ``revisions`` kept it, by revision id: one query whatever their number.

    A revision may keep many roots (an import keeps every vendor it wrote), so
    the followed rows are those pointing to this root. A revision without
    this root is left out of the answer.
    """
    kept = followed(model)
    models_kept = {model, *(row_model for row_model, _link in kept)}
    of_kept_models = Q()
    for kept_model in models_kept:
        of_kept_models |= Q(
            content_type__app_label=kept_model._meta.app_label,
            content_type__model=kept_model._meta.model_name,
        )
    versions = (
        Version.objects.filter(of_kept_models, revision__in=revisions)
        .select_related("content_type")
        .order_by("revision_id", "pk")
    )
    roots: dict[int, Values] = {}
    rows: dict[int, dict[type, dict[int, Values]]] = {}
    for version in versions:
        version_model = version.content_type.model_class()
        if version_model not in models_kept:
            continue
        if version_model is model:
            if str(version.object_id) == str(pk):
                roots[version.revision_id] = _values(model, version.field_dict)
            continue
        link = dict(kept)[version_model]
        values = version.field_dict
        if values.get(link) == pk:
            by_model = rows.setdefault(version.revision_id, {})
            by_model.setdefault(version_model, {})[int(version.object_id)] = _values(
                version_model, values, link
            )
    return {
        revision_id: Snapshot(
            model=model,
            pk=pk,
            fields=fields,
            rows={row_model: rows.get(revision_id, {}).get(row_model, {}) for row_model, _link in kept},
        )
        for revision_id, fields in roots.items()
    }


def of_revision(model: type[models.Model], pk: int, revision: Revision) -> Snapshot | None:
    """The root as ``revision`` kept it, or None if that revision did not keep it."""
    return of_revisions(model, pk, [revision]).get(revision.pk)
