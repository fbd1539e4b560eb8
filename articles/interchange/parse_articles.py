"""Reading the ``articles`` part of a help center file.

An article may name a vendor and mail clients listed earlier or later in the
file, or already in the help center; ``Reader`` knows both sets of slugs
before the first article is read.
"""

from __future__ import annotations

import yaml

from articles.content.models import Article
from articles.interchange.locations import Place
from articles.interchange.nodes import Mapping
from articles.interchange.parse_reader import FirstSeen, Reader
from articles.interchange.schema import ARTICLE_KEYS, ArticleEntry

#: The keys of an article that are its own fields; ``vendor`` and ``clients`` are references.
_FIELDS = tuple(key for key in ARTICLE_KEYS if key not in ("vendor", "clients"))


def read_article(reader: Reader, node: yaml.Node, place: Place) -> ArticleEntry:
    """One item of ``articles``."""
    mapping = Mapping(reader.problems, node, place, ARTICLE_KEYS, "article")
    entry = ArticleEntry(place=place, places=mapping.places())
    if not mapping.ok:
        return entry
    entry.vendor = mapping.text("vendor") or None
    if entry.vendor and entry.vendor not in reader.file_vendors | reader.stored_vendors:
        mapping.error(
            "vendor",
            f"There is no vendor “{entry.vendor}” in this file or in the help center. Check the "
            f"spelling, add the vendor under “vendors”, or leave “vendor” out for a general article.",
            "unknown_vendor",
        )
    entry.slug = mapping.text("slug", required=True)
    entry.kind = mapping.choice("kind", Article.Kind, Article.Kind.GUIDE)
    entry.title = mapping.text("title", required=True)
    entry.summary = mapping.text("summary")
    entry.status = mapping.choice("status", Article.Status, Article.Status.DRAFT)
    entry.published_at = mapping.datetime("published_at")
    entry.reviewed_on = mapping.date("reviewed_on")
    entry.updated_at = mapping.past_datetime("updated_at")
    entry.show_it_section = mapping.boolean("show_it_section")
    entry.unsupported = mapping.boolean("unsupported")
    entry.unsupported_note = mapping.text("unsupported_note")
    entry.body = mapping.text("body")
    seen = FirstSeen(reader, "The mail client")
    for slug, client_place in mapping.text_items("clients", "mail client"):
        reader.check_client(slug, client_place)
        if seen.is_new(slug, client_place):
            entry.clients.append(slug)
    reader.clean_entry(Article(**entry.values(*_FIELDS)), entry, mapping, exclude=["vendor"])
    return entry
