"""One rule for the anchors of an article's headings, shared by the page and by search.

Every heading in an article body gets a stable ``id`` made from its text, or
from the ``{#id}`` staff wrote after it (attr_list syntax), passed through the
same rule so no staff-typed id can carry anything but ``[a-z0-9-]``. The page
already uses some ids of its own (a mail client's section is ``#gmail``, the IT
section ``#it``), so a heading whose anchor would collide with one of those, or
with an earlier heading, gets ``-2``, ``-3`` … in document order. Search indexes
the same sections under the same anchors, because both read them from
``HeadingAnchors`` as it runs inside the one Markdown converter.

Python-Markdown's own ``toc`` extension is not used for the ids: it cannot be
told about ids the page template owns (it only sees the document), and its
duplicate suffix (``_1``) would differ from the rule above. Its output is a
nested ``<ul>`` we would have to take apart again for the sticky contents.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import strip_tags
from markdown import Extension
from markdown.treeprocessors import Treeprocessor

# Ids that article.html and its includes give to elements of their own; the
# ``-heading`` form of each is reserved too (``senders-heading`` …).
PAGE_IDS = frozenset(
    {
        "main",
        "top",
        "content",
        "contents",
        "it",
        "it-downloads",
        "it-details",
        "link-status",
        "range-caption-primary",
        "range-caption-additional",
        "senders",
        "ranges",
        "settings",
        "downloads",
        "facts",
        "clients",
        "mail-programs",
        "article-title",
        "hero",
        "results",
        "articles",
        "vendors",
        "popular",
        "feedback",
        "still-stuck",
        "related",
        "search-q",
        "q",
    }
)

MAX_ANCHOR_LENGTH = 64
_NOT_ANCHOR = re.compile(r"[^a-z0-9]+")
_HEADING = re.compile(r"^h([1-6])$")


def slug(text: str) -> str:
    """The anchor for a heading's text: lower-case ASCII letters, digits and single hyphens.

    Accents fall to their base letter ("Réglages" → ``reglages``); a heading
    with nothing left (only symbols, or another script) is ``section``.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    anchor = _NOT_ANCHOR.sub("-", ascii_text.lower()).strip("-")[:MAX_ANCHOR_LENGTH].strip("-")
    return anchor or "section"


def _with_headings(anchors: Iterable[str]) -> frozenset[str]:
    return frozenset(anchor for taken in anchors for anchor in (taken, f"{taken}-heading"))


# Built once: every text of a page is converted with at least these reserved.
_PAGE_RESERVED = _with_headings(PAGE_IDS)


def reserved_ids(client_slugs: Iterable[str] = ()) -> frozenset[str]:
    """The ids a body heading may not take on a page showing these mail clients' sections."""
    return _PAGE_RESERVED | _with_headings(client_slugs)


def unique(anchor: str, used: set[str]) -> str:
    """``anchor``, or the first of ``anchor-2``, ``anchor-3`` … not in ``used``; adds it to ``used``."""
    candidate, number = anchor, 1
    while candidate in used:
        number += 1
        candidate = f"{anchor}-{number}"
    used.add(candidate)
    return candidate


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    title: str


@dataclass
class HeadingSection:
    """A heading and the text under it, up to the next heading of any level.

    ``heading`` is None for the text before the first heading.
    """

    heading: Heading | None
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(" ".join(part.split()) for part in self.text_parts if part.strip())


def _text(element: ET.Element) -> str:
    return "".join(element.itertext())


# Raw HTML in Markdown stands in the tree as a placeholder until the end of the
# conversion; a section's text takes the stashed HTML's words instead.
_STASHED = re.compile(r"\x02wzxhzdk:(\d+)\x03")


class HeadingAnchorsProcessor(Treeprocessor):
    """Gives every heading its anchor and records the headings and their sections on the converter."""

    def __init__(self, md, extension: HeadingAnchors):
        super().__init__(md)
        self.extension = extension

    def run(self, root: ET.Element) -> None:
        used = set(self.extension.reserved)
        headings: list[Heading] = []
        sections = [HeadingSection(None)]
        for element in root.iter():
            match = _HEADING.match(element.tag) if isinstance(element.tag, str) else None
            if not match:
                continue
            title = " ".join(_text(element).split())
            anchor = unique(slug(element.get("id") or title), used)
            element.set("id", anchor)
            headings.append(Heading(int(match.group(1)), anchor, title))
        by_element = dict(zip((el for el in root.iter() if _is_heading(el)), headings, strict=True))
        for child in root:
            if child in by_element:
                sections.append(HeadingSection(by_element[child]))
            else:
                sections[-1].text_parts.append(self._unstash(_text(child)))
        self.md.headings = headings
        self.md.heading_sections = [s for s in sections if s.heading is not None or s.text]

    def _unstash(self, text: str) -> str:
        blocks = self.md.htmlStash.rawHtmlBlocks

        def words(match: re.Match) -> str:
            index = int(match.group(1))
            return strip_tags(str(blocks[index])) if index < len(blocks) else ""

        return _STASHED.sub(words, text)


def _is_heading(element: ET.Element) -> bool:
    return isinstance(element.tag, str) and bool(_HEADING.match(element.tag))


class HeadingAnchors(Extension):
    """``markdown.Markdown(extensions=[HeadingAnchors()])``; set ``reserved`` before each convert."""

    def __init__(self, **kwargs):
        self.reserved: frozenset[str] = frozenset()
        super().__init__(**kwargs)

    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's name
        md.headings = []
        md.heading_sections = []
        # After attr_list (priority 8), which moves "{#id}" into the attribute.
        md.treeprocessors.register(HeadingAnchorsProcessor(md, self), "heading_anchors", 5)
        md.registerExtension(self)

    def reset(self) -> None:
        self.reserved = frozenset()
