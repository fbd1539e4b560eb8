"""Who may do what in the admin: the rules of the Editor and Publisher roles, in one place.

An Editor prepares: creates and edits drafts, adds facts to a vendor no
reader sees yet. A Publisher also decides what readers see: publishes,
schedules and unpublishes articles, retires ranges and changes the facts of a
public vendor. The groups and their permissions are created by migration
0009; the model admins ask these functions rather than spelling out
permission names, so that a rule reads the same in every view, action and
template.

What "readers see" means is the same rule as the public site's: a published
article (scheduled ones included: they appear on their own, with no further
write), a vendor with a public article (``content.visibility``), a generic
step list or a vendor's own one once the vendor is public, any mail client
(every public article can show it), and the rows kept with those (a range of a
public vendor, a step of a generic list, a section of a published article).
It is judged on the stored row, not on what a form is about to write, so that
a form cannot make an object private on the way in.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest

from articles.content.models import Article, MailClient, StepList
from articles.content.visibility import public_vendors_only
from articles.facts.models import Vendor
from articles.revisions.registry import root_of

User = AbstractBaseUser | AnonymousUser

PUBLISH_ARTICLE = "articles.publish_article"
CHANGE_PUBLISHED_FACTS = "articles.change_published_facts"
RETIRE_IPRANGE = "articles.retire_iprange"


def can_publish(user: User) -> bool:
    """Publish, schedule and unpublish articles; change what readers see of steps and mail clients."""
    return user.has_perm(PUBLISH_ARTICLE)


def can_change_published_facts(user: User) -> bool:
    """Change the addresses, domains and ranges of a vendor readers can see."""
    return user.has_perm(CHANGE_PUBLISHED_FACTS)


def can_retire(user: User) -> bool:
    """Give a range a retirement date, taking it out of the published lists on that day."""
    return user.has_perm(RETIRE_IPRANGE)


def _vendor_is_public(vendor_id: int | None) -> bool:
    return vendor_id is not None and public_vendors_only(Vendor.objects.filter(pk=vendor_id)).exists()


def _root_is_seen(model: type[models.Model], pk: int) -> bool:
    if model is Article:
        return Article.objects.filter(pk=pk, status=Article.Status.PUBLISHED).exists()
    if model is Vendor:
        return _vendor_is_public(pk)
    if model is StepList:
        row = StepList.objects.filter(pk=pk).values("vendor_id").first()
        return row is not None and (row["vendor_id"] is None or _vendor_is_public(row["vendor_id"]))
    return model is MailClient and MailClient.objects.filter(pk=pk).exists()


def is_seen_by_readers(obj: models.Model) -> bool:
    """Whether readers see ``obj`` (or the object it is kept with) as it is stored now.

    A row not saved yet is judged by where it is going: a new range of a
    public vendor is seen, a new generic step list is seen (public articles
    show it at once), a new vendor, article or mail client is not.
    """
    if isinstance(obj, StepList) and obj.pk is None:
        return obj.vendor_id is None or _vendor_is_public(obj.vendor_id)
    root = root_of(obj)  # a new row of a new vendor, article or step list has no root yet
    return root is not None and root[1] is not None and _root_is_seen(*root)


def permission_to_change(obj: models.Model) -> str:
    """The permission that lets a change to ``obj`` reach readers directly."""
    root = root_of(obj)
    model = root[0] if root is not None else type(obj)
    return CHANGE_PUBLISHED_FACTS if model is Vendor else PUBLISH_ARTICLE


def may_apply_directly(request: HttpRequest, obj: models.Model | None) -> bool:
    """Whether the signed-in user's change to ``obj`` may be written as it is.

    True for what readers do not see, and for a user with the publishing
    permission for it. Otherwise the change must wait for a Publisher: the
    pending changes (articles/admin/pending.py) keep it aside; without them,
    the change is refused.
    """
    if obj is None:
        return True
    # The permission first: it is cached on the user, while what readers see is a query.
    return request.user.has_perm(permission_to_change(obj)) or not is_seen_by_readers(obj)


def may_post_change(request: HttpRequest, obj: models.Model | None) -> bool:
    """For ``has_change_permission``: anyone may open an object; a POST that would change a public one needs the right.

    A GET (opening, preparing, the change list) is left to the usual
    permissions; a POST to a public object without the publishing permission
    is answered 403 by the admin's own check, before any form is saved.
    """
    return request.method != "POST" or may_apply_directly(request, obj)
