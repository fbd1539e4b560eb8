"""Reverting an edited object to one of its revisions: a new revision, never a rewrite of history.

``plan_revert()`` says what a revert would leave (the preview diffs it
against now) and why it cannot be applied, before anything is written.
``revert()`` applies it: the root's fields set from the revision, each
followed row updated, recreated or taken away, every row through
``full_clean()`` before ``save()``; a row the validation refuses refuses the
whole revert.

Nothing a reader could rely on disappears without a dated trace: an IP range
the revision did not have is retired today, not deleted. Sender addresses and
domains cannot be retired yet, so one the revision did not have is deleted
only from a vendor no reader sees; for a public vendor the revert is refused.

django-reversion's own ``Revision.revert()`` is not used: it writes the stored
rows raw, past validation and past what each write sets off.

The revisions sit below the services in the layers, so the caller opens the
``changes.recording()`` block and passes ``changes.written`` in: every row
written here is named to it, and the block is the revert's one revision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from reversion.models import Revision

from articles.content.visibility import public_vendors_only
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.revisions import snapshot
from articles.revisions.diff import is_published
from articles.revisions.snapshot import Snapshot, Values

#: Facts with no retirement yet: taken away only where no reader sees them.
UNRETIRABLE = (SenderAddress, SenderDomain)


class RevertRefused(Exception):
    """The revert cannot be applied; the message says why. Nothing was written."""


@dataclass(frozen=True)
class Plan:
    """What reverting ``current`` to ``target`` leaves (``result``), and why it cannot be done."""

    current: Snapshot
    target: Snapshot
    result: Snapshot
    problems: tuple[str, ...]


def comment_for(revision: Revision) -> str:
    """The comment of the revision a revert makes, naming the one it went back to."""
    when = timezone.localtime(revision.date_created).strftime("%Y-%m-%d %H:%M")
    who = revision.user.get_username() if revision.user is not None else "a command"
    return f"Reverted to the revision of {when} by {who}"


def plan_revert(*, current: Snapshot, target: Snapshot) -> Plan:
    """What the revert of ``current`` to ``target`` would leave; one query for a vendor, none otherwise."""
    readers_see = (
        current.model is Vendor and public_vendors_only(Vendor.objects.filter(pk=current.pk)).exists()
    )
    today = timezone.localdate()
    problems = []
    rows: dict[type, dict[int, Values]] = {}
    for row_model, _link in snapshot.followed(current.model):
        now, then = current.rows.get(row_model, {}), target.rows.get(row_model, {})
        kept = dict(then)
        for pk, values in now.items():
            if pk in then:
                continue
            if row_model is IPRange:
                # Retired, not deleted: the range keeps its dated trace.
                kept[pk] = (
                    {**values, "retired_on": max(today, values["added_on"])}
                    if is_published(values)
                    else values
                )
            elif row_model in UNRETIRABLE and readers_see:
                problems.append(
                    f"The revision does not have the {row_model._meta.verbose_name} {_named(row_model, values)}, "
                    "which readers of this vendor see now; it cannot be retired yet, only deleted, "
                    "so the revert is refused. Delete it on the vendor's page if it must go."
                )
        rows[row_model] = kept
    result = Snapshot(model=current.model, pk=current.pk, fields=dict(target.fields), rows=rows)
    return Plan(current=current, target=target, result=result, problems=tuple(problems))


def revert(
    *,
    model: type[models.Model],
    pk: int,
    revision: Revision,
    edit_version: int,
    user: AbstractBaseUser | None,
    written: Callable[..., None],
) -> Plan:
    """Revert the root ``model``/``pk`` to ``revision``, as loaded at ``edit_version``.

    Runs inside the caller's ``changes.recording()`` block (``written`` is
    ``changes.written``); RevertRefused, raised out of that block, rolls back
    whatever was written.
    """
    root = model._default_manager.select_for_update().get(pk=pk)
    if root.edit_version != edit_version:
        raise RevertRefused(
            f"This {model._meta.verbose_name} was saved by someone else since the preview was shown "
            f"(version {edit_version}, now {root.edit_version}); nothing was reverted. "
            "Look at the preview again: it shows what a revert would change now."
        )
    target = snapshot.of_revision(model, pk, revision)
    if target is None:
        raise RevertRefused(f"That revision does not keep this {model._meta.verbose_name}.")
    plan = plan_revert(current=snapshot.of_database(model, pk), target=target)
    if plan.problems:
        raise RevertRefused(" ".join(plan.problems))
    reversion.set_user(user)
    reversion.set_comment(comment_for(revision))
    for row_model, link in snapshot.followed(model):
        _revert_rows(row_model, link, pk, plan, written)
    changed = [
        f.name
        for f in snapshot.edited_fields(model)
        if getattr(root, f.attname) != plan.result.fields[f.attname]
    ]
    for name, value in plan.result.fields.items():
        setattr(root, name, value)
    _save(root, str(root), written, fields=changed)
    return plan


def _revert_rows(row_model, link: str, root_pk: int, plan: Plan, written) -> None:
    now = plan.current.rows.get(row_model, {})
    wanted = plan.result.rows.get(row_model, {})
    stored = {row.pk: row for row in row_model._default_manager.filter(pk__in=now.keys())}
    # Rows taken away (or retired) first, so that a row put back may take their place
    # under a unique constraint (a client section for the same mail client, the same range).
    for pk in sorted(now.keys() - wanted.keys()):
        row = stored[pk]
        row.delete()
        written(row)
    # Ranges leaving the published lists before those entering them, for the same reason.
    ordered = sorted(wanted.items(), key=lambda item: (item[0] not in now, is_published(item[1])))
    for pk, values in ordered:
        if values == now.get(pk):
            continue
        if pk in now:
            row = stored[pk]
            for name, value in values.items():
                setattr(row, name, value)
        else:
            # Put back as a new row: the old key may belong to another row by now.
            row = row_model(**{link: root_pk}, **values)
        _save(row, _named(row_model, values), written)


def _save(obj: models.Model, name: str, written, fields=None) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        raise RevertRefused(
            f"The revert was refused, and nothing was written: {obj._meta.verbose_name} {name}: "
            + " ".join(error.messages)
        ) from None
    obj.save()
    if fields is None:
        written(obj)
    else:
        written(obj, fields=fields)


def _named(row_model, values: Values) -> str:
    for name in ("network", "address", "domain"):
        if name in values:
            return values[name]
    return f"at position {values.get('position', '')}"
