"""What a revision keeps: each edited object, following the rows edited on its page.

Registered once, from the app's ``ready()``. The roots are what staff open in
the admin; the followed rows are saved inside the root's revision, so one
revision is one save of the whole page.
"""

from __future__ import annotations

import reversion

from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.search.models import PromotedResult, Synonym

#: Each root and the related rows its admin page edits with it.
ROOTS = {
    Vendor: ("sender_addresses", "sender_domains", "ip_ranges"),
    Article: ("client_sections",),
    StepList: ("steps",),
    MailClient: (),
    Synonym: (),
    PromotedResult: (),
}
#: Rows kept only inside their root's revision.
FOLLOWED = (SenderAddress, SenderDomain, IPRange, ArticleClient, Step)


def register_models() -> None:
    for model, follow in ROOTS.items():
        if not reversion.is_registered(model):
            reversion.register(model, follow=follow)
    for model in FOLLOWED:
        if not reversion.is_registered(model):
            reversion.register(model)


def root_of(instance) -> tuple[type, int] | None:
    """The root whose revision keeps ``instance``: (model, pk), or None if nothing keeps it."""
    if isinstance(instance, SenderAddress | SenderDomain | IPRange):
        return Vendor, instance.vendor_id
    if isinstance(instance, ArticleClient):
        return Article, instance.article_id
    if isinstance(instance, Step):
        return StepList, instance.step_list_id
    if type(instance) in ROOTS and instance.pk is not None:
        return type(instance), instance.pk
    return None
