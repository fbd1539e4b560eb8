"""Forms for the admin: pasting ranges, and the inline rows of a vendor's facts.

The inline formsets fill in the position of new rows (so a step added last
comes last without anyone typing a number), check each row against the
model's constraints with the model's own messages, and catch two rows that
mean the same fact once normalised (``Info@Example.com`` and
``info@example.com``), which Django's own duplicate check compares only as
typed.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html
from django.utils.text import get_text_list

from articles.facts.models import IPRange

#: Gap between the positions given to new rows, leaving room to slot one in between.
POSITION_STEP = 10


class PasteRangesForm(forms.Form):
    """Many ranges at once: one per line, all given the same tier and notes."""

    text = forms.CharField(
        label="IP addresses and ranges, one per line",
        required=False,  # An empty paste gets its own verdict, in the same words as any other line.
        strip=False,
        max_length=1_000_000,  # about 40,000 lines; more than 2,000 are saved by the worker
        widget=forms.Textarea(attrs={"rows": 14, "cols": 60, "spellcheck": "false", "autocomplete": "off"}),
        help_text=(
            "IPv4 or IPv6, such as 192.0.2.10, 192.0.2.0/24 or 2001:db8::/32. Brackets, quotes and "
            "trailing commas are removed and blank lines are ignored, so a list copied from an email "
            "or a spreadsheet can be pasted as it is."
        ),
    )
    tier = forms.ChoiceField(label="Tier", choices=IPRange.Tier.choices, initial=IPRange.Tier.PRIMARY)
    public_note = forms.CharField(
        label="Public note",
        required=False,
        max_length=IPRange._meta.get_field("public_note").max_length,
        help_text="Saved with every range added and shown to readers: pages, range files and the API.",
    )
    staff_note = forms.CharField(
        label="Staff note",
        required=False,
        max_length=IPRange._meta.get_field("staff_note").max_length,
        help_text="Saved with every range added, for staff only, e.g. where the list came from.",
    )


class CheckedInlineFormSet(BaseInlineFormSet):
    """An inline formset that checks rows against stored ones, numbers new rows
    and refuses normalised duplicates.

    ``normalised_unique`` names the field whose stored (normalised) value must
    differ between rows; ``position_field`` the ordering field, if any.
    """

    normalised_unique: str | None = None
    position_field: str | None = None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if self.position_field and self.position_field in form.fields:
            field = form.fields[self.position_field]
            field.required = False
            field.initial = None
            field.help_text = "Lower numbers come first. Leave empty to add at the end."

    def clean(self):
        # Stored rows first, so that a row repeating one gets the model's own
        # message ("This vendor already has that sender address.").
        self._validate_constraints()
        super().clean()
        rows = [
            form
            for form in self.forms
            if form.is_valid() and form not in self.deleted_forms and (form.instance.pk or form.has_changed())
        ]
        if self.normalised_unique:
            self._refuse_normalised_duplicates(rows)
        if self.position_field:
            self._number_new_rows(rows)

    def _validate_constraints(self) -> None:
        # A model form leaves the inline's foreign key out of its constraint
        # checks (the parent may not exist yet), and Django's formset check
        # compares rows only with each other, so a row repeating a stored
        # fact would otherwise reach the database as an IntegrityError.
        for form in self.forms:
            if not form.is_valid() or form in self.deleted_forms or not form.has_changed():
                continue
            exclude = {field.name for field in self.model._meta.fields if field.name not in form.fields}
            try:
                form.instance.validate_constraints(exclude=exclude)
            except ValidationError as error:
                form.add_error(None, error)

    def counts_for_uniqueness(self, form) -> bool:
        """Whether this row takes part in the uniqueness rule (all rows, by default)."""
        return True

    def _refuse_normalised_duplicates(self, rows) -> None:
        field = self.normalised_unique
        label = self.model._meta.get_field(field).verbose_name
        seen: set[str] = set()
        for form in rows:
            if not self.counts_for_uniqueness(form):
                continue
            value = getattr(form.instance, field)
            if value.lower() in seen:
                form.add_error(
                    field,
                    ValidationError(
                        "This %(label)s is entered twice (as “%(value)s”); keep one row.",
                        code="duplicate",
                        params={"label": label, "value": value},
                    ),
                )
            seen.add(value.lower())

    def _number_new_rows(self, rows) -> None:
        """Give each row left without a position one after the highest given, spaced by ten."""
        field = self.position_field
        # ``rows`` holds valid forms only.
        taken = [form.cleaned_data.get(field) for form in rows]
        following = max((p for p in taken if p is not None), default=0) + POSITION_STEP
        for form in rows:
            if form.cleaned_data.get(field) is None:
                setattr(form.instance, field, following)
                form.cleaned_data[field] = following
                following += POSITION_STEP

    def get_unique_error_message(self, unique_check):
        fields = [
            str(self.model._meta.get_field(name).verbose_name)
            for name in unique_check
            if name != self.fk.name
        ]
        return f"The same {get_text_list(fields, 'and')} is entered on two rows; keep one of them."

    def get_form_error(self):
        return "This row repeats another one."


class RetirableFormSet(CheckedInlineFormSet):
    """Rows of facts with a retirement date: a retired one may be listed again, so only the others must differ."""

    def counts_for_uniqueness(self, form) -> bool:
        return form.instance.retired_on is None


class SenderAddressFormSet(RetirableFormSet):
    normalised_unique = "address"
    position_field = "position"


class SenderDomainFormSet(RetirableFormSet):
    normalised_unique = "domain"


class IPRangeFormSet(RetirableFormSet):
    normalised_unique = "network"


class PositionedFormSet(CheckedInlineFormSet):
    """Steps and article sections: ordered by ``position``, numbered when left empty.

    Two rows given the same position are not left to the order they were
    created in: the whole list is renumbered 10, 20, 30… in the order of
    (position, then the row's place on the page), so rows sharing a number
    keep the order staff saw them in. While every number differs, the numbers
    are kept as given: a save that leaves the order clear writes no position
    nobody changed.
    """

    position_field = "position"

    def _number_new_rows(self, rows) -> None:
        field = self.position_field
        given = [form.cleaned_data.get(field) for form in rows]
        numbered = [p for p in given if p is not None]
        if len(set(numbered)) == len(numbered):
            super()._number_new_rows(rows)
            return
        # ``rows`` is in page order, and sorted() is stable: equal positions keep it.
        ordered = sorted(
            rows, key=lambda form: (form.cleaned_data.get(field) is None, form.cleaned_data.get(field) or 0)
        )
        for number, form in enumerate(ordered, start=1):
            position = number * POSITION_STEP
            setattr(form.instance, field, position)
            form.cleaned_data[field] = position
            if form.instance.pk and position != form.initial.get(field) and field not in form.changed_data:
                # A stored row is saved only if it changed; this one did, by renumbering.
                form.changed_data.append(field)


class PlainText(forms.Widget):
    """A value shown as text, for a field that cannot be edited on this row."""

    def render(self, name, value, attrs=None, renderer=None):
        return format_html('<span class="plain-text">{}</span>', value or "")


class IPRangeInlineForm(forms.ModelForm):
    """A range row on the vendor page, compact enough for a table.

    A saved range's network cannot be edited: changing it in place would lose
    the old range without a trace, so staff retire it and add the new one.
    """

    class Meta:
        model = IPRange
        fields = ["network", "tier", "public_note", "staff_note", "added_on", "retired_on"]
        widgets = {
            "network": forms.TextInput(attrs={"size": 16}),
            "public_note": forms.TextInput(attrs={"size": 14}),
            "staff_note": forms.TextInput(attrs={"size": 14}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tier = self.fields["tier"]
        tier.help_text = " ".join(f"{label}." for _, label in IPRange.Tier.choices)
        # "Primary" rather than "Primary: allow these first": the help says the rest.
        tier.choices = [(value, label.split(":")[0]) for value, label in IPRange.Tier.choices]
        if self.instance.pk:
            network = self.fields["network"]
            network.disabled = True
            network.widget = PlainText()
            network.help_text = "To change a saved range, retire it and add the new one."
