"""Turning an article and its vendor's facts into safe HTML.

Markdown from staff goes through Python-Markdown (the same engine
django-markdownx previews with) and then through nh3, a binding to the Ammonia
sanitiser, so nothing staff type can run script or load from elsewhere. The
functions here take objects the view has already loaded; they run no queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import unescape

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

from articles.content.models import Article, MailClient, StepList
from articles.content.placeholders import EXAMPLE_FACTS, substitute, unknown_placeholders
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor

MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]

# Ammonia's defaults, less images: an <img> pointing elsewhere would be a
# third-party request on every page view.
ALLOWED_TAGS = (nh3.ALLOWED_TAGS - {"img"}) | {"kbd", "samp"}
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items() if tag in ALLOWED_TAGS},
    "code": {"class"},
    "th": {"align", "scope"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def escape_markdown(text: str) -> str:
    """Backslash-escape what Markdown would otherwise read as formatting."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def _unsanitised_html(text: str, facts: Mapping[str, str] | None) -> str:
    source = substitute(text, facts or {})
    return markdown.markdown(source, extensions=MARKDOWN_EXTENSIONS, output_format="html")


def render_markdown(text: str, facts: Mapping[str, str] | None = None) -> SafeString:
    """Markdown with placeholders filled from ``facts``, as sanitised HTML."""
    return mark_safe(sanitise(_unsanitised_html(text, facts)))  # noqa: S308 - sanitised here


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
    html = _unsanitised_html(text, facts)
    # Markdown escapes "<img" typed inside code, so every match here is a real
    # image, from Markdown's ![](…) or raw HTML, that nh3 is about to remove.
    images = []
    for tag in _IMAGE.findall(html):
        source = _IMAGE_SOURCE.search(tag)
        address = next((group for group in source.groups() if group is not None), "") if source else ""
        images.append(unescape(address))
    return Preview(
        html=mark_safe(sanitise(html)),  # noqa: S308 - sanitised here
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

    @property
    def anchor(self) -> str:
        return self.client.slug


@dataclass
class RangeTier:
    tier: str
    label: str
    ranges: list[IPRange]


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

    @property
    def sections(self) -> list[ClientSection]:
        return self.person_sections + self.it_sections

    @property
    def shows_senders(self) -> bool:
        """Whether the page lists the vendor's sender addresses and domains: a guide does, if it has any."""
        return self.article.kind == Article.Kind.GUIDE and bool(self.addresses or self.domains)

    @property
    def last_updated(self):
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
    """Assemble everything an article page shows, from data already loaded."""
    vendor = article.vendor
    facts = vendor_facts(vendor, addresses, domains, ranges)
    chosen = choose_step_lists(step_lists)
    page = ArticlePage(
        article=article,
        vendor=vendor,
        body=render_markdown(article.body, facts),
        addresses=addresses,
        domains=domains,
        tiers=group_tiers(ranges) if article.show_it_section else [],
    )
    for client in clients:
        step_list = chosen.get(client.pk)
        section = ClientSection(
            client=client,
            intro=render_markdown(step_list.intro, facts) if step_list else mark_safe(""),
            steps=[render_markdown(step.text, facts) for step in step_list.steps.all()] if step_list else [],
            is_override=bool(step_list and step_list.vendor_id),
        )
        if client.audience == MailClient.Audience.IT:
            page.it_sections.append(section)
        else:
            page.person_sections.append(section)
    return page
