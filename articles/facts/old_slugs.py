"""Keeping a renamed vendor's or article's old address, so that it can redirect for ever."""

from __future__ import annotations

from django.db import models


def saved_values(instance: models.Model, fields: tuple[str, ...]) -> dict | None:
    """The row as stored before this save (one query), or None for a new object."""
    if instance.pk is None:
        return None
    return type(instance).objects.filter(pk=instance.pk).values(*fields).first()


def remember_old_slug(
    instance: models.Model, old: dict | None, history_model, field: str, scope: tuple[str, ...] = ()
) -> None:
    """Before a rename is saved, keep the old address so it can redirect.

    ``old`` holds the stored slug and ``scope``, the other fields that are part
    of the address (an article's vendor).
    """
    if old is None or all(old[name] == getattr(instance, name) for name in ("slug", *scope)):
        return
    # The current object reclaiming one of its own old slugs drops that record;
    # an old slug held by another object is handed to this one.
    history_model.objects.filter(
        **{field: instance}, slug=instance.slug, **{name: getattr(instance, name) for name in scope}
    ).delete()
    history_model.objects.update_or_create(
        slug=old["slug"], **{name: old[name] for name in scope}, defaults={field: instance}
    )
