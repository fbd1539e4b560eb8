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
IT_TEMPLATE = "articles/includes/it_section.html"


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


def _key(kind: str, inputs: dict) -> str:
    return fragments.fragment_key(kind, json.dumps(inputs, sort_keys=True, default=str), facts="")


def _page_inputs(page: ArticlePage, end: EndMatter) -> dict:
    """What both kinds of section read of the page beyond their own parts."""
    return {
        "vendor": None if page.vendor is None else [page.vendor.slug, page.vendor.name],
        "has": [bool(page.addresses), bool(page.domains)],
        "support": None if end.support is None else dataclasses.astuple(end.support),
        "article": page.article.pk,
    }


def _section_key(
    page: ArticlePage, end: EndMatter, section: ClientSection, others: list[ClientSection] | None
) -> str:
    client = section.client
    return _key(
        "section",
        {
            "template": template_digest(TEMPLATE),
            "client": [client.slug, client.name, client.label, client.audience],
            "intro": section.intro,
            "steps": section.steps,
            "others": None if others is None else [[other.anchor, other.client.label] for other in others],
            **_page_inputs(page, end),
        },
    )


def _it_key(page: ArticlePage, end: EndMatter) -> str:
    """The IT section's: the vendor's counts and, when it lists them, its ranges, and the IT sections in it."""
    ranges = page.inlines_ranges
    return _key(
        "it",
        {
            "template": template_digest(IT_TEMPLATE),
            "counts": [page.fact_counts, page.range_count, ranges, page.shows_senders],
            "tiers": [
                [tier.tier, str(tier.label)]
                + [[r.network, r.display, r.version, r.added_on, r.public_note] for r in tier.ranges]
                for tier in page.tiers
            ]
            if ranges
            else None,
            "sections": [section.html for section in page.it_sections],
            **_page_inputs(page, end),
        },
    )


def render_sections(page: ArticlePage, end: EndMatter) -> None:
    """Set ``html`` on each of the page's sections, and ``it_html``: from the cache, rendered only where missing."""
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
    if page.article.show_it_section:
        # A second round trip: its key holds the IT sections' HTML, known only now.
        it = fragments.Batch()
        key = it.add(
            _it_key(page, end), lambda: loader.render_to_string(IT_TEMPLATE, {"page": page, "end": end})
        )
        it.resolve()
        page.it_html = it.result(key)
