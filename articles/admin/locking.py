"""No lost edit: a change form or an admin action loaded from an older version is refused.

Every edited object (a root of ``articles/revisions/registry.py``: a vendor with
its addresses, domains and ranges, an article with its client sections, a step
list with its steps, a mail client, a synonym group, a promotion) has an
``edit_version``. ``services.changes.recording()`` moves it on by one at the end
of every block that wrote to the root or to a row it follows, in the same
transaction as the writes, and keeps the revision.

- A change form carries the version of the root it was loaded from (the hidden
  ``_edit_version`` input of each change_form template). On POST, inside the
  request's transaction, the root row is locked (``select_for_update()``; a
  no-op on SQLite, which serialises writers anyway) and its version compared.
  A form loaded at an older version, or posted without one, never reaches the
  save path: the conflict page (409) says who saved since and what they
  changed, shows their values beside yours, and offers the change form again,
  prefilled with a three-way merge and carrying the current version, so that
  "Save" saves the merge.
- A changelist carries each row's version (``_version_<pk>`` beside its
  checkbox); every action, those written later included, is run through
  ``get_actions()`` here: the roots of its rows are locked first, and an action
  on a row that changed since the list was loaded is refused with nothing done.
  A bulk edit of the list (``list_editable``) is checked the same way.

Why a version column checked in the request's transaction, rather than
django-concurrency: django-concurrency versions one model's row and checks the
version in that row's own UPDATE (``... WHERE id = pk AND version = v``). A
vendor page is the vendor *and* its rows: retiring a range writes the range,
not the vendor, so the vendor's row version never sees it, and a version field
on every inline model would still leave us without "what did they change".
Its admin integration is per model (``ConcurrentModelAdmin``, its own action
mixin, an ``identity`` template filter to edit into each action page), and a
conflict ends in ``RecordModifiedError``, with nothing to merge. Here one
version counts saves of the whole page, every write path already moves it
(``changes.recording()``), and the revisions django-reversion keeps for each
version give the base of a three-way merge and the who and when of each save.

Merging, field by field (the page's own fields and each inline row, matched by
primary key): a field only you changed keeps your value, one only they changed
takes theirs, one both changed differently is a conflict: shown side by side,
with your value in the form. Without a base revision (history pruned, or a
form that did not say its version) nobody can tell who changed what: every
field where yours differs is shown as a conflict and the stored value stays in
the form. So a range retired after you loaded the page stays retired in the
merge unless you changed its retirement yourself.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME
from django.http import HttpRequest, HttpResponseRedirect
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import get_text_list
from reversion.models import Version

from articles.revisions.registry import ROOTS
from articles.services import changes

#: The change form's hidden input: the root's ``edit_version`` as the form was loaded.
VERSION_INPUT = "_edit_version"
#: A changelist row's hidden input, followed by the row's primary key.
ROW_VERSION_INPUT = "_version_"
#: How many revisions back the conflict page looks for the one the form was loaded from.
HISTORY_LIMIT = 200
#: Rows named in a refused action's message; the rest are counted.
NAMED_ROWS = 10


# What the root of a row is ----------------------------------------------------------------


def root_field(model: type[models.Model]) -> models.ForeignKey | None:
    """The foreign key from ``model`` to the root that keeps it; None if ``model`` is a root."""
    if model in ROOTS:
        return None
    for candidate in model._meta.concrete_fields:
        if candidate.is_relation and candidate.related_model in ROOTS:
            return candidate
    raise LookupError(f"{model.__name__} is kept by no edited object (articles/revisions/registry.py)")


def root_model(model: type[models.Model]) -> type[models.Model]:
    link = root_field(model)
    return model if link is None else link.related_model


def root_instance(obj: models.Model) -> models.Model:
    """The root whose version stands for ``obj``: itself, or e.g. a range's vendor."""
    link = root_field(type(obj))
    return obj if link is None else getattr(obj, link.name)


def posted_version(value: str | None) -> int | None:
    """A version from a form; None for one missing or not a positive number."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


# What was saved since a version -----------------------------------------------------------


@dataclass
class History:
    """The revisions of a root after the version a form was loaded from, and the one it was loaded from."""

    loaded: int | None
    later: list[Version]
    base: Version | None

    def saves(self) -> list[dict]:
        """Who saved, when and why, oldest first: for the conflict page."""
        return [
            {
                "user": version.revision.user.get_username() if version.revision.user else "someone",
                "at": version.revision.date_created,
                "comment": version.revision.comment,
                "version": version.field_dict.get("edit_version"),
            }
            for version in reversed(self.later)
        ]


def history_since(root: models.Model, loaded: int | None) -> History:
    """The root's revisions saved after version ``loaded``, newest first, and the revision at ``loaded``.

    One query. Each revision keeps the root as it stood after the block that
    moved its version on, so a revision's root version is the version it saved.
    """
    later: list[Version] = []
    base = None
    if loaded is None:
        return History(loaded, later, base)
    versions = Version.objects.get_for_object(root).select_related("revision__user")[:HISTORY_LIMIT]
    for version in versions:
        saved_at = version.field_dict.get("edit_version")
        if saved_at is None:
            continue
        if saved_at > loaded:
            later.append(version)
            continue
        if saved_at == loaded:
            base = version
        break
    return History(loaded, later, base)


def _instance(model: type[models.Model], version: Version) -> models.Model:
    """The row as a revision kept it, unsaved: the base of a comparison."""
    values = version.field_dict
    return model(**{f.attname: values[f.attname] for f in model._meta.concrete_fields if f.attname in values})


def base_rows(base: Version | None, models_kept: list[type[models.Model]]) -> dict | None:
    """Each model's rows in the base revision, by primary key as text; None without a base."""
    if base is None:
        return None
    content_types = ContentType.objects.get_for_models(*models_kept)
    by_type = {content_type.pk: model for model, content_type in content_types.items()}
    rows: dict[type[models.Model], dict[str, models.Model]] = {model: {} for model in models_kept}
    versions = Version.objects.filter(revision_id=base.revision_id, content_type__in=list(by_type))
    for version in versions:
        model = by_type[version.content_type_id]
        rows[model][version.object_id] = _instance(model, version)
    return rows


# The three-way merge ----------------------------------------------------------------------

YOURS, THEIRS, CONFLICT = "yours", "theirs", "conflict"


@dataclass
class Difference:
    """A field (or a whole row) where your form and the stored object differ, and what the merge kept."""

    row: str  # "" for the page's own fields, else the row, e.g. "IP range 203.0.113.5/32"
    field: str
    yours: str
    theirs: str
    outcome: str  # YOURS, THEIRS or CONFLICT


@dataclass
class Merge:
    """The merged form's starting values, and what differed."""

    main: dict = field(default_factory=dict)  # the page's own fields: initial values overriding the stored
    rows: dict[str, dict] = field(default_factory=dict)  # per formset prefix: stored row's pk → initial
    new_rows: dict[str, list[dict]] = field(default_factory=dict)  # per prefix: your rows not yet saved
    differences: list[Difference] = field(default_factory=list)

    def outcome(self, outcome: str) -> list[Difference]:
        return [difference for difference in self.differences if difference.outcome == outcome]


def shown(form_field: forms.Field, value) -> str:
    """A value as staff read it: a choice's label, a related object's name, "(empty)"."""
    if isinstance(value, list | tuple):  # a date and a time from a split widget
        value = " ".join(str(part) for part in value if part)
    if isinstance(form_field, forms.BooleanField):
        return "yes" if value else "no"
    if value is None or value == "":
        return "(empty)"
    if isinstance(form_field, forms.ModelChoiceField):
        try:
            chosen = form_field.to_python(value)
        except ValidationError:
            return str(value)
        return "(empty)" if chosen is None else str(chosen)
    if isinstance(form_field, forms.ChoiceField):
        labels = {str(key): label for key, label in form_field.choices}
        return str(labels.get(str(value), value))
    if isinstance(value, dt.datetime):
        return formats.localize(timezone.localtime(value))
    return str(value)


def _differs(a, b) -> bool:
    return (a if a is not None else "") != (b if b is not None else "")


def merge_fields(
    yours: forms.BaseForm, base: forms.BaseForm | None, theirs: forms.BaseForm, *, row: str, merge: Merge
) -> dict:
    """Compare one form's fields three ways; return the initial values that keep yours."""
    keep: dict = {}
    for name, form_field in theirs.fields.items():
        if form_field.disabled or name not in yours.fields or name == DELETION_FIELD_NAME:
            continue
        mine = yours[name].data
        stored = theirs[name].initial
        if not form_field.has_changed(stored, mine):
            continue
        if base is None:
            outcome = CONFLICT  # who changed it is unknown: the stored value stays, yours beside it
        else:
            loaded = base[name].initial
            you_changed = form_field.has_changed(loaded, mine)
            they_changed = _differs(loaded, stored)
            if you_changed:
                outcome = CONFLICT if they_changed else YOURS
                keep[name] = mine
            else:
                outcome = THEIRS
        merge.differences.append(
            Difference(
                row, str(theirs[name].label), shown(form_field, mine), shown(form_field, stored), outcome
            )
        )
    return keep


def _row_label(model: type[models.Model], row) -> str:
    return f"{model._meta.verbose_name} {row}"


def _summary(form: forms.BaseForm, names) -> str:
    return "; ".join(
        f"{form[name].label}: {shown(form.fields[name], form[name].data)}"
        for name in names
        if name in form.fields
    )


def merge_formset(
    yours, theirs_rows: list[models.Model], loaded: dict[str, models.Model] | None, merge: Merge
) -> None:
    """Compare an inline formset's rows, matched by primary key, three ways; record the merge."""
    model = yours.model
    pk_name = model._meta.pk.name
    fields = list(yours.form.base_fields)
    stored = {str(row.pk): row for row in theirs_rows}
    overrides: dict = {}
    new_rows: list[dict] = []
    seen: set[str] = set()
    for index, form in enumerate(yours.forms):
        if index >= yours.initial_form_count():
            if form.has_changed():
                new_rows.append({name: form[name].data for name in fields if name in form.fields})
                merge.differences.append(
                    Difference(f"new {model._meta.verbose_name}", "row", _summary(form, fields), "—", YOURS)
                )
            continue
        pk = str(form[pk_name].data or "")
        base = loaded.get(pk) if loaded is not None else None
        deleted = DELETION_FIELD_NAME in form.fields and bool(form[DELETION_FIELD_NAME].data)
        row = stored.get(pk)
        label = _row_label(model, row or base or pk)
        if row is None:
            # Removed since: what you typed into it is shown, and not saved again behind their back.
            base_form = yours.form(instance=base, prefix=form.prefix) if base else None
            changed = base_form is None or any(
                form.fields[name].has_changed(base_form[name].initial, form[name].data)
                for name in fields
                if name in form.fields and not form.fields[name].disabled
            )
            outcome = CONFLICT if changed and not deleted else THEIRS
            merge.differences.append(Difference(label, "row", _summary(form, fields), "removed", outcome))
            continue
        seen.add(pk)
        theirs_form = yours.form(instance=row, prefix=form.prefix)
        base_form = yours.form(instance=base, prefix=form.prefix) if base else None
        if deleted:
            they_changed = base_form is None or any(
                _differs(base_form[name].initial, theirs_form[name].initial) for name in fields
            )
            if they_changed:
                merge.differences.append(Difference(label, "row", "deleted", "changed since: kept", CONFLICT))
            else:
                overrides[row.pk] = {DELETION_FIELD_NAME: True}
                merge.differences.append(Difference(label, "row", "deleted", "unchanged", YOURS))
            continue
        keep = merge_fields(form, base_form, theirs_form, row=label, merge=merge)
        if keep:
            overrides[row.pk] = keep
    for pk, row in stored.items():
        if pk not in seen and (loaded is None or pk not in loaded):
            theirs_form = yours.form(instance=row)
            merge.differences.append(
                Difference(
                    _row_label(model, row), "row", "—", "added: " + _summary_initial(theirs_form), THEIRS
                )
            )
    merge.rows[yours.prefix] = overrides
    merge.new_rows[yours.prefix] = new_rows


def _summary_initial(form: forms.BaseForm) -> str:
    return "; ".join(
        f"{form[name].label}: {shown(form.fields[name], form[name].initial)}" for name in form.fields
    )


def difference_groups(merge: Merge, *, has_base: bool) -> list[dict]:
    """The differences as the conflict page lists them: conflicts first, each group with what the form holds."""
    held = (
        "The form holds your value; theirs is beside it. Keep one, or combine them, before saving."
        if has_base
        else "The form holds the stored value; yours is beside it. Copy back what you meant to change."
    )
    groups = [
        (CONFLICT, "Changed on both sides: decide", held),
        (
            THEIRS,
            "Changed by them: taken into the form",
            "Their change is in the form; you had not changed these.",
        ),
        (YOURS, "Changed by you: kept in the form", "Your change is in the form; nobody else changed these."),
    ]
    return [
        {"outcome": outcome, "heading": heading, "help": help_text, "rows": merge.outcome(outcome)}
        for outcome, heading, help_text in groups
        if merge.outcome(outcome)
    ]


class VersionedHiddenInput(forms.HiddenInput):
    """A list row's hidden id, followed by the version of its root as the list showed it."""

    def __init__(self, version: int, attrs=None):
        super().__init__(attrs)
        self.version = version

    def render(self, name, value, attrs=None, renderer=None):
        version = format_html(
            '<input type="hidden" name="{}{}" value="{}">', ROW_VERSION_INPUT, value, self.version
        )
        return format_html("{}{}", super().render(name, value, attrs, renderer), version)


class VersionedRows:
    """A changelist's bulk-edit formset (``list_editable``) whose rows carry their version.

    Beside the row's id rather than its action checkbox: a person who may edit
    the list but run no action on it has no checkbox column.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk_name = self.model._meta.pk.name
        if form.instance.pk is not None and pk_name in form.fields:
            form.fields[pk_name].widget = VersionedHiddenInput(root_instance(form.instance).edit_version)


class MergedRows:
    """An inline formset whose stored rows start from the merge (``merged_initial``: pk → initial values)."""

    merged_initial: dict = {}

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < self.initial_form_count():
            kwargs["initial"] = self.merged_initial.get(self.get_queryset()[index].pk, {})
        return kwargs


# The model admin mixin --------------------------------------------------------------------


class RefusesStaleEdits:
    """Refuse a change form or an admin action loaded from an older version of what it writes.

    Mixed into a model admin of an edited object, or of rows one keeps (the
    list of IP ranges, whose root is the vendor). Every action, the ones added
    later included, is checked through ``get_actions()``; an action that shows
    a page of its own (as "Delete selected" does) gets ``edit_versions`` in its
    context to carry on, as ``admin/articles/delete_selected_confirmation.html`` does.
    """

    delete_selected_confirmation_template = "admin/articles/delete_selected_confirmation.html"
    conflict_template = "admin/articles/conflict.html"

    # The change form ---------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and "edit_version" not in context:
            context["edit_version"] = root_instance(obj).edit_version
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        # The lock and the save share the request's transaction (a nested block joins the outer one).
        with changes.recording():
            refused = self._refuse_stale_form(request, object_id, form_url)
            if refused is not None:
                return refused
            return super().changeform_view(request, object_id, form_url, extra_context)

    def _lock_root(self, object_id: str) -> int | None:
        """Lock the root of the object being saved; its current version (None if there is no such object)."""
        link = root_field(self.model)
        pk = unquote(object_id)
        try:
            if link is None:
                locked = self.model._default_manager.filter(pk=pk)
            else:
                # A row kept by a root (a range): its root is locked, through one subquery.
                kept_by = self.model._default_manager.filter(pk=pk).values(link.attname)
                locked = root_model(self.model)._default_manager.filter(pk__in=kept_by)
            # No ordering: a join to order by would be locked too (and cannot be, on PostgreSQL's outer side).
            versions = locked.order_by().select_for_update().values_list("edit_version", flat=True)[:1]
            return next(iter(versions), None)
        except (ValidationError, ValueError):
            return None

    def _refuse_stale_form(self, request: HttpRequest, object_id: str, form_url: str):
        current = self._lock_root(object_id)
        if current is None:
            return None  # Django says the object does not exist
        loaded = posted_version(request.POST.get(VERSION_INPUT))
        if loaded == current:
            return None
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return None
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        # A version newer than the stored one was not loaded from this site: as good as none.
        return self._conflict_page(request, obj, loaded if loaded and loaded < current else None, form_url)

    def _conflict_page(self, request: HttpRequest, obj: models.Model, loaded: int | None, form_url: str):
        root = root_instance(obj)
        history = history_since(root, loaded)
        fieldsets = self.get_fieldsets(request, obj)
        ModelForm = self.get_form(request, obj, change=True, fields=flatten_fieldsets(fieldsets))
        inlines = list(self.get_formsets_with_inlines(request, obj))
        kept = base_rows(history.base, [type(obj), *(FormSet.model for FormSet, _inline in inlines)])
        merge = Merge()

        base_obj = kept[type(obj)].get(str(obj.pk)) if kept is not None else None
        yours = ModelForm(request.POST, request.FILES, instance=obj)
        merge.main = merge_fields(
            yours,
            ModelForm(instance=base_obj) if base_obj is not None else None,
            ModelForm(instance=obj),
            row="",
            merge=merge,
        )
        form = ModelForm(instance=obj, initial=merge.main)

        formsets, inline_instances, prefixes = [], [], {}
        for FormSet, inline in inlines:
            prefix = FormSet.get_default_prefix()
            prefixes[prefix] = prefixes.get(prefix, 0) + 1
            if prefixes[prefix] != 1 or not prefix:
                prefix = f"{prefix}-{prefixes[prefix]}"
            params = self.get_formset_kwargs(request, obj, inline, prefix)  # bound: yours
            loaded_rows = kept.get(FormSet.model) if kept is not None else None
            if loaded_rows is not None:
                fk = FormSet.fk.attname
                loaded_rows = {pk: row for pk, row in loaded_rows.items() if getattr(row, fk) == obj.pk}
            merged = type(FormSet.__name__, (MergedRows, FormSet), {})(
                instance=obj, prefix=prefix, queryset=params["queryset"]
            )
            merge_formset(FormSet(**params), list(merged.get_queryset()), loaded_rows, merge)
            merged.merged_initial = merge.rows[prefix]
            merged.initial_extra = merge.new_rows[prefix]
            merged.extra = FormSet.extra + len(merge.new_rows[prefix])
            formsets.append(merged)
            inline_instances.append(inline)

        admin_form = helpers.AdminForm(
            form,
            list(fieldsets),
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        inline_formsets = self.get_inline_formsets(request, formsets, inline_instances, obj)
        media = self.media + admin_form.media
        for inline_formset in inline_formsets:
            media += inline_formset.media
        context = {
            **self.admin_site.each_context(request),
            "title": f"Not saved: this {self.opts.verbose_name} was changed since you opened it",
            "subtitle": str(obj),
            "adminform": admin_form,
            "object_id": str(obj.pk),
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": media,
            "inline_admin_formsets": inline_formsets,
            "errors": None,
            "preserved_filters": self.get_preserved_filters(request),
            "edit_version": root.edit_version,
            "history": history,
            "saves": history.saves(),
            "difference_groups": difference_groups(merge, has_base=history.base is not None),
            "root": root,
        }
        response = self.render_change_form(request, context, change=True, obj=obj, form_url=form_url)
        names = response.template_name
        response.context_data["change_form"] = select_template([names] if isinstance(names, str) else names)
        response.template_name = self.conflict_template
        response.status_code = 409
        return response

    # Actions and bulk edits on a changelist ------------------------------------------------

    def get_changelist_formset(self, request, **kwargs):
        FormSet = super().get_changelist_formset(request, **kwargs)
        return type(FormSet.__name__, (VersionedRows, FormSet), {})

    def changelist_view(self, request, extra_context=None):
        bulk_edit = request.method == "POST" and self.list_editable and "_save" in request.POST
        if not bulk_edit or not self.has_change_permission(request):
            return super().changelist_view(request, extra_context)
        with changes.recording():
            prefix = self.get_changelist_formset(request).get_default_prefix()
            edited = set(self._get_edited_object_pks(request, prefix))
            rows = self.model._default_manager.filter(pk__in=edited)
            if self._lock_rows(request, rows, edited) is None:
                return HttpResponseRedirect(request.get_full_path())
            return super().changelist_view(request, extra_context)

    def action_checkbox(self, obj):
        version = format_html(
            '<input type="hidden" name="{}{}" value="{}">',
            ROW_VERSION_INPUT,
            obj.pk,
            root_instance(obj).edit_version,
        )
        return format_html("{}{}", super().action_checkbox(obj), version)

    def get_actions(self, request):
        return {
            name: (self._checked_action(func), name, description)
            for name, (func, name, description) in super().get_actions(request).items()
        }

    @staticmethod
    def _checked_action(action):
        @functools.wraps(action)
        def checked(model_admin, request, queryset):
            with changes.recording():
                selected = set(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
                versions = model_admin._lock_rows(request, queryset, selected)
                if versions is None:
                    return None
                response = action(model_admin, request, queryset)
                if isinstance(response, TemplateResponse) and response.context_data is not None:
                    response.context_data["edit_versions"] = versions
                    response.context_data["row_version_input"] = ROW_VERSION_INPUT
                return response

        return checked

    def _lock_rows(self, request: HttpRequest, queryset, selected: set[str]) -> dict[str, int] | None:
        """Lock the roots of the rows a list writes; their versions by row, or None if the write is refused.

        ``selected`` are the rows the page showed and chose, each of which must say its version.
        One query for a list of roots, two for rows kept by a root (the rows, then their roots).
        """
        link = root_field(self.model)
        manager = root_model(self.model)._default_manager
        if link is None:
            rows = {
                str(row.pk): row
                for row in manager.order_by().select_for_update().filter(pk__in=queryset.values("pk"))
            }
            versions = {pk: row.edit_version for pk, row in rows.items()}
        else:
            rows = {str(row.pk): row for row in queryset.all()}  # a copy: the action reads its rows again
            roots = {getattr(row, link.attname) for row in rows.values()}
            current = dict(
                manager.order_by().select_for_update().filter(pk__in=roots).values_list("pk", "edit_version")
            )
            versions = {pk: current[getattr(row, link.attname)] for pk, row in rows.items()}
        missing, stale = [], []
        for pk, row in rows.items():
            loaded = posted_version(request.POST.get(f"{ROW_VERSION_INPUT}{pk}"))
            if loaded is None:
                # Rows of "select all" beyond the page carry no version: they were never shown.
                if pk in selected:
                    missing.append(row)
            elif loaded != versions[pk]:
                stale.append(row)
        if missing:
            self.message_user(
                request,
                f"Nothing was done: the list did not say which version of {_named(missing)} it showed "
                "(an old or altered page). Reload the list and try again.",
                messages.ERROR,
            )
            return None
        if stale:
            self.message_user(
                request,
                f"Nothing was done: {_named(stale)} changed since you loaded this list. "
                "The list now shows them as they are: check them and choose the action again.",
                messages.ERROR,
            )
            return None
        return versions


def _named(rows: list) -> str:
    names = [f"“{row}”" for row in rows[:NAMED_ROWS]]
    if len(rows) > NAMED_ROWS:
        names.append(f"{len(rows) - NAMED_ROWS} more")
    return get_text_list(names, "and")
