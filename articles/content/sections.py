"""The mail-client sections and the IT section of an article page as HTML, each rendered once per set of inputs.

A mail-client section is most of a guide's page (its steps, the "Not your
mail program?" links, "Still stuck?", the feedback form) and most of the time
spent in its template, so its HTML is a fragment of its own (``fragments``),
kept beside the Markdown it holds; so is the IT section around the IT ones.
A key names everything the template and the templates it includes read: the
mail client, its intro and steps as rendered, the other sections it links
to, what the page knows of the vendor (name, slug, its counts, whether it
lists addresses and domains, the ranges the IT section shows), whom a stuck
reader can ask, the article, and the source of the templates themselves, so
that a deploy changing them asks for new keys. Each of those is on the page
already: the key needs no query, and any change to one (an edit, a fact
coming due) gives a new key.

A section is rendered without the request, so nothing of the reader can
reach the kept HTML.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from weakref import WeakKeyDictionary

from django.template import Template, loader
from django.template.loader_tags import IncludeNode

from articles.content import fragments
from articles.content.end_matter import EndMatter
from articles.content.rendering import ArticlePage, ClientSection

TEMPLATE = "articles/includes/client_section.html"
IT_TEMPLATE = "articles/includes/it_section.html"


#: Each loaded template's digest: a template edited in development is loaded
#: again (the loaders are reset), so it is digested again.
_digests: WeakKeyDictionary[Template, str] = WeakKeyDictionary()


def template_digest(name: str) -> str:
    """The source of template ``name`` and of the templates it includes by name, digested."""
    top = loader.get_template(name).template
    if top not in _digests:
        digest = hashlib.blake2b(digest_size=16)
        pending, seen = [top], set()
        while pending:
            template = pending.pop()
            digest.update(template.source.encode())
            for node in template.nodelist.get_nodes_by_type(IncludeNode):
                included = node.template.var
                if isinstance(included, str) and included not in seen:  # a name typed in the tag
                    seen.add(included)
                    pending.append(loader.get_template(included).template)
        _digests[top] = digest.hexdigest()
    return _digests[top]


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
    shared: dict, template: str, section: ClientSection, others: list[ClientSection] | None
) -> str:
    client = section.client
    return _key(
        "section",
        {
            "template": template,
            "client": [client.slug, client.name, client.label, client.audience],
            "intro": section.intro,
            "steps": section.steps,
            "others": None if others is None else [[other.anchor, other.client.label] for other in others],
            **shared,
        },
    )


def _it_key(shared: dict, page: ArticlePage) -> str:
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
            **shared,
        },
    )


def render_sections(page: ArticlePage, end: EndMatter) -> None:
    """Set ``html`` on each of the page's sections, and ``it_html``: from the cache, rendered only where missing."""
    shared = _page_inputs(page, end)
    template = template_digest(TEMPLATE)
    batch = fragments.Batch()
    planned = []
    for others, sections in ((page.person_sections, page.person_sections), (None, page.it_sections)):
        for section in sections:
            context = {"section": section, "others": others, "page": page, "end": end}
            key = batch.add(
                _section_key(shared, template, section, others),
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
            _it_key(shared, page), lambda: loader.render_to_string(IT_TEMPLATE, {"page": page, "end": end})
        )
        it.resolve()
        page.it_html = it.result(key)
