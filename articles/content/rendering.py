"""Turning an article and its vendor's facts into safe HTML.

Markdown from staff goes through Python-Markdown (the same engine
django-markdownx previews with) and then through nh3, a binding to the Ammonia
sanitiser, so nothing staff type can run script or load from elsewhere. The
functions here take objects the view has already loaded; they run no queries.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from html import unescape

import markdown
import nh3
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.content import fragments
from articles.content.anchors import Heading, HeadingAnchors, HeadingSection, reserved_ids
from articles.content.models import Article, MailClient, StepList
from articles.content.placeholders import EXAMPLE_FACTS, placeholder_names, substitute, unknown_placeholders
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor

# "extra" brings attr_list, through which staff write a heading's anchor as
# "## Heading {#anchor}"; "admonition" gives callouts ("!!! note", "!!! tip",
# "!!! warning", "!!! legacy"), which the admin's preview renders the same way.
MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "admonition"]
CALLOUT_KINDS = ("note", "tip", "warning", "legacy")

# Ammonia's defaults, less images: an <img> pointing elsewhere would be a
# third-party request on every page view.
ALLOWED_TAGS = (nh3.ALLOWED_TAGS - {"img"}) | {"kbd", "samp"}
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items() if tag in ALLOWED_TAGS},
    "code": {"class"},
    "th": {"align", "scope"},
    "td": {"align"},
    "div": {"class"},
    "p": {"class"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
URL_SCHEMES = {"http", "https", "mailto"}
_CALLOUT_CLASSES = {"admonition", "admonition-title", *CALLOUT_KINDS}

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def escape_markdown(text: str) -> str:
    """Backslash-escape what Markdown would otherwise read as formatting."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


#: The anchors the heading ids of the text being sanitised may take (``sanitise`` sets them per call).
_allowed_anchors: ContextVar[frozenset[str]] = ContextVar("allowed_anchors", default=frozenset())


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if value in _allowed_anchors.get() else None
    if attribute == "class" and tag in {"div", "p"}:
        classes = [name for name in value.split() if name in _CALLOUT_CLASSES]
        return " ".join(classes) or None
    return value


# Built once: ``nh3.clean`` builds its rules again on every call, which costs
# three times what cleaning a step with them does.
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_keep_attribute,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
)


def sanitise(html: str, anchors: Iterable[str] = ()) -> str:
    """nh3 with our allow-list; a heading keeps an ``id`` only if it is one of ``anchors``.

    The anchors are the ones ``HeadingAnchors`` gave while converting, so an id
    typed in raw HTML (or a class other than a callout's) never reaches a page.
    """
    token = _allowed_anchors.set(frozenset(anchors))
    try:
        return _CLEANER.clean(html)
    finally:
        _allowed_anchors.reset(token)


class _Converter(threading.local):
    """One Markdown converter per thread, reset between texts.

    Building a ``markdown.Markdown`` (loading its extensions) costs more than
    converting a short step; ``reset()`` gives the same output from a reused one.
    """

    def __init__(self):
        self.anchors = HeadingAnchors()
        self.md = markdown.Markdown(extensions=[*MARKDOWN_EXTENSIONS, self.anchors], output_format="html")


_converter = _Converter()


@dataclass(frozen=True)
class Rendered:
    """Sanitised HTML and the headings it holds, with their anchors and the text under each."""

    html: SafeString
    headings: list[Heading]
    sections: list[HeadingSection]


def _convert(text: str, facts: Mapping[str, str] | None, reserved: Iterable[str]) -> tuple[str, list, list]:
    md = _converter.md
    _converter.anchors.reserved = frozenset(reserved)
    try:
        html = md.convert(substitute(text, facts or {}))
        return html, list(md.headings), list(md.heading_sections)
    finally:
        md.reset()


_ANCHORED_HEADING = re.compile(r'(<h([1-6]) id="([a-z0-9-]+)">)(.*?)(</h\2>)', re.DOTALL)
_TABLE = re.compile(r"<table>(.*?)</table>", re.DOTALL)
_CALLOUT = re.compile(r'<div class="(admonition(?: [a-z]+)?)">')
_HEADER_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.DOTALL)


def _heading_link(match: re.Match) -> str:
    """A "link to this section" control at the end of an anchored heading (site.js copies its URL)."""
    opening, _, anchor, inner, closing = match.groups()
    name = escape(unescape(strip_tags(inner)).strip())
    return (
        f'{opening}{inner} <a class="heading-link" href="#{anchor}" data-copy-link>'
        f'<span aria-hidden="true">#</span><span class="visually-hidden">Link to the section “{name}”</span>'
        f"</a>{closing}"
    )


def _scroll_region(match: re.Match) -> str:
    """A table in a keyboard-reachable scroll region named after its columns (axe: scrollable-region-focusable)."""
    columns = ", ".join(unescape(strip_tags(cell)).strip() for cell in _HEADER_CELL.findall(match.group(1)))
    label = escape(f"Table: {columns}" if columns else "Table")
    return f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">{match.group(0)}</div>'


def decorate(html: str) -> str:
    """Sanitised HTML with heading links, scrollable tables and callouts as notes: markup of ours, added after nh3.

    Added after the sanitiser, which would (rightly) strip ``role`` and
    ``tabindex`` from staff text; every value put in here is an anchor the
    rule in anchors.py produced (``[a-z0-9-]``), a class the sanitiser kept, or escaped text.
    """
    html = _CALLOUT.sub(r'<div class="\1" role="note">', html)
    return _TABLE.sub(_scroll_region, _ANCHORED_HEADING.sub(_heading_link, html))


def render_document(
    text: str, facts: Mapping[str, str] | None = None, *, client_slugs: Iterable[str] = ()
) -> Rendered:
    """An article body: its HTML with anchored headings, and those headings (for contents and search).

    ``client_slugs``: the mail-client sections on the same page, whose anchors
    a heading may not take.
    """
    html, headings, sections = _convert(text, facts, reserved_ids(client_slugs))
    return Rendered(
        html=mark_safe(decorate(sanitise(html, (h.anchor for h in headings)))),  # noqa: S308 - sanitised here
        headings=headings,
        sections=sections,
    )


def render_markdown(text: str, facts: Mapping[str, str] | None = None) -> SafeString:
    """Markdown with placeholders filled from ``facts``, as sanitised HTML."""
    return render_document(text, facts).html


def markdownify_preview(content: str) -> str:
    """The admin's live preview: example facts stand in for the vendor's."""
    return render_markdown(content, EXAMPLE_FACTS)


_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_IMAGE_SOURCE = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


@dataclass(frozen=True)
class Preview:
    """What the admin's preview shows: the HTML readers would get, and what the writer should know.

    ``unknown_placeholders`` are the names a save refuses
    (``placeholders.validate_placeholders``); ``removed_images`` the address of
    each image the sanitiser took out (an empty string for one without).
    """

    html: SafeString
    unknown_placeholders: list[str]
    removed_images: list[str]


def render_preview(text: str, facts: Mapping[str, str] | None = None) -> Preview:
    """``render_markdown``'s output, with what it silently drops or leaves as typed."""
    html, headings, _ = _convert(text, facts, reserved_ids())
    # Markdown escapes "<img" typed inside code, so every match here is a real
    # image, from Markdown's ![](…) or raw HTML, that nh3 is about to remove.
    images = []
    for tag in _IMAGE.findall(html):
        source = _IMAGE_SOURCE.search(tag)
        address = next((group for group in source.groups() if group is not None), "") if source else ""
        images.append(unescape(address))
    return Preview(
        html=mark_safe(sanitise(html, (h.anchor for h in headings))),  # noqa: S308 - sanitised here
        unknown_placeholders=unknown_placeholders(text),
        removed_images=images,
    )


def vendor_facts(
    vendor: Vendor | None,
    addresses: Iterable[SenderAddress] = (),
    domains: Iterable[SenderDomain] = (),
    ranges: Iterable[IPRange] = (),
) -> dict[str, str]:
    """The placeholder values for one vendor, as Markdown-safe text."""
    if vendor is None:
        return {}
    addresses = list(addresses)
    domains = list(domains)
    facts = {
        "vendor": escape_markdown(vendor.name),
        "website": vendor.website,
        "range_count": str(len(list(ranges))),
    }
    if addresses:
        facts["primary_address"] = escape_markdown(addresses[0].address)
        facts["addresses"] = ", ".join(escape_markdown(a.address) for a in addresses)
        facts["address_list"] = "\n".join(
            f"- `{a.address}`" + (f": {escape_markdown(a.used_for)}" if a.used_for else "") for a in addresses
        )
    if domains:
        facts["primary_domain"] = escape_markdown(domains[0].display_name)
        facts["domains"] = ", ".join(escape_markdown(d.display_name) for d in domains)
        facts["domain_list"] = "\n".join(f"- `{d.display_name}`" for d in domains)
    return facts


@dataclass
class ClientSection:
    """One mail client's section of an article."""

    client: MailClient
    intro: SafeString
    steps: list[SafeString]
    is_override: bool
    #: The whole section as the page shows it, once ``sections.render_sections`` has set it.
    html: SafeString | None = None

    @property
    def anchor(self) -> str:
        return self.client.slug


@dataclass
class RangeTier:
    tier: str
    label: str
    ranges: list[IPRange]


@dataclass(frozen=True)
class ContentsEntry:
    """One line of an article's table of contents."""

    anchor: str
    title: str
    level: int


#: Above this many ranges a guide summarises them and links the For IT page
#: instead of inlining the table: the reader page stays small with thousands.
INLINE_RANGE_LIMIT = 20
#: An article gets a table of contents from this many entries on.
CONTENTS_MINIMUM = 3


@dataclass
class ArticlePage:
    article: Article
    vendor: Vendor | None
    body: SafeString
    addresses: list[SenderAddress]
    domains: list[SenderDomain]
    tiers: list[RangeTier]
    person_sections: list[ClientSection] = field(default_factory=list)
    it_sections: list[ClientSection] = field(default_factory=list)
    # The body's headings with their anchors, and the text under each (``anchors``).
    headings: list[Heading] = field(default_factory=list)
    body_sections: list[HeadingSection] = field(default_factory=list)
    #: The IT section as the page shows it, once ``sections.render_sections`` has set it.
    it_html: SafeString | None = None

    @property
    def sections(self) -> list[ClientSection]:
        return self.person_sections + self.it_sections

    @property
    def shows_senders(self) -> bool:
        """Whether the page lists the vendor's sender addresses and domains: a guide does, if it has any."""
        return self.article.kind == Article.Kind.GUIDE and bool(self.addresses or self.domains)

    @property
    def range_count(self) -> int:
        return sum(len(tier.ranges) for tier in self.tiers)

    @property
    def fact_counts(self) -> str:
        """ "1 address, 2 domains and 21 IP ranges": what the vendor publishes, naming only what it has."""
        parts = [
            f"{count} {noun if count == 1 else plural}"
            for count, noun, plural in (
                (len(self.addresses), "sender address", "sender addresses"),
                (len(self.domains), "sender domain", "sender domains"),
                (self.range_count, "IP range", "IP ranges"),
            )
            if count
        ]
        return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)

    @property
    def inlines_ranges(self) -> bool:
        """Whether the guide's IT section shows the range table itself, or sends IT to the For IT page."""
        return self.range_count <= INLINE_RANGE_LIMIT

    @property
    def contents(self) -> list[ContentsEntry]:
        """The table of contents: the body's headings (levels 2 and 3), then the page's own sections.

        Empty below ``CONTENTS_MINIMUM`` entries: a short article needs none.
        """
        entries = [ContentsEntry(h.anchor, h.title, h.level) for h in self.headings if h.level in (2, 3)]
        if self.shows_senders:
            entries.append(ContentsEntry("senders", "Who sends the mail", 2))
        if self.person_sections:
            entries.append(ContentsEntry("mail-programs", "Steps for your mail program", 2))
        if self.article.show_it_section:
            entries.append(ContentsEntry("it", "For your IT department", 2))
        return entries if len(entries) >= CONTENTS_MINIMUM else []

    @property
    def last_updated(self):
        """The last change a reader can see: the article's text, or its vendor's facts."""
        dates = [self.article.updated_at]
        if self.vendor is not None:
            dates.append(self.vendor.facts_changed_at)
        return max(dates)


def group_tiers(ranges: Iterable[IPRange]) -> list[RangeTier]:
    """Ranges grouped by tier, primary first, empty tiers left out."""
    tiers = [RangeTier(value, label, []) for value, label in IPRange.Tier.choices]
    by_value = {tier.tier: tier for tier in tiers}
    for ip_range in ranges:
        by_value[ip_range.tier].ranges.append(ip_range)
    return [tier for tier in tiers if tier.ranges]


def choose_step_lists(step_lists: Iterable[StepList]) -> dict[int, StepList]:
    """Per mail client id, the vendor's override if there is one, else the generic list."""
    chosen: dict[int, StepList] = {}
    for step_list in step_lists:
        current = chosen.get(step_list.mail_client_id)
        if current is None or (current.vendor_id is None and step_list.vendor_id is not None):
            chosen[step_list.mail_client_id] = step_list
    return chosen


def build_article_page(
    article: Article,
    *,
    addresses: list[SenderAddress],
    domains: list[SenderDomain],
    ranges: list[IPRange],
    clients: list[MailClient],
    step_lists: Iterable[StepList],
) -> ArticlePage:
    """Assemble everything an article page shows, from data already loaded.

    Every text is rendered once per set of inputs (``fragments``): the page's
    fragments come from the cache in one round trip, and only missing ones are rendered.
    """
    vendor = article.vendor
    facts = vendor_facts(vendor, addresses, domains, ranges)
    chosen = choose_step_lists(step_lists)
    batch = fragments.Batch()
    # A text's key carries the values of the placeholders it uses, and no others: a new range
    # renders again only the texts naming {{ range_count }}, and a generic step without
    # placeholders is rendered once for every vendor. Most texts use the same few sets of names.
    digests: dict[frozenset[str], str] = {}
    markdown_keys: dict[str, Callable[[str], str]] = {}

    def digest_of(text: str) -> str:
        names = frozenset(placeholder_names(text))
        if names not in digests:
            digests[names] = fragments.facts_digest({name: facts.get(name, "") for name in names})
        return digests[names]

    def markdown_fragment(text: str) -> str:
        digest = digest_of(text)
        if digest not in markdown_keys:
            markdown_keys[digest] = fragments.fragment_keys("markdown", digest)
        return batch.add(markdown_keys[digest](text), lambda: render_markdown(text, facts))

    client_slugs = [client.slug for client in clients]
    body_key = batch.add(
        fragments.fragment_key("document", article.body, digest_of(article.body), client_slugs),
        lambda: render_document(article.body, facts, client_slugs=client_slugs),
    )
    planned = []
    for client in clients:
        step_list = chosen.get(client.pk)
        intro = markdown_fragment(step_list.intro) if step_list and step_list.intro else None
        steps = [markdown_fragment(text) for text in step_list.texts] if step_list else []
        planned.append((client, step_list, intro, steps))
    batch.resolve()

    body = batch.result(body_key)
    page = ArticlePage(
        article=article,
        vendor=vendor,
        body=body.html,
        headings=body.headings,
        body_sections=body.sections,
        addresses=addresses,
        domains=domains,
        tiers=group_tiers(ranges) if article.show_it_section else [],
    )
    for client, step_list, intro, steps in planned:
        section = ClientSection(
            client=client,
            intro=batch.result(intro) if intro else mark_safe(""),
            steps=[batch.result(key) for key in steps],
            is_override=bool(step_list and step_list.vendor_id),
        )
        if client.audience == MailClient.Audience.IT:
            page.it_sections.append(section)
        else:
            page.person_sections.append(section)
    return page
