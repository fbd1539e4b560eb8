"""Writing the whole help center as text in the interchange format, deterministically.

Everything is written in a fixed order (mail clients for people first, then by
position; vendors by slug; articles by vendor and slug; ranges by tier, then
address), and a value left at its default is left out, so that export, import
into an empty database and export again give the same text, and a diff between
two exports shows only what changed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import yaml
from django.db.models import Prefetch

from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.interchange.nodes import SEQ_TAG, STR_TAG, TIMESTAMP_TAG
from articles.interchange.schema import FORMAT

_HEADER = (
    "# Safelist Help Center: the whole help center in one file.\n"
    "# The format is described in fixtures/FORMAT.md.\n"
)


def export_helpcenter() -> str:
    """The whole help center as text in the interchange format, always the same for the same data.

    Domains and the domain part of addresses are written in their stored A-label
    (``xn--``) form, the form DNS and mail gateways use; the importer accepts
    either form.
    """
    steps = Prefetch("steps", queryset=Step.objects.order_by("position", "pk"))
    generic: dict[int, StepList] = {}
    overrides: dict[int, list[StepList]] = defaultdict(list)
    for step_list in StepList.objects.select_related("mail_client").prefetch_related(steps):
        if step_list.vendor_id is None:
            generic[step_list.mail_client_id] = step_list
        else:
            overrides[step_list.vendor_id].append(step_list)

    clients = []
    for client in sorted(MailClient.objects.all(), key=_client_order):
        data = {"slug": client.slug, "name": client.name}
        _optional(data, short_name=client.short_name)
        data["audience"] = client.audience
        _optional(data, description=client.description)
        clients.append(_steps(data, generic.get(client.pk)))

    vendors = []
    for vendor in Vendor.objects.order_by("slug").prefetch_related(
        "sender_addresses",
        "sender_domains",
        "ip_ranges",
    ):
        data = {"slug": vendor.slug, "name": vendor.name}
        _optional(
            data,
            website=vendor.website,
            description=vendor.description,
            support_email=vendor.support_email,
            support_url=vendor.support_url,
            support_hours=vendor.support_hours,
            unsupported=vendor.unsupported,
            unsupported_note=vendor.unsupported_note,
            facts_changed_at=vendor.facts_changed_at,
            sender_addresses=[
                _dated(_optional({"address": a.address}, used_for=a.used_for), a)
                for a in sorted(vendor.sender_addresses.all(), key=_address_order)
            ],
            sender_domains=[
                _dated({"domain": d.domain}, d)
                for d in sorted(vendor.sender_domains.all(), key=_domain_order)
            ],
            ip_ranges=[_range(r) for r in sorted(vendor.ip_ranges.all(), key=_range_order)],
            step_overrides=[
                _steps({"client": s.mail_client.slug}, s)
                for s in sorted(overrides[vendor.pk], key=lambda s: _client_order(s.mail_client))
            ],
        )
        vendors.append(data)

    articles = []
    sections = Prefetch(
        "client_sections",
        queryset=ArticleClient.objects.select_related("mail_client").order_by("position", "pk"),
    )
    for article in sorted(
        Article.objects.select_related("vendor").prefetch_related(sections),
        key=lambda a: (a.vendor.slug if a.vendor_id else "", a.slug),
    ):
        data = _optional({}, vendor=article.vendor.slug if article.vendor_id else None)
        data.update(slug=article.slug, kind=article.kind, title=article.title)
        _optional(data, summary=article.summary)
        data["status"] = article.status
        _optional(
            data,
            published_at=article.published_at,
            reviewed_on=article.reviewed_on,
            updated_at=article.updated_at,
            show_it_section=article.show_it_section,
            unsupported=article.unsupported,
            unsupported_note=article.unsupported_note,
            clients=_Flow(section.mail_client.slug for section in article.client_sections.all()),
            body=article.body,
        )
        articles.append(data)

    return _render({"mail_clients": clients, "vendors": vendors, "articles": articles})


# What goes into the file, and in which order -------------------------------------------


def _optional(data: dict, **values) -> dict:
    """Add the values that are not empty: a key left out means its default."""
    for key, value in values.items():
        if value:
            data[key] = value
    return data


def _steps(data: dict, step_list: StepList | None) -> dict:
    if step_list is not None:
        _optional(
            data,
            intro=step_list.intro,
            steps=[step.text for step in step_list.steps.all()],
        )
    return data


def _client_order(client: MailClient) -> tuple:
    return (client.audience != MailClient.Audience.PERSON, client.position, client.slug)


def _tier_order(tier: str) -> int:
    return IPRange.Tier.values.index(tier) if tier in IPRange.Tier.values else len(IPRange.Tier.values)


def _range_order(row: IPRange) -> tuple:
    return (
        _tier_order(row.tier),
        row.version,
        row.start,
        row.prefixlen,
        row.retired_on is not None,
        row.retired_on or dt.date.min,
        row.added_on,
        row.public_note,
        row.staff_note,
    )


def _range(row: IPRange) -> dict:
    data = {"network": row.network, "tier": row.tier}
    _optional(data, public_note=row.public_note, staff_note=row.staff_note)
    return _dated(data, row)


def _life_span_order(row: SenderAddress | SenderDomain) -> tuple:
    """An address or domain listed again after its retirement comes after the retired row."""
    return (row.added_on, row.retired_on is None, row.retired_on or dt.date.min)


def _address_order(row: SenderAddress) -> tuple:
    return (row.position, row.address, *_life_span_order(row), row.used_for)


def _domain_order(row: SenderDomain) -> tuple:
    return (row.domain, *_life_span_order(row))


def _dated(data: dict, row: SenderAddress | SenderDomain | IPRange) -> dict:
    """A fact's dates: always when it was added (the import would say today otherwise), and its retirement."""
    data["added_on"] = row.added_on
    return _optional(data, retired_on=row.retired_on)


# How it is written as YAML ---------------------------------------------------------------


class _Flow(list):
    """A short list written on one line: ``[a, b]``."""


class _Dumper(yaml.SafeDumper):
    """Block style, list items indented under their key, Markdown as ``|`` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_LINE_BREAKS = re.compile("\r\n|[\r\x85]")


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Every line break is written as LF: YAML reads CR LF (what browsers send
    # from a textarea) back as LF anyway, and PyYAML mangles a NEL at the end
    # of a quoted string.
    value = _LINE_BREAKS.sub("\n", value)
    # A block (|) holds multi-line Markdown readably. Not for text ending in a
    # blank line: that needs "keep" chomping (|+), which would swallow the blank
    # line between items. PyYAML itself falls back to quotes where a block
    # cannot hold the text exactly (spaces at the end of a line).
    rest = value.removesuffix("\n")
    block = "\n" in value and rest != "" and rest[-1] not in "\n\u2028\u2029"
    return dumper.represent_scalar(STR_TAG, value, style="|" if block else None)


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.Node:
    value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return dumper.represent_scalar(TIMESTAMP_TAG, text + "Z")


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(dt.datetime, _represent_datetime)
_Dumper.add_representer(
    _Flow, lambda dumper, value: dumper.represent_sequence(SEQ_TAG, value, flow_style=True)
)


def _render(sections: dict[str, list[dict]]) -> str:
    """The file's text: the format line, then each non-empty section, items apart by a blank line."""
    parts = [_HEADER + _dump({"format": FORMAT})]
    for key, items in sections.items():
        if items:
            parts.append(f"{key}:\n" + "\n".join(_indent(_dump([item])) for item in items))
    return "\n".join(parts)


def _dump(value) -> str:
    return yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100_000,
    )


def _indent(text: str) -> str:
    # Only "\n" ends a line here: str.splitlines() would also split at the
    # exotic breaks (NEL, U+2028) that PyYAML keeps inside a quoted scalar.
    return "\n".join(f"  {line}" if line.strip() else line for line in text.split("\n"))
