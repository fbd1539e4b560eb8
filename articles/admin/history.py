"""The admin's history of an edited object: its revisions, a diff of any two, a revert with its preview.

``RevisionHistory`` is mixed into the admin of each root of
articles/revisions/registry.py. It replaces the admin's "History" page with
the list of revisions (newest first: when, who, comment), a plain GET form to
compare any two, and a "Revert to this revision" link on each.

A revert is shown before it is applied: the preview is the diff from now to
what the revert leaves, saying which IP ranges it puts back into or takes out
of the published lists. The POST carries the ``edit_version`` the preview was
made from; a save in between refuses the revert. django-reversion's
``VersionAdmin`` is not used: its revert writes the stored rows raw, past
validation and past ``changes.recording()``.

Viewing needs the view permission; reverting the change permission and, for
an object readers see, the permission to change what they see; a revert that
retires a range also needs the permission to retire ranges.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from reversion.models import Revision, Version

from articles.content.models import Article, MailClient, StepList
from articles.content.visibility import public_vendors_only
from articles.facts.models import Vendor
from articles.revisions import revert, snapshot
from articles.revisions.diff import diff
from articles.revisions.snapshot import Snapshot
from articles.services import changes

PUBLISH_ARTICLE = "articles.publish_article"
CHANGE_PUBLISHED_FACTS = "articles.change_published_facts"
RETIRE_IPRANGE = "articles.retire_iprange"


def readers_see(obj) -> bool:
    """Whether a reader sees ``obj`` now: a revert of it changes the public site."""
    if isinstance(obj, Article):
        return obj.is_public
    if isinstance(obj, Vendor):
        return public_vendors_only(Vendor.objects.filter(pk=obj.pk)).exists()
    if isinstance(obj, StepList):
        # Generic steps serve every vendor; a vendor's own, the readers of that vendor.
        return obj.vendor_id is None or public_vendors_only(Vendor.objects.filter(pk=obj.vendor_id)).exists()
    return isinstance(obj, MailClient)


def revert_permission(obj, target: Snapshot | None = None) -> str | None:
    """The permission a revert of ``obj`` needs beyond "change", or None.

    For an article, a revert to a published revision publishes it, so that
    needs the publishing permission as well.
    """
    if isinstance(obj, Article):
        publishes = target is not None and target.fields.get("status") == Article.Status.PUBLISHED
        return PUBLISH_ARTICLE if obj.is_public or publishes else None
    if isinstance(obj, Vendor | StepList | MailClient):
        return CHANGE_PUBLISHED_FACTS if readers_see(obj) else None
    return None


class RevisionHistory:
    """History, diff and revert for a model admin whose model is a root of the revisions."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        # Before the default URLs, whose "<object_id>/" pattern would claim these paths.
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{prefix}_compare",
            ),
            path(
                "<path:object_id>/history/<int:revision_id>/revert/",
                self.admin_site.admin_view(self.revert_view),
                name=f"{prefix}_revert",
            ),
            *super().get_urls(),
        ]

    def may_revert(self, request: HttpRequest, obj, target: Snapshot | None = None) -> bool:
        return self.why_not_revert(request, obj, target) is None

    def why_not_revert(
        self, request: HttpRequest, obj, target: Snapshot | None = None, *, retires: bool = False
    ) -> str | None:
        """Why this user may not revert ``obj`` (to ``target``), in words; None if they may."""
        if not self.has_change_permission(request, obj):
            return f"Reverting needs the permission to change {self.opts.verbose_name_plural}."
        needed = revert_permission(obj, target)
        if needed == PUBLISH_ARTICLE and not request.user.has_perm(needed):
            return "This revert changes what readers see of a published article: a publisher must apply it."
        if needed == CHANGE_PUBLISHED_FACTS and not request.user.has_perm(needed):
            return f"Readers see this {self.opts.verbose_name}: a publisher must apply the revert."
        if retires and not request.user.has_perm(RETIRE_IPRANGE):
            return "This revert retires an IP range: it needs the permission to retire ranges."
        return None

    # Pages ------------------------------------------------------------------------------------

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None) -> HttpResponse:
        """The revisions of one object, newest first, with the form comparing two of them."""
        obj = self._viewable(request, object_id)
        revisions = [
            version.revision
            for version in Version.objects.get_for_object(obj)
            .select_related("revision__user")
            .order_by("-revision__date_created", "-revision_id")
        ]
        context = {
            **self._context(request, obj, f"History of {obj}"),
            "revisions": revisions,
            "before": revisions[1].pk if len(revisions) > 1 else None,
            "after": revisions[0].pk if revisions else None,
            "can_revert": self.may_revert(request, obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/articles/history/history.html", context)

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """What changed between two revisions, the older one first, whichever order they were picked in."""
        obj = self._viewable(request, object_id)
        picked = [request.GET.get("before", ""), request.GET.get("after", "")]
        if not all(value.isdigit() for value in picked) or picked[0] == picked[1]:
            messages.error(request, "Pick two different revisions to compare, one in each column.")
            return HttpResponseRedirect(self._url("history", obj))
        revisions = sorted(
            self._revisions_of(obj, [int(value) for value in picked]),
            key=lambda revision: (revision.date_created, revision.pk),
        )
        snapshots = snapshot.of_revisions(self.model, obj.pk, revisions)
        if len(revisions) != 2 or len(snapshots) != 2:
            raise Http404("These are not two revisions of this object.")
        older, newer = revisions
        context = {
            **self._context(request, obj, f"Changes to {obj}"),
            "older": older,
            "newer": newer,
            "diff": diff(snapshots[older.pk], snapshots[newer.pk]),
        }
        return TemplateResponse(request, "admin/articles/history/compare.html", context)

    def revert_view(self, request: HttpRequest, object_id: str, revision_id: int) -> HttpResponse:
        """GET: what reverting to the revision would change now. POST: revert, as a new revision."""
        obj = self._viewable(request, object_id)
        revision = self._revisions_of(obj, [revision_id])
        if not revision:
            raise Http404("That is not a revision of this object.")
        revision = revision[0]
        target = snapshot.of_revision(self.model, obj.pk, revision)
        plan = revert.plan_revert(current=snapshot.of_database(self.model, obj.pk), target=target)
        changed = diff(plan.current, plan.result, reverting=True)
        refusal = self.why_not_revert(request, obj, target, retires=changed.retires)
        if request.method == "POST":
            if refusal is not None:
                raise PermissionDenied(refusal)
            return self._revert(request, obj, revision)
        context = {
            **self._context(request, obj, f"Revert {obj}"),
            "revision": revision,
            "diff": changed,
            "problems": plan.problems,
            "refusal": refusal,
        }
        return TemplateResponse(request, "admin/articles/history/revert.html", context)

    def _revert(self, request: HttpRequest, obj, revision: Revision) -> HttpResponse:
        try:
            edit_version = int(request.POST.get("edit_version", ""))
        except ValueError:
            messages.error(
                request, "The form did not say which version it was made from; nothing was reverted."
            )
            return HttpResponseRedirect(request.path)
        try:
            with changes.recording():
                revert.revert(
                    model=self.model,
                    pk=obj.pk,
                    revision=revision,
                    edit_version=edit_version,
                    user=request.user,
                    written=changes.written,
                )
        except revert.RevertRefused as refused:
            messages.error(request, str(refused))
            return HttpResponseRedirect(request.path)
        messages.success(
            request, f"{obj._meta.verbose_name.capitalize()} “{obj}”: {revert.comment_for(revision)}."
        )
        return HttpResponseRedirect(self._url("history", obj))

    # Helpers ----------------------------------------------------------------------------------

    def _viewable(self, request: HttpRequest, object_id: str):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with that id.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _revisions_of(self, obj, revision_ids: list[int]) -> list[Revision]:
        versions = Version.objects.get_for_object(obj).filter(revision_id__in=revision_ids)
        return list(Revision.objects.filter(pk__in=versions.values("revision_id")).select_related("user"))

    def _url(self, name: str, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=[quote(obj.pk)])

    def _context(self, request: HttpRequest, obj, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": title,
            "subtitle": None,
            "edit_version": obj.edit_version,
            "history_url": self._url("history", obj),
            "compare_url": self._url("compare", obj),
            "change_url": self._url("change", obj),
        }
