"""Edits as staff make them, each one revision: written through the ORM inside ``changes.recording()``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import reversion
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from reversion.models import Revision, Version

from articles.services import changes


def edit(obj: models.Model, *, user: User | None = None, comment: str = "", **fields) -> Revision:
    """Change ``fields`` of ``obj`` and save it, as one revision by ``user``."""

    def write() -> None:
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.full_clean()
        obj.save()
        changes.written(obj, fields=list(fields))

    return in_revision(write, user=user, comment=comment)


def in_revision(write: Callable[[], object], *, user: User | None = None, comment: str = "") -> Revision:
    """Run ``write`` as one revision; the revision it made."""
    with changes.recording():
        reversion.set_user(user)
        reversion.set_comment(comment)
        write()
    return Revision.objects.latest("pk")


def revisions_of(obj: models.Model) -> list[Revision]:
    """The revisions keeping ``obj``, oldest first."""
    ids = Version.objects.get_for_object(obj).values("revision_id")
    return list(Revision.objects.filter(pk__in=ids).order_by("date_created", "pk"))


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)
