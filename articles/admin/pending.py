"""Pending changes to a published article: an editor prepares, a publisher publishes.

A save of a published article by someone who may not publish leaves the live
article as it is: the change form, as posted and validated, is kept as the
article's one pending change (revisions/models.py). The change page then
says "Published, with unpublished changes" and links to the diff between
live and pending and to a preview of the pending version exactly as readers
will see it; a publisher publishes it now or at a time, or discards it.

Publishing replays the kept form through the same admin forms against the
article as it now is, and saves it as any change form save is saved: inside
``changes.recording()``, so it is a revision ("Published the pending change
by …") and the search index follows. If the live article was saved since
the change was made, publishing is refused: the editor re-opens the article
and saves the change again, so nothing the live article gained is undone.
The worker publishes a change set for a time (tasks/scheduled.py), through
``publish_pending`` here, in the name of the publisher who set the time.

Keeping a posted form and replaying it is shared with a public vendor's
proposed fact changes (admin/proposals.py): ``posted_data``,
``kept_request``, ``change_comment`` and the ``ReplaysKeptForms`` mixin.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.forms.formsets import all_valid
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from articles.admin.roles import may_apply_directly
from articles.content.models import Article, ArticleClient, MailClient
from articles.revisions.models import PendingChange
from articles.revisions.pending import CannotPublish, pending_diff
from articles.services import changes
from articles.tasks.scheduled import publish_pending_at
from articles.views import render_article

#: Keys of a posted change form that are not the article's data.
_NOT_DATA = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother", "_saveasnew"}

STORED_MESSAGE = (
    "Saved as a pending change: readers still see the published version until a publisher publishes it."
)


def posted_data(request: HttpRequest) -> dict[str, list[str]]:
    """A posted change form as a dict of lists: what a pending change keeps."""
    return {key: request.POST.getlist(key) for key in request.POST if key not in _NOT_DATA}


def store_pending(
    request: HttpRequest,
    article: Article,
    form_data: dict[str, list[str]],
    *,
    form_fields: list[str] | None = None,
    comment: str = "",
) -> PendingChange:
    """Keep ``form_data`` (a validated change form of ``article``) as its pending change.

    A second save replaces the first, and any time set for it is cleared: a
    publisher scheduled what they had seen, not what was saved after.
    ``form_fields`` are the fields the form had; by default those the admin
    gives this user. ``comment`` says what it changes, in the admin's words.
    """
    if form_fields is None:
        model_admin = admin.site.get_model_admin(Article)
        fieldsets = model_admin.get_fieldsets(request, article)
        form_fields = list(
            model_admin.get_form(
                request, article, change=True, fields=flatten_fieldsets(fieldsets)
            ).base_fields
        )
    live_version = Article.objects.filter(pk=article.pk).values_list("edit_version", flat=True).get()
    pending, _created = PendingChange.objects.update_or_create(
        article_id=article.pk,
        defaults={
            "data": form_data,
            "form_fields": form_fields,
            "base_edit_version": live_version,
            "author": request.user,
            "publish_at": None,
            "scheduled_by": None,
            "problem": "",
            "comment": comment[: PendingChange._meta.get_field("comment").max_length],
        },
    )
    return pending


@dataclass
class Replay:
    """A kept form run through the change form: the object (and rows) it would save.

    ``obj`` is the form's instance, changed in memory only; for an article,
    ``article``, ``sections`` and ``clients`` say what readers would see.
    """

    request: HttpRequest
    form: forms.ModelForm
    formsets: list
    inlines: list
    obj: models.Model
    valid: bool

    @property
    def article(self) -> Article:
        return self.obj

    @property
    def sections(self) -> list[ArticleClient]:
        """The client sections the change leaves, in the order readers would see them."""
        rows = []
        for formset in self.formsets:
            if formset.model is not ArticleClient:
                continue
            deleted = formset.deleted_forms if formset.is_bound and formset.is_valid() else []
            for number, row in enumerate(formset.forms):
                if (
                    row in deleted
                    or not row.is_valid()
                    or (row.instance.pk is None and not row.has_changed())
                ):
                    continue
                rows.append((row.instance.position, row.instance.pk is None, row.instance.pk or number, row))
        return [row.instance for *_order, row in sorted(rows, key=lambda r: r[:3])]

    @property
    def clients(self) -> list[MailClient]:
        return [section.mail_client for section in self.sections]

    def errors(self) -> list[str]:
        found = [f"{name}: {' '.join(e)}" for name, e in self.form.errors.items()]
        for formset in self.formsets:
            found += [" ".join(e) for e in formset.non_form_errors()]
            found += [f"{n}: {' '.join(e)}" for row in formset.errors for n, e in row.items()]
        return found


class ReadRowField(forms.ModelChoiceField):
    """A replayed inline row's id, found among the rows its formset read in one query.

    Django's own id field looks each row up with a query of its own: a page
    showing a kept form of thirty ranges would cost thirty queries more.
    """

    def __init__(self, formset, field: forms.ModelChoiceField) -> None:
        super().__init__(field.queryset, required=field.required, widget=field.widget, initial=field.initial)
        self.formset = formset

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            row = self.formset._existing_object(self.formset.model._meta.pk.to_python(value))
        except ValidationError:
            row = None
        if row is None:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return row


def kept_request(request: HttpRequest, data: dict[str, list[str]], *, user=None) -> HttpRequest:
    """A request of its own, as a kept form was posted, in the name of ``user`` (default: whoever replays it).

    It carries the real request's messages, so that what the admin says
    while saving it (a look-alike domain warning) reaches the person applying it.
    """
    posted = HttpRequest()
    posted.method = "POST"
    posted.user = request.user if user is None else user
    posted.META = request.META
    posted.path = request.path
    posted.replays_kept_form = True
    if hasattr(request, "_messages"):
        posted._messages = request._messages
    for key, values in data.items():
        posted.POST.setlist(key, values)
    return posted


def change_comment(model_admin, request: HttpRequest, replay: Replay) -> str:
    """What a valid replay changes, in the history's own wording ("Changed Title and Body.")."""
    for formset in replay.formsets:
        formset.save(commit=False)  # sorts the rows into new, changed, deleted; writes nothing
    message = model_admin.construct_change_message(request, replay.form, replay.formsets, False)
    return LogEntry(change_message=json.dumps(message)).get_change_message()


class ReplaysKeptForms:
    """A model admin that keeps a change form aside and replays it later: pending changes, proposals.

    The kept form is the POST as it was (``posted_data``) and the names of the
    fields the form had; replaying it builds the admin's own forms and
    formsets, bound to it, against the object as it then is.
    """

    def _replay_posted(
        self, request: HttpRequest, obj: models.Model, fields=None, *, for_page: bool = False
    ) -> Replay:
        """The change form bound to ``request.POST``, built and validated as the admin builds it.

        ``for_page``: the replay is only shown (a diff, a form to go on
        from), so each posted row is found among the rows its formset has
        read rather than by a query of its own; saves keep the admin's check.
        """
        if fields is None:
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        form = self.get_form(request, obj, change=True, fields=fields)(
            request.POST, request.FILES, instance=obj
        )
        formsets, inlines = self._create_formsets(request, form.instance, change=True)
        if for_page:
            for formset in formsets:
                pk_name = formset.model._meta.pk.name
                for row in formset.forms:
                    if isinstance(row.fields.get(pk_name), forms.ModelChoiceField):
                        row.fields[pk_name] = ReadRowField(formset, row.fields[pk_name])
        valid = form.is_valid()
        new_object = self.save_form(request, form, change=True) if valid else form.instance
        valid = all_valid(formsets) and valid
        return Replay(
            request=request, form=form, formsets=formsets, inlines=inlines, obj=new_object, valid=valid
        )

    def replay_kept(
        self, request: HttpRequest, kept, obj: models.Model, *, user=None, for_page: bool = False
    ) -> Replay:
        """``kept`` (its ``data`` and ``form_fields``) run through the change form against ``obj``.

        ``obj`` is changed in memory only. The forms are those of ``user``
        (default: whoever replays it), limited to the fields the kept form
        had: no field its author did not see is reset, and none the admin no
        longer has is asked for.
        """
        posted = kept_request(request, kept.data, user=user)
        fields = [
            name for name in flatten_fieldsets(self.get_fieldsets(posted, obj)) if name in kept.form_fields
        ]
        return self._replay_posted(posted, obj, fields=fields, for_page=for_page)

    def _show_kept_in_form(self, request, context, replay: Replay, obj: models.Model) -> None:
        """The change form filled with a kept form's replay, for someone whose next save replaces it.

        They go on from the kept version rather than from the live one, so a
        second save keeps the first one's edits. The forms are bound to the
        kept data, as if it had just been posted.
        """
        shown = context["adminform"]
        context["adminform"] = helpers.AdminForm(
            replay.form,
            list(shown.fieldsets),
            self.get_prepopulated_fields(request, obj),
            shown.readonly_fields,
            model_admin=self,
        )
        context["inline_admin_formsets"] = self.get_inline_formsets(
            request, replay.formsets, replay.inlines, obj
        )
        context["errors"] = helpers.AdminErrorList(replay.form, replay.formsets)

    # Saving aside: what the subclass keeps, and where -------------------------------------

    #: The message an editor gets when their save was kept aside.
    kept_message = ""

    def keeps_aside(self, request: HttpRequest, obj) -> bool:
        """Whether this user's valid save of ``obj`` is kept aside instead of written."""
        raise NotImplementedError

    def keep_aside(self, request: HttpRequest, obj, data, *, form_fields, comment) -> None:
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None and "_saveasnew" not in request.POST:
            obj = self.get_object(request, unquote(object_id))
            if (
                obj is not None
                and self.has_change_permission(request, obj)
                and self.keeps_aside(request, obj)
            ):
                replay = self._replay_posted(request, obj)
                if replay.valid:
                    self.keep_aside(
                        request,
                        obj,
                        posted_data(request),
                        form_fields=list(replay.form.base_fields),
                        comment=change_comment(self, request, replay),
                    )
                    messages.success(request, self.kept_message)
                    return HttpResponseRedirect(request.path)
                # Invalid: the admin's own view builds the same forms again and shows the
                # errors, so it saves nothing either.
        return super().changeform_view(request, object_id, form_url, extra_context)


class PendingChanges(ReplaysKeptForms):
    """ArticleAdmin's pending changes: kept on an editor's save, shown, previewed, published."""

    change_form_template = "admin/articles/pending/change_form.html"

    # Saving -----------------------------------------------------------------------------

    kept_message = STORED_MESSAGE

    def keeps_aside(self, request: HttpRequest, article: Article) -> bool:
        return article.status == Article.Status.PUBLISHED and not may_apply_directly(request, article)

    def keep_aside(self, request: HttpRequest, article: Article, data, *, form_fields, comment) -> None:
        store_pending(request, article, data, form_fields=form_fields, comment=comment)

    def replay_pending(self, request: HttpRequest, pending: PendingChange, article: Article) -> Replay:
        """``pending`` run through the change form against ``article`` (changed in memory only)."""
        replay = self.replay_kept(request, pending, article)
        # Saved now, it would be updated now: the preview shows the date readers will see.
        replay.article.updated_at = timezone.now()
        return replay

    # Publishing -------------------------------------------------------------------------

    def publish_pending(
        self, request: HttpRequest, pending: PendingChange, *, seen: str | None = None
    ) -> Article:
        """Save ``pending`` into the live article, as ``request.user``, and delete it.

        Raises ``CannotPublish``, with nothing written, if the user may not
        publish, the change is gone or was saved again since the publisher saw
        it (``seen``: its ``updated_at``, ISO), the live article was saved
        since the change was made from it, or the change no longer passes the form.
        """
        with changes.recording():
            reversion.set_user(request.user)
            # The article's row is held until the end: no save slips in between the checks and the write.
            article = Article.objects.select_for_update().filter(pk=pending.article_id).order_by().first()
            current = PendingChange.objects.select_related("author").filter(pk=pending.pk).first()
            if article is None or current is None:
                raise CannotPublish("This pending change was already published or discarded.")
            if not may_apply_directly(request, article):
                raise CannotPublish(f"{request.user} may not publish articles.")
            if seen is not None and seen != current.updated_at.isoformat():
                raise CannotPublish(
                    "The pending change was saved again since you opened it; review it again before publishing."
                )
            if article.edit_version != current.base_edit_version:
                raise CannotPublish(
                    f"The live article was saved since {current.author} made this change, so publishing it "
                    "would undo that save. Ask them to re-open the article and save their change again."
                )
            replay = self.replay_pending(request, current, article)
            if not replay.valid:
                raise CannotPublish(
                    "The pending change no longer passes the article form's checks: "
                    + "; ".join(replay.errors())
                )
            # Whoever deletes the row publishes it: a second publisher or worker finds nothing to delete.
            claimed, _ = PendingChange.objects.filter(pk=current.pk, updated_at=current.updated_at).delete()
            if not claimed:
                raise CannotPublish("This pending change was already published or discarded.")
            posted, form, formsets = replay.request, replay.form, replay.formsets
            self.save_model(posted, replay.article, form, True)
            self.save_related(posted, form, formsets, True)
            message = self.construct_change_message(posted, form, formsets, False)
            self.log_change(posted, replay.article, message)
            reversion.set_comment(f"Published the pending change by {current.author}")
        return replay.article

    # Pages ------------------------------------------------------------------------------

    def pending_urls(self) -> list:
        """The pending change's pages, for ``ArticleAdmin.get_urls`` (before its own ``…/preview/``)."""

        def view(fn, suffix):
            name = "articles_article_pending" + ("_" + suffix.strip("/") if suffix else "")
            return path(f"<path:object_id>/pending/{suffix}", self.admin_site.admin_view(fn), name=name)

        return [
            view(self.pending_view, ""),
            view(self.pending_preview_view, "preview/"),
            view(self.pending_publish_view, "publish/"),
            view(self.pending_schedule_view, "schedule/"),
            view(self.pending_discard_view, "discard/"),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # ``has_pending`` comes with the article (get_queryset): a page without one costs no query.
        if obj is not None and getattr(obj, "has_pending", False):
            context["pending_change"] = (
                PendingChange.objects.select_related("author", "scheduled_by").filter(article=obj).first()
            )
            context["may_publish"] = may_apply_directly(request, obj)
            context["schedule_form"] = ScheduleForm()
            pending = context["pending_change"]
            if pending is not None and request.method == "GET" and not context["may_publish"]:
                self._show_pending_in_form(request, context, pending, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _show_pending_in_form(self, request, context, pending: PendingChange, obj: Article) -> None:
        """The form filled with the pending change, for someone whose save replaces it.

        An editor goes on from the pending version rather than from the live
        one, so a second save keeps the first one's edits. The forms are bound
        to the kept data, as if it had just been posted.
        """
        replay = self.replay_pending(request, pending, copy.copy(obj))
        self._show_kept_in_form(request, context, replay, obj)
        context["form_shows_pending"] = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(has_pending=Exists(PendingChange.objects.filter(article=OuterRef("pk"))))
        )

    def get_list_display(self, request):
        return [*super().get_list_display(request), "pending_state"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), HasPendingFilter]

    @admin.display(description="Pending changes", boolean=True, ordering="has_pending")
    def pending_state(self, obj: Article) -> bool:
        return obj.has_pending

    def _article_and_pending(self, request, object_id) -> tuple[Article, PendingChange]:
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        pending = (
            PendingChange.objects.select_related("author", "scheduled_by").filter(article=article).first()
        )
        return article, pending

    def _back(self, article: Article) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def pending_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The diff between the live article and its pending change."""
        article, pending = self._article_and_pending(request, object_id)
        if pending is None:
            messages.info(request, "This article has no pending change.")
            return self._back(article)
        live_clients = [s.mail_client for s in article.client_sections.select_related("mail_client")]
        live = copy.copy(article)
        replay = self.replay_pending(request, pending, article)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Pending change to “{live}”",
            "article": live,
            "pending": pending,
            "diff": pending_diff(live, live_clients, replay.article, replay.clients),
            "errors": [] if replay.valid else replay.errors(),
            "stale": live.edit_version != pending.base_edit_version,
            "may_publish": may_apply_directly(request, live),
            "schedule_form": ScheduleForm(initial={"publish_at": pending.publish_at}),
        }
        return render(request, "admin/articles/pending/diff.html", context)

    def pending_preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The pending version exactly as readers will see it once it is published."""
        article, pending = self._article_and_pending(request, object_id)
        if pending is None:
            messages.info(request, "This article has no pending change.")
            return self._back(article)
        replay = self.replay_pending(request, pending, article)
        response = render_article(request, replay.article, preview=True, clients=replay.clients)
        response["X-Robots-Tag"] = "noindex"
        return response

    def _publisher_post(self, request: HttpRequest, object_id: str) -> tuple[Article, PendingChange | None]:
        article, pending = self._article_and_pending(request, object_id)
        if not (self.has_change_permission(request, article) and may_apply_directly(request, article)):
            raise PermissionDenied
        return article, pending

    @staticmethod
    def _no_pending(request, article):
        messages.error(request, "This article has no pending change: it was already published or discarded.")

    @method_decorator(require_POST)
    def pending_publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article, pending = self._publisher_post(request, object_id)
        if pending is None:
            self._no_pending(request, article)
            return self._back(article)
        try:
            self.publish_pending(request, pending, seen=request.POST.get("seen"))
        except CannotPublish as refusal:
            messages.error(request, str(refusal))
            return self._back(article)
        messages.success(request, "Published the pending change: readers see it now.")
        return self._back(article)

    @method_decorator(require_POST)
    def pending_schedule_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article, pending = self._publisher_post(request, object_id)
        if pending is None:
            self._no_pending(request, article)
            return self._back(article)
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("publish_at", []):
                messages.error(request, error)
            return self._back(article)
        publish_at = form.cleaned_data["publish_at"]
        updated = PendingChange.objects.filter(pk=pending.pk, updated_at=pending.updated_at).update(
            publish_at=publish_at, scheduled_by=request.user, problem=""
        )
        if not updated:
            messages.error(
                request, "The pending change was saved again since you opened it; review it again."
            )
            return self._back(article)
        # Enqueued once the time is stored: a worker woken early finds the change and its time.
        transaction.on_commit(lambda: publish_pending_at.schedule(args=(pending.pk,), eta=publish_at))
        messages.success(
            request,
            f"The pending change will be published at {timezone.localtime(publish_at):%Y-%m-%d %H:%M}.",
        )
        return self._back(article)

    @method_decorator(require_POST)
    def pending_discard_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article, pending = self._article_and_pending(request, object_id)
        # A publisher discards any pending change; its author may withdraw their own.
        may_discard = (
            pending is None or request.user == pending.author or may_apply_directly(request, article)
        )
        if not (may_discard and self.has_change_permission(request, article)):
            raise PermissionDenied
        if pending is None or not PendingChange.objects.filter(pk=pending.pk).delete()[0]:
            self._no_pending(request, article)
        else:
            messages.success(request, "Discarded the pending change; the live article is as it was.")
        return self._back(article)


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Publish at",
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "aria-describedby": "publish_at_help"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text="In the site's time zone. The worker publishes the change at that minute.",
    )

    def clean_publish_at(self):
        value = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise forms.ValidationError(
                "The time to publish at must be in the future; to publish now, use “Publish now”.",
                code="past",
            )
        return value


class HasPendingFilter(admin.SimpleListFilter):
    title = "pending changes"
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [("yes", "Has pending changes"), ("no", "No pending changes")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_pending=True)
        if self.value() == "no":
            return queryset.filter(has_pending=False)
        return queryset
