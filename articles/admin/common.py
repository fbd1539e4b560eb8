"""What the admin's modules share: Markdown widgets, placeholder help, counts, step-list columns."""

from __future__ import annotations

import reversion
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime, AdminTextareaWidget
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from articles.content.models import StepList
from articles.content.placeholders import PLACEHOLDERS
from articles.facts import networks
from articles.facts.models import IPRange
from articles.services import changes


class UnixNewlines:
    """A textarea's text with its line breaks as stored (``\n``).

    Browsers post every line break of a textarea as CRLF, so a text nobody
    touched would read as changed: in the change message, in the revision's
    diff, and as "changed by you" against someone else's edit on the
    conflict page (admin/locking.py).
    """

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


class LabelsDateTimes:
    """Names both boxes of a date-and-time field after the field, for screen readers.

    Django's split widget introduces its two boxes with bare text ("Date:",
    "Time:") that no label ties to them, so a screen reader announces two
    unnamed boxes (axe: ``label``).
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, AdminSplitDateTime):
            name = str(db_field.verbose_name).capitalize()
            date, time = formfield.widget.widgets
            date.attrs["aria-label"] = f"{name}: date"
            time.attrs["aria-label"] = f"{name}: time"
        return formfield


class MarkdownWidget(UnixNewlines, AdminMarkdownxWidget):
    pass


class TextareaWidget(UnixNewlines, AdminTextareaWidget):
    pass


#: Every Markdown field gets the live preview, model admins and inlines alike; every text area posts plain line breaks.
MARKDOWN_WIDGETS = {MarkdownxField: {"widget": MarkdownWidget}, models.TextField: {"widget": TextareaWidget}}

#: Starts the live preview on Markdown rows added with "Add another".
MARKDOWN_INLINE_JS = ["js/admin-markdown-inlines.js"]

PLACEHOLDER_HELP = format_html(
    "Placeholders insert the vendor's current facts: {}. The preview fills them with the facts of the vendor chosen in the form.",
    format_html_join(", ", "<code>{{{{ {} }}}}</code> ({})", PLACEHOLDERS.items()),
)


def count_per_vendor(queryset) -> Coalesce:
    """A correlated subquery counting ``queryset``'s rows per vendor.

    Several counts as joins would multiply one another's rows; subqueries
    keep the vendor list one query however many facts each vendor has.
    """
    counted = (
        queryset.filter(vendor=OuterRef("pk")).order_by().values("vendor").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted), 0)


class FindsCoveringRanges:
    """A list search where an IP address or range also finds what covers it.

    ``covering_field`` names what a covering range points to in this list:
    ``"vendor"`` in the vendor list, ``"pk"`` in the list of ranges.
    """

    covering_field = "pk"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        network = networks.parse_query_address(search_term)
        if network is not None:
            covering = IPRange.objects.covering_network(network)
            results |= queryset.filter(pk__in=covering.values(self.covering_field))
        return results, may_have_duplicates


# Step lists, shown on their own and linked from vendors and mail clients ----------------------


class StepListColumns:
    """Whose a step list is and how many steps it has: in its own list and in the inlines linking to it."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(step_total=Count("steps"))

    @admin.display(description="Whose steps", ordering="vendor__name")
    def owner(self, obj: StepList) -> str:
        return obj.vendor.name if obj.vendor_id else "Generic (every vendor)"

    @admin.display(description="Steps", ordering="step_total")
    def step_count(self, obj: StepList) -> int:
        return obj.step_total


class StepListLinksInline(StepListColumns, admin.TabularInline):
    """Step lists as links, read only: steps are edited on the step list's page."""

    model = StepList
    show_change_link = True
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        # Each row's title names the mail client and the vendor.
        return super().get_queryset(request).select_related("mail_client", "vendor")


class RecordsChanges:
    """Each write this admin makes says what it sets off (services/changes.py).

    A change form with its inlines, a list's actions and bulk edits, and a
    delete are each one ``changes.recording()`` block: however many rows the
    request writes, the vendor's "facts changed" time moves once and each
    article it reaches is re-indexed once, at the end, in the same transaction.
    The block is also one revision (articles/revisions/): kept with the
    signed-in user and, as its comment, the change message the admin logs.
    """

    def changeform_view(self, request, *args, **kwargs):
        return self._recording(request, super().changeform_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._recording(request, super().changelist_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._recording(request, super().delete_view, *args, **kwargs)

    @staticmethod
    def _recording(request, view, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return view(request, *args, **kwargs)  # reads write nothing: no transaction to open
        with changes.recording():
            reversion.set_user(request.user)
            return view(request, *args, **kwargs)

    def log_addition(self, request, obj, message):
        return self._commented(super().log_addition(request, obj, message))

    def log_change(self, request, obj, message):
        return self._commented(super().log_change(request, obj, message))

    @staticmethod
    def _commented(entry):
        if reversion.is_active() and entry is not None:
            reversion.set_comment(entry.get_change_message() or str(entry))
        return entry

    def save_model(self, request, obj, form, change) -> None:
        # A row moved to another vendor or mail client changes what the old one shows too.
        before = (
            type(obj)._default_manager.filter(pk=obj.pk).first() if change and form.changed_data else None
        )
        super().save_model(request, obj, form, change)
        changes.written(obj, fields=form.changed_data if change else None)
        if before is not None:
            changes.written(before, fields=form.changed_data)

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        changes.written(obj)

    def delete_queryset(self, request, queryset) -> None:
        deleted = list(queryset)
        super().delete_queryset(request, queryset)
        for obj in deleted:
            changes.written(obj)

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        changed = [obj for obj, _fields in formset.changed_objects]
        for obj in [*formset.new_objects, *changed, *formset.deleted_objects]:
            changes.written(obj)
