"""Importing a step list, generic or a vendor's own, with its steps in order."""

from __future__ import annotations

from articles.content.models import MailClient, Step, StepList
from articles.facts.models import Vendor
from articles.interchange.rows import RowWriter, assign
from articles.interchange.schema import StepsEntry


class StepListWriter(RowWriter):
    """Makes one step list match the file; the stored lists are read once, up front."""

    step_lists: dict[tuple[int, int | None], StepList]

    def _step_list(
        self, *, client: MailClient, vendor: Vendor | None, entry: StepsEntry | None, label: str
    ) -> None:
        """Make one step list (generic when ``vendor`` is None) match the file; None removes it."""
        step_list = self.step_lists.get((client.pk, vendor.pk if vendor else None))
        if entry is None:
            if step_list is not None:
                self.delete(step_list, kind="step list", label=label)
            return
        if step_list is None:
            step_list = StepList(mail_client=client, vendor=vendor)
            stored = []
        else:
            stored = list(step_list.steps.all())
        changed = assign(step_list, intro=entry.intro)
        if not self.save(step_list, kind="step list", label=label, place_of=entry.place_of, changed=changed):
            return
        for position, text in enumerate(entry.steps):
            step = stored[position] if position < len(stored) else Step(step_list=step_list)
            changed = assign(step, text=text, position=position)
            place_of = entry.step_places[position].everywhere()
            self.save(step, kind="step", label=f"{label} #{position + 1}", place_of=place_of, changed=changed)
        for position, step in enumerate(stored[len(entry.steps) :], start=len(entry.steps)):
            self.delete(step, kind="step", label=f"{label} #{position + 1}")
