"""The mail-client sections of an article page as HTML, each rendered once per set of inputs.

A section is most of a guide's page (its steps, the "Not your mail program?"
links, "Still stuck?", the feedback form) and most of the time spent in its
template, so its HTML is a fragment of its own (``fragments``), kept beside
the Markdown it holds. Its key names everything ``client_section.html`` and
the templates it includes read: the mail client, its intro and steps as
rendered, the other
sections it links to, what the page knows of the vendor (name, slug, whether
it lists addresses and domains), whom a stuck reader can ask, the article,
and the source of the templates themselves, so that a deploy changing them
asks for new keys. Each of those is on the page already: the key needs no
query, and any change to one (an edit, a fact coming due) gives a new key.

The section is rendered without the request, so nothing of the reader can
reach the kept HTML.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import cache

from django.template import loader
from django.template.loader_tags import IncludeNode

from articles.content import fragments
from articles.content.end_matter import EndMatter
from articles.content.rendering import ArticlePage, ClientSection

TEMPLATE = "articles/includes/client_section.html"


@cache
def template_digest(name: str) -> str:
    """The source of template ``name`` and of the templates it includes by name, digested once per process."""
    digest = hashlib.blake2b(digest_size=16)
    pending, seen = [name], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        template = loader.get_template(current).template
        digest.update(template.source.encode())
        for node in template.nodelist.get_nodes_by_type(IncludeNode):
            if isinstance(node.template.var, str):  # a name typed in the tag, not a variable
                pending.append(node.template.var)
    return digest.hexdigest()


def _section_key(
    page: ArticlePage, end: EndMatter, section: ClientSection, others: list[ClientSection] | None
) -> str:
    client = section.client
    inputs = {
        "template": template_digest(TEMPLATE),
        "client": [client.slug, client.name, client.label, client.audience],
        "intro": section.intro,
        "steps": section.steps,
        "others": None if others is None else [[other.anchor, other.client.label] for other in others],
        "vendor": None if page.vendor is None else [page.vendor.slug, page.vendor.name],
        "has": [bool(page.addresses), bool(page.domains)],
        "support": None if end.support is None else dataclasses.astuple(end.support),
        "article": page.article.pk,
    }
    return fragments.fragment_key("section", json.dumps(inputs, sort_keys=True), facts="")


def render_sections(page: ArticlePage, end: EndMatter) -> None:
    """Set ``html`` on each of the page's sections: from the cache, rendered only where missing."""
    batch = fragments.Batch()
    planned = []
    for others, sections in ((page.person_sections, page.person_sections), (None, page.it_sections)):
        for section in sections:
            context = {"section": section, "others": others, "page": page, "end": end}
            key = batch.add(
                _section_key(page, end, section, others),
                lambda context=context: loader.render_to_string(TEMPLATE, context),
            )
            planned.append((section, key))
    batch.resolve()
    for section, key in planned:
        section.html = batch.result(key)
