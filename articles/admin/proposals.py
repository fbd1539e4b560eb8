"""Proposed fact changes: an editor proposes, a publisher applies what readers will see.

An editor may not change the facts of a vendor readers can see (a vendor
with a public article, ``roles.may_apply_directly``). Their save of its change
form, with its address, domain and range rows, is validated exactly as the
admin validates it and then kept aside as the vendor's one open proposal
(revisions/models.py ``FactProposal``); nothing live changes. A second save
by an editor replaces it, and the editor's form shows the proposal, so that
they go on from it.

The change page says "Proposed changes waiting" with what the proposal
changes: the vendor's fields side by side and each row added, removed or
changed (the revisions' own snapshot diff, revisions/diff.py). A publisher
applies it: the kept form is replayed through the same forms against the
vendor as it now is and saved as any change form is, inside
``changes.recording()``, so it is a revision ("Applied the proposed change by
…"). If the vendor was saved since the proposal was made, applying it is
refused: it would undo that save. A publisher, or the proposal's author,
discards it.

The kept form, its replay and the "shown in the form" step are those of a
published article's pending change (admin/pending.py ``ReplaysKeptForms``).
The forms are replayed as the author's: a field their form did not have (a
range's retirement date, which only a publisher edits) is not reset by
applying their proposal.
"""

from __future__ import annotations

import copy

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from articles.admin.pending import Replay, ReplaysKeptForms
from articles.admin.roles import may_apply_directly
from articles.facts.models import Vendor
from articles.revisions.diff import Diff, diff
from articles.revisions.models import FactProposal
from articles.revisions.snapshot import Snapshot, edited_fields, followed, of_database
from articles.services import changes

PROPOSED_MESSAGE = (
    "Saved as a proposed change: readers keep seeing the current facts until a publisher applies it."
)


class CannotApply(Exception):
    """A proposal that cannot be applied as it stands; the message says why, for staff."""


def store_proposal(
    request: HttpRequest,
    vendor: Vendor,
    form_data: dict[str, list[str]],
    *,
    form_fields: list[str],
    comment: str = "",
) -> FactProposal:
    """Keep ``form_data`` (a validated change form of ``vendor``) as its proposal; a second one replaces it.

    ``vendor.edit_version`` is the version the proposal is based on: the
    change form's request has locked and checked it (admin/locking.py).
    """
    proposal, _created = FactProposal.objects.update_or_create(
        vendor_id=vendor.pk,
        defaults={
            "data": form_data,
            "form_fields": form_fields,
            "base_edit_version": vendor.edit_version,
            "author": request.user,
            "comment": comment[: FactProposal._meta.get_field("comment").max_length],
        },
    )
    return proposal


def proposed_snapshot(current: Snapshot, replay: Replay) -> Snapshot:
    """The vendor and its rows as applying ``replay`` would leave them (nothing is written).

    Rows the form did not show stay as they are; a new row gets a negative
    key of its own, since it has no primary key yet.
    """
    rows = {row_model: dict(kept) for row_model, kept in current.rows.items()}
    links = dict(followed(Vendor))
    new_key = 0
    for formset in replay.formsets:
        if formset.model not in links:
            continue  # the vendor's own step lists are links, not facts
        kept, link = rows.setdefault(formset.model, {}), links[formset.model]
        deleted = formset.deleted_forms if formset.is_valid() else []
        for row in formset.forms:
            pk = row.instance.pk
            if row in deleted:
                kept.pop(pk, None)
                continue
            if not row.is_valid() or (pk is None and not row.has_changed()):
                continue
            if pk is None:
                new_key -= 1
                pk = new_key
            kept[pk] = {
                f.attname: getattr(row.instance, f.attname) for f in edited_fields(formset.model, link=link)
            }
    fields = {f.attname: getattr(replay.obj, f.attname) for f in edited_fields(Vendor)}
    return Snapshot(model=Vendor, pk=current.pk, fields=fields, rows=rows)


class ProposesFactChanges(ReplaysKeptForms):
    """VendorAdmin's proposed fact changes: kept on an editor's save, shown with their diff, applied, discarded."""

    # Saving -----------------------------------------------------------------------------

    def proposes(self, request: HttpRequest) -> bool:
        """Whether ``request`` is a save that proposes rather than writes: the change form's, or a kept one replayed.

        For ``has_change_permission``: an editor's POST to a public vendor's
        change form reaches ``changeform_view`` here; every other POST of
        theirs to it (a revert, the paste view, an apply) stays refused.
        """
        if getattr(request, "replays_kept_form", False):
            return True
        match = getattr(request, "resolver_match", None)
        change_view = f"{self.opts.app_label}_{self.opts.model_name}_change"
        return request.method == "POST" and match is not None and match.url_name == change_view

    kept_message = PROPOSED_MESSAGE

    def keeps_aside(self, request: HttpRequest, vendor: Vendor) -> bool:
        return not may_apply_directly(request, vendor)

    def keep_aside(self, request: HttpRequest, vendor: Vendor, data, *, form_fields, comment) -> None:
        store_proposal(request, vendor, data, form_fields=form_fields, comment=comment)

    def replay_proposal(
        self, request: HttpRequest, proposal: FactProposal, vendor: Vendor, *, for_page: bool = False
    ) -> Replay:
        """``proposal`` run through its author's change form against ``vendor`` (changed in memory only)."""
        return self.replay_kept(request, proposal, vendor, user=proposal.author, for_page=for_page)

    # Applying ---------------------------------------------------------------------------

    def apply_proposal(
        self, request: HttpRequest, proposal: FactProposal, *, seen: str | None = None
    ) -> Vendor:
        """Save ``proposal`` into the vendor, as ``request.user``, and delete it.

        Raises ``CannotApply``, with nothing written, if the user may not
        change the vendor's published facts, the proposal is gone or was
        saved again since the publisher saw it (``seen``: its ``updated_at``,
        ISO), the vendor was saved since the proposal was made from it, or
        the proposal no longer passes the vendor form.
        """
        with changes.recording():
            reversion.set_user(request.user)
            # The vendor's row is held until the end: no save slips in between the checks and the write.
            vendor = Vendor.objects.select_for_update().filter(pk=proposal.vendor_id).order_by().first()
            current = FactProposal.objects.select_related("author").filter(pk=proposal.pk).first()
            if vendor is None or current is None:
                raise CannotApply("This proposed change was already applied or discarded.")
            if not may_apply_directly(request, vendor):
                raise CannotApply(f"{request.user} may not change the facts readers see.")
            if seen is not None and seen != current.updated_at.isoformat():
                raise CannotApply(
                    "The proposed change was saved again since you opened it; review it again before applying it."
                )
            if vendor.edit_version != current.base_edit_version:
                raise CannotApply(
                    f"{vendor} was saved since {current.author} proposed this change, so applying it would "
                    "undo that save. Nothing was changed. Ask them to re-open the vendor and save their "
                    "proposal again."
                )
            replay = self.replay_proposal(request, current, vendor)
            if not replay.valid:
                raise CannotApply(
                    "The proposed change no longer passes the vendor form's checks: "
                    + "; ".join(replay.errors())
                )
            # Whoever deletes the row applies it: a second publisher finds nothing to delete.
            claimed, _ = FactProposal.objects.filter(pk=current.pk, updated_at=current.updated_at).delete()
            if not claimed:
                raise CannotApply("This proposed change was already applied or discarded.")
            # The forms were the author's; the save, its log entry and its revision are the publisher's.
            posted, form, formsets = replay.request, replay.form, replay.formsets
            posted.user = request.user
            self.save_model(posted, replay.obj, form, True)
            self.save_related(posted, form, formsets, True)
            message = self.construct_change_message(posted, form, formsets, False)
            self.log_change(posted, replay.obj, message)
            reversion.set_comment(f"Applied the proposed change by {current.author}")
        return replay.obj

    # Pages ------------------------------------------------------------------------------

    def proposal_urls(self) -> list:
        """The proposal's actions, for ``VendorAdmin.get_urls`` (before the default "<object_id>/" ones)."""
        prefix = f"{self.opts.app_label}_{self.opts.model_name}_proposal"
        return [
            path(
                "<path:object_id>/proposal/apply/",
                self.admin_site.admin_view(self.proposal_apply_view),
                name=f"{prefix}_apply",
            ),
            path(
                "<path:object_id>/proposal/discard/",
                self.admin_site.admin_view(self.proposal_discard_view),
                name=f"{prefix}_discard",
            ),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # ``has_proposal`` comes with the vendor (get_queryset): a page without one costs no query.
        if obj is not None and getattr(obj, "has_proposal", False):
            proposal = FactProposal.objects.select_related("author").filter(vendor=obj).first()
            if proposal is not None:
                self._show_proposal(request, context, proposal, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _show_proposal(self, request, context, proposal: FactProposal, obj: Vendor) -> None:
        may_apply = may_apply_directly(request, obj)
        replay = self.replay_proposal(request, proposal, copy.copy(obj), for_page=True)
        context.update(
            fact_proposal=proposal,
            proposal_diff=self.proposal_diff(obj, replay),
            proposal_errors=[] if replay.valid else replay.errors(),
            proposal_stale=obj.edit_version != proposal.base_edit_version,
            may_apply_proposal=may_apply,
            may_discard_proposal=may_apply or request.user == proposal.author,
        )
        if request.method == "GET" and not may_apply:
            # An editor's next save replaces the proposal: they go on from it.
            self._show_kept_in_form(request, context, replay, obj)
            context["form_shows_proposal"] = True

    @staticmethod
    def proposal_diff(vendor: Vendor, replay: Replay) -> Diff:
        """The vendor's facts as they are now against what the proposal would leave."""
        current = of_database(Vendor, vendor.pk)
        return diff(current, proposed_snapshot(current, replay))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(has_proposal=Exists(FactProposal.objects.filter(vendor=OuterRef("pk"))))
        )

    def get_list_display(self, request):
        return [*super().get_list_display(request), "proposal_state"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), HasProposalFilter]

    @admin.display(description="Proposed changes", boolean=True, ordering="has_proposal")
    def proposal_state(self, obj: Vendor) -> bool:
        return obj.has_proposal

    def _vendor_and_proposal(self, request, object_id) -> tuple[Vendor, FactProposal | None]:
        vendor = self.get_object(request, unquote(object_id))
        if vendor is None:
            raise PermissionDenied
        return vendor, FactProposal.objects.select_related("author").filter(vendor=vendor).first()

    def _back(self, vendor: Vendor) -> HttpResponseRedirect:
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[vendor.pk])
        return HttpResponseRedirect(url)

    @staticmethod
    def _no_proposal(request) -> None:
        messages.error(request, "This vendor has no proposed change: it was already applied or discarded.")

    @method_decorator(require_POST)
    def proposal_apply_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        vendor, proposal = self._vendor_and_proposal(request, object_id)
        # Not the change form: an editor's POST here is refused by has_change_permission itself.
        if not (self.has_change_permission(request, vendor) and may_apply_directly(request, vendor)):
            raise PermissionDenied
        if proposal is None:
            self._no_proposal(request)
            return self._back(vendor)
        try:
            self.apply_proposal(request, proposal, seen=request.POST.get("seen"))
        except CannotApply as refusal:
            messages.error(request, str(refusal))
            return self._back(vendor)
        messages.success(request, "Applied the proposed change: readers see it now.")
        return self._back(vendor)

    @method_decorator(require_POST)
    def proposal_discard_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        vendor, proposal = self._vendor_and_proposal(request, object_id)
        # A publisher discards any proposal; its author may withdraw their own.
        may_discard = (
            proposal is None or request.user == proposal.author or may_apply_directly(request, vendor)
        )
        if not (may_discard and self.has_change_permission(request)):
            raise PermissionDenied
        if proposal is None or not FactProposal.objects.filter(pk=proposal.pk).delete()[0]:
            self._no_proposal(request)
        else:
            messages.success(request, "Discarded the proposed change; the vendor's facts are as they were.")
        return self._back(vendor)


class HasProposalFilter(admin.SimpleListFilter):
    title = "proposed changes"
    parameter_name = "proposal"

    def lookups(self, request, model_admin):
        return [("yes", "Has a proposed change"), ("no", "No proposed change")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_proposal=True)
        if self.value() == "no":
            return queryset.filter(has_proposal=False)
        return queryset
