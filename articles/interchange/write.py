"""Importing parsed entries: make the database match the file, all or nothing.

``import_helpcenter()`` writes in one transaction, matching objects by their
natural keys (vendor slug, mail client slug, vendor and article slug). The file
is authoritative for what it names and silent about the rest. Every row goes
through ``full_clean()`` before ``save()``; a problem that only the database can
reveal (a name another vendor already uses) is collected too, and any problem
rolls the whole import back. Rows that already match the file are not saved,
so re-importing the same file changes nothing, not even a timestamp.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils import timezone

from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.interchange.locations import PlaceOf, Problems
from articles.interchange.parse import parse
from articles.interchange.schema import (
    ArticleEntry,
    ClientEntry,
    HelpCenterFile,
    RangeEntry,
    StepsEntry,
    VendorEntry,
)
from articles.services import changes

# The order the summary lists kinds and actions in.
_KINDS = (
    "mail client",
    "step list",
    "step",
    "vendor",
    "sender address",
    "sender domain",
    "IP range",
    "article",
    "article section",
)
_ACTIONS = ("created", "updated", "deleted", "unchanged")


@dataclass
class ImportReport:
    """What an import changed (or, for a dry run, would change)."""

    counts: Counter = field(default_factory=Counter)
    changes: list[str] = field(default_factory=list)

    def record(self, kind: str, action: str, label: str) -> None:
        self.counts[kind, action] += 1
        if action != "unchanged":
            self.changes.append(f"{action} {kind} {label}")

    @property
    def changed(self) -> bool:
        return any(n for (_kind, action), n in self.counts.items() if action != "unchanged")

    def summary(self) -> list[str]:
        """One line per kind of object the file touched: ``vendor: 1 created, 2 unchanged``."""
        lines = []
        for kind in _KINDS:
            parts = [
                f"{self.counts[kind, action]} {action}" for action in _ACTIONS if self.counts[kind, action]
            ]
            if parts:
                lines.append(f"{kind}: {', '.join(parts)}")
        return lines


def import_text(*, text: str, dry_run: bool = False) -> ImportReport:
    """Parse and import a help center file; InterchangeError lists every problem."""
    document = parse(
        text,
        stored_vendors=set(Vendor.objects.values_list("slug", flat=True)),
        stored_clients=set(MailClient.objects.values_list("slug", flat=True)),
    )
    return import_helpcenter(document=document, dry_run=dry_run)


def import_helpcenter(*, document: HelpCenterFile, dry_run: bool = False) -> ImportReport:
    """Make the database match ``document``, all or nothing.

    Raises InterchangeError (and changes nothing) if any row is refused. With
    ``dry_run`` everything is written and checked, then rolled back, so the
    report says exactly what a real import would change.
    """
    # What the rows written set off (the vendors' "facts changed" time, one
    # search-index rebuild per article) is carried out once, at the end of the
    # recording block, inside the transaction: see services/changes.py.
    with transaction.atomic():
        with changes.recording():
            writer = _Writer()
            writer.write(document)
        writer.problems.raise_if_any()
        if dry_run:
            transaction.set_rollback(True)
    return writer.report


def _assign(instance: models.Model, **values) -> list[str]:
    """Set fields; the names of those that changed (empty, and so false, when none did)."""
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


class _Writer:
    """Writes parsed entries; collects problems the database reveals instead of stopping at one."""

    def __init__(self) -> None:
        self.problems = Problems()
        self.report = ImportReport()
        self.clients: dict[str, MailClient] = {client.slug: client for client in MailClient.objects.all()}
        # Every stored row the import compares against is read here, in a fixed
        # number of queries, rather than once for each client, vendor or step list.
        self.vendors: dict[str, Vendor] = {
            vendor.slug: vendor
            for vendor in Vendor.objects.prefetch_related(
                "sender_addresses",
                "sender_domains",
                Prefetch("ip_ranges", queryset=IPRange.objects.order_by("pk")),
            )
        }
        steps = Prefetch("steps", queryset=Step.objects.order_by("position", "pk"))
        # Keyed by (mail client, vendor); the vendor is None for a client's generic steps.
        self.step_lists: dict[tuple[int, int | None], StepList] = {
            (step_list.mail_client_id, step_list.vendor_id): step_list
            for step_list in StepList.objects.select_related("mail_client").prefetch_related(steps)
        }

    def save(
        self,
        instance: models.Model,
        *,
        kind: str,
        label: str,
        place_of: PlaceOf,
        changed: bool | list[str],
    ) -> bool:
        """Save ``instance`` if it is new or ``changed`` (true, or the names of the changed fields)."""
        created = instance.pk is None
        if not created and not changed:
            self.report.record(kind, "unchanged", label)
            return True
        try:
            instance.full_clean()
        except ValidationError as error:
            self.problems.add_validation_error(error, place_of)
            return False
        instance.save()
        changes.written(instance, fields=None if created or changed is True else changed)
        self.report.record(kind, "created" if created else "updated", label)
        return True

    def delete(self, instance: models.Model, *, kind: str, label: str) -> None:
        instance.delete()
        changes.written(instance)
        self.report.record(kind, "deleted", label)

    def delete_unlisted(
        self,
        stored: Mapping[str, models.Model],
        listed: Collection[str],
        *,
        kind: str,
        label: Callable[[str], str],
    ) -> None:
        """Delete the stored rows, keyed by their natural key, that the file no longer lists."""
        for key, row in stored.items():
            if key not in listed:
                self.delete(row, kind=kind, label=label(key))

    def write(self, document: HelpCenterFile) -> None:
        for entry in document.clients:
            self._client(entry)
        for entry in document.vendors:
            self._vendor(entry)
        sections = Prefetch("client_sections", queryset=ArticleClient.objects.select_related("mail_client"))
        articles = {
            (article.vendor.slug if article.vendor_id else None, article.slug): article
            for article in Article.objects.select_related("vendor").prefetch_related(sections)
        }
        for entry in document.articles:
            self._article(entry, articles.get((entry.vendor, entry.slug)))

    def _client(self, entry: ClientEntry) -> None:
        client = self.clients.get(entry.slug) or MailClient(slug=entry.slug)
        changed = _assign(
            client,
            name=entry.name,
            short_name=entry.short_name,
            audience=entry.audience,
            description=entry.description,
            position=entry.position,
        )
        if self.save(client, kind="mail client", label=entry.slug, place_of=entry.place_of, changed=changed):
            self.clients[entry.slug] = client
            self._step_list(client=client, vendor=None, entry=entry.steps, label=entry.slug)

    def _step_list(
        self, *, client: MailClient, vendor: Vendor | None, entry: StepsEntry | None, label: str
    ) -> None:
        """Make one step list (generic when ``vendor`` is None) match the file; None removes it."""
        step_list = self.step_lists.get((client.pk, vendor.pk if vendor else None))
        if entry is None:
            if step_list is not None:
                self.delete(step_list, kind="step list", label=label)
            return
        if step_list is None:
            step_list = StepList(mail_client=client, vendor=vendor)
            stored = []
        else:
            stored = list(step_list.steps.all())
        changed = _assign(step_list, intro=entry.intro)
        if not self.save(step_list, kind="step list", label=label, place_of=entry.place_of, changed=changed):
            return
        for position, text in enumerate(entry.steps):
            step = stored[position] if position < len(stored) else Step(step_list=step_list)
            changed = _assign(step, text=text, position=position)
            place_of = entry.step_places[position].everywhere()
            self.save(step, kind="step", label=f"{label} #{position + 1}", place_of=place_of, changed=changed)
        for position, step in enumerate(stored[len(entry.steps) :], start=len(entry.steps)):
            self.delete(step, kind="step", label=f"{label} #{position + 1}")

    def _vendor(self, entry: VendorEntry) -> None:
        vendor = self.vendors.get(entry.slug) or Vendor(slug=entry.slug)
        created = vendor.pk is None
        changed = _assign(vendor, name=entry.name, website=entry.website, description=entry.description)
        if not self.save(vendor, kind="vendor", label=entry.slug, place_of=entry.place_of, changed=changed):
            return
        self.vendors[entry.slug] = vendor
        self._addresses(vendor, entry, created)
        self._domains(vendor, entry, created)
        self._ranges(vendor, entry, created)
        self._overrides(vendor, entry, created)

    def _addresses(self, vendor: Vendor, entry: VendorEntry, created: bool) -> None:
        stored = {} if created else {a.address: a for a in vendor.sender_addresses.all()}
        self.delete_unlisted(
            stored,
            {a.address for a in entry.addresses},
            kind="sender address",
            label=lambda address: f"{address} of {vendor.slug}",
        )
        for position, item in enumerate(entry.addresses):
            row = stored.get(item.address) or SenderAddress(vendor=vendor, address=item.address)
            changed = _assign(row, used_for=item.used_for, position=position)
            self.save(row, kind="sender address", label=item.address, place_of=item.place_of, changed=changed)

    def _domains(self, vendor: Vendor, entry: VendorEntry, created: bool) -> None:
        stored = {} if created else {d.domain: d for d in vendor.sender_domains.all()}
        self.delete_unlisted(
            stored,
            {d.domain for d in entry.domains},
            kind="sender domain",
            label=lambda domain: f"{domain} of {vendor.slug}",
        )
        for item in entry.domains:
            if item.domain in stored:
                self.report.record("sender domain", "unchanged", item.domain)
                continue
            row = SenderDomain(vendor=vendor, domain=item.domain)
            self.save(
                row, kind="sender domain", label=item.domain, place_of=item.place.everywhere(), changed=True
            )

    def _ranges(self, vendor: Vendor, entry: VendorEntry, created: bool) -> None:
        stored = [] if created else list(vendor.ip_ranges.all())
        pairs = _match_ranges(entry.ranges, stored)
        matched = {row.pk for _item, row in pairs if row is not None}
        # Deletions first, so a network leaving one row is free for another.
        for row in stored:
            if row.pk not in matched:
                self.delete(row, kind="IP range", label=f"{row.network} of {vendor.slug}")
        for item, row in pairs:
            if row is None:
                row = IPRange(
                    vendor=vendor, network=item.network, added_on=item.added_on or timezone.localdate()
                )
            changed = _assign(
                row,
                tier=item.tier,
                note=item.note,
                added_on=item.added_on or row.added_on,
                retired_on=item.retired_on,
            )
            self.save(row, kind="IP range", label=item.network, place_of=item.place_of, changed=changed)

    def _overrides(self, vendor: Vendor, entry: VendorEntry, created: bool) -> None:
        if not created:
            self.delete_unlisted(
                {
                    step_list.mail_client.slug: step_list
                    for (_client, vendor_id), step_list in self.step_lists.items()
                    if vendor_id == vendor.pk
                },
                {item.client for item in entry.overrides},
                kind="step list",
                label=lambda slug: f"{slug} of {vendor.slug}",
            )
        for item in entry.overrides:
            client = self.clients.get(item.client)
            if client is None:  # refused earlier in this import; its problem is already listed
                continue
            self._step_list(
                client=client, vendor=vendor, entry=item.steps, label=f"{item.client} of {vendor.slug}"
            )

    def _article(self, entry: ArticleEntry, article: Article | None) -> None:
        vendor = self.vendors.get(entry.vendor) if entry.vendor else None
        if entry.vendor and vendor is None:  # refused earlier in this import
            return
        if article is None:
            article = Article(vendor=vendor, slug=entry.slug)
        published_at = entry.published_at
        if published_at is None and entry.status == Article.Status.PUBLISHED:
            # Left out: an article already published keeps its time; a new one is published now.
            published_at = article.published_at
        changed = _assign(
            article,
            kind=entry.kind,
            title=entry.title,
            summary=entry.summary,
            body=entry.body,
            show_it_section=entry.show_it_section,
            status=entry.status,
            published_at=published_at,
            reviewed_on=entry.reviewed_on,
        )
        label = f"{entry.vendor}/{entry.slug}" if entry.vendor else entry.slug
        if not self.save(article, kind="article", label=label, place_of=entry.place_of, changed=changed):
            return
        stored = {section.mail_client.slug: section for section in article.client_sections.all()}
        self.delete_unlisted(
            stored, entry.clients, kind="article section", label=lambda slug: f"{slug} in {label}"
        )
        clients_place = entry.place_of("clients")
        for position, slug in enumerate(entry.clients):
            section = stored.get(slug) or ArticleClient(article=article, mail_client=self.clients[slug])
            changed = _assign(section, position=position)
            self.save(
                section,
                kind="article section",
                label=f"{slug} in {label}",
                place_of=clients_place.everywhere(),
                changed=changed,
            )


def _match_ranges(items: list[RangeEntry], stored: list[IPRange]) -> list[tuple[RangeEntry, IPRange | None]]:
    """Pair each range in the file with the stored row it describes, so unchanged rows keep their pk.

    Within one network, rows that match exactly are paired first, then rows
    that are equally in force (both retired or both not), then any; a network
    may be listed again after it was retired, so one network can have several rows.
    """
    free: dict[str, list[IPRange]] = defaultdict(list)
    for row in stored:
        free[row.network].append(row)
    paired: dict[int, IPRange] = {}
    tests = (
        lambda item, row: (
            row.tier == item.tier
            and row.note == item.note
            and row.retired_on == item.retired_on
            and (item.added_on is None or row.added_on == item.added_on)
        ),
        lambda item, row: (row.retired_on is None) == (item.retired_on is None),
        lambda item, row: True,
    )
    for test in tests:
        for index, item in enumerate(items):
            if index in paired:
                continue
            for row in free[item.network]:
                if test(item, row):
                    paired[index] = row
                    free[item.network].remove(row)
                    break
    return [(item, paired.get(index)) for index, item in enumerate(items)]
