"""What a write sets off, said where the write is, and carried out once.

Readers see two things derived from what staff write:

- a vendor's ``facts_changed_at``: the ``Last-Modified`` and ``createDate`` of
  its downloads. It moves when an address, domain or range of the vendor
  changes, or its name, slug or website (the downloads name the vendor);
- the search documents of the articles a change reaches (``search.index``);
- the pages kept in the cache: any change moves the site's generation on
  (``pagecache.keys.bump``), as the block ends and again on commit.

Every write path (a service, an admin save, an admin action, the import) names
what it wrote with ``written()`` or one of the functions below. Outside
``recording()`` the consequences are carried out at once; inside it (one admin
request, one import, one paste) they are collected and carried out once, when
the block ends, inside the caller's transaction: the vendor row is touched once
and each affected article is re-indexed once, however many rows were written.

This is the one place that decides "a vendor's facts changed". There are no
signal receivers for our own models: a write that is not named here changes
nothing derived, which is why every write goes through a service.

It is also where each edit is kept. A ``recording()`` block is one revision
(django-reversion, see articles/revisions/): at its end every root object the
block wrote to (a vendor for its facts, an article for its sections, a step
list for its steps, a mail client, a synonym group, a promotion) has its
``edit_version`` moved on by one, in one UPDATE per model, and is added to the
revision as it now stands, with the rows it follows. A form loaded at an older
``edit_version`` is refused (articles/admin/locking.py). The caller names who
and why with ``reversion.set_user()`` and ``reversion.set_comment()``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import reversion
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.notify.announce import announce
from articles.pagecache import keys as page_keys
from articles.revisions.registry import root_of
from articles.search import index


@dataclass
class Pending:
    """The consequences collected so far in one ``recording()`` block."""

    facts: set[int] = field(default_factory=set)  # vendors whose published facts changed
    articles: set[int] = field(default_factory=set)  # articles to re-index
    steps: set[tuple[int, int | None]] = field(default_factory=set)  # (mail client, vendor or None)
    roots: set[tuple[type, int]] = field(default_factory=set)  # edited objects: (model, pk)

    def __bool__(self) -> bool:
        return bool(self.facts or self.articles or self.steps or self.roots)


_pending: ContextVar[Pending | None] = ContextVar("changes_pending", default=None)


@contextmanager
def recording() -> Iterator[Pending]:
    """Collect what the writes in the block set off; carry it out once at the end.

    The block runs in a transaction, and so does what it sets off: if the block
    fails, nothing is carried out and everything rolls back together.
    """
    current = _pending.get()
    if current is not None:
        yield current
        return
    pending = Pending()
    token = _pending.set(pending)
    try:
        with transaction.atomic(), reversion.create_revision(manage_manually=True, atomic=False):
            yield pending
            _pending.reset(token)
            token = None
            _carry_out(pending)
            if pending:
                # Now, for this process's next request, and again once the writes are
                # visible to all: a page rendered from the old rows in between is not served.
                page_keys.bump()
                transaction.on_commit(page_keys.bump)
    finally:
        if token is not None:
            _pending.reset(token)


def _record(**parts: Collection) -> None:
    pending = _pending.get()
    if pending is None:
        with recording() as pending:
            _add(pending, parts)
    else:
        _add(pending, parts)


def _add(pending: Pending, parts) -> None:
    for name, values in parts.items():
        getattr(pending, name).update(values)


def facts_changed(vendor_id: int) -> None:
    """A sender address, domain or range of this vendor, or its name, slug or website, changed."""
    _record(facts=[vendor_id], roots=[(Vendor, vendor_id)])


def article_changed(article_id: int) -> None:
    """An article's own fields or its client sections changed."""
    _record(articles=[article_id], roots=[(Article, article_id)])


def steps_changed(mail_client_id: int, vendor_id: int | None) -> None:
    """A step list changed: the generic one (``vendor_id`` None) or a vendor's own."""
    _record(steps=[(mail_client_id, vendor_id)])


def client_changed(mail_client_id: int) -> None:
    """A mail client's name or description changed: every article showing it."""
    steps_changed(mail_client_id, None)


def written(instance: models.Model, *, fields: Collection[str] | None = None) -> None:
    """Say that ``instance`` was saved or deleted; ``fields`` are the changed ones (None: any)."""
    root = root_of(instance)
    if root is not None:
        _record(roots=[root])
    if isinstance(instance, SenderAddress | SenderDomain | IPRange):
        facts_changed(instance.vendor_id)
    elif isinstance(instance, Vendor):
        if instance.pk is not None and (fields is None or set(fields) & set(Vendor.FACT_FIELDS)):
            facts_changed(instance.pk)
    elif isinstance(instance, Article):
        if instance.pk is not None:
            article_changed(instance.pk)
    elif isinstance(instance, ArticleClient):
        article_changed(instance.article_id)
    elif isinstance(instance, StepList):
        steps_changed(instance.mail_client_id, instance.vendor_id)
    elif isinstance(instance, Step):
        step_list = instance.step_list
        steps_changed(step_list.mail_client_id, step_list.vendor_id)
    elif isinstance(instance, MailClient):
        client_changed(instance.pk)


def edited(model: type, pk: int) -> None:
    """An edited object (a root of ``revisions.registry``) was written without a model instance at hand."""
    _record(roots=[(model, pk)])


def _carry_out(pending: Pending) -> None:
    if not pending:
        return
    _keep_revision(pending.roots, facts=pending.facts)
    if pending.facts:
        # Word of the change, written with it: outbox mails and webhook deliveries (notify/announce.py).
        announce(pending.facts)
    articles = set(pending.articles)
    if pending.facts:
        articles.update(Article.objects.filter(vendor__in=pending.facts).values_list("pk", flat=True))
    if pending.steps:
        articles.update(_showing_steps(pending.steps))
    # An article deleted in the block has lost its document with its row.
    index.reindex(articles)


def _keep_revision(roots: set[tuple[type, int]], *, facts: set[int]) -> None:
    """Move each root's edit version on, and the "facts changed" time of ``facts``; keep the revision."""
    by_model: dict[type, set[int]] = {}
    for model, pk in roots:
        by_model.setdefault(model, set()).add(pk)
    for model, pks in by_model.items():
        manager = model._default_manager
        if model is Vendor and facts:
            # One UPDATE for the vendor row: its facts' time and its edit version together.
            manager.filter(pk__in=facts).update(
                facts_changed_at=timezone.now(), edit_version=F("edit_version") + 1
            )
            pks = pks - facts
        if pks:
            manager.filter(pk__in=pks).update(edit_version=F("edit_version") + 1)
        pks = by_model[model]
        if reversion.is_active():
            # As they now stand, after every write of the block; a root deleted in it has no row left.
            for obj in model._default_manager.filter(pk__in=pks):
                reversion.add_to_revision(obj)


def _showing_steps(steps: set[tuple[int, int | None]]) -> set[int]:
    """Articles with a section for one of these clients: only one vendor's where the steps are its own."""
    condition = models.Q()
    for mail_client_id, vendor_id in steps:
        one = models.Q(client_sections__mail_client_id=mail_client_id)
        if vendor_id is not None:
            one &= models.Q(vendor_id=vendor_id)
        condition |= one
    return set(Article.objects.filter(condition).values_list("pk", flat=True).distinct())
