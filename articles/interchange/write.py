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

import datetime as dt

from django.db import transaction
from django.db.models import Prefetch

from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.facts.models import IPRange, Vendor
from articles.interchange.parse import parse
from articles.interchange.report import ImportReport
from articles.interchange.rows import assign
from articles.interchange.schema import (
    ArticleEntry,
    ClientEntry,
    HelpCenterFile,
)
from articles.interchange.vendors import VendorWriter
from articles.services import changes


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
        writer.carry_moments()
        if dry_run:
            transaction.set_rollback(True)
    return writer.report


class _Writer(VendorWriter):
    """Writes parsed entries; collects problems the database reveals instead of stopping at one."""

    def __init__(self) -> None:
        super().__init__()
        # (model, pk, field, moment): the "last changed" times a file carries for the rows it
        # creates, written once the recording block has set its own (carry_moments).
        self.carried_moments: list[tuple[type, int, str, dt.datetime]] = []
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
        self.domain_owners = {
            domain.domain: vendor
            for vendor in self.vendors.values()
            for domain in vendor.sender_domains.all()
            if not domain.is_retired  # a retired domain is no longer one a reader could mistake
        }
        steps = Prefetch("steps", queryset=Step.objects.order_by("position", "pk"))
        # Keyed by (mail client, vendor); the vendor is None for a client's generic steps.
        self.step_lists: dict[tuple[int, int | None], StepList] = {
            (step_list.mail_client_id, step_list.vendor_id): step_list
            for step_list in StepList.objects.select_related("mail_client").prefetch_related(steps)
        }

    def carry_moments(self) -> None:
        """Give rows this import created the times their file says they last changed.

        A help center moved from another database keeps "last updated" true: the
        recording block has just stamped them with now, which is when they were
        copied, not when readers last saw them change. Rows that already existed
        keep the time of this import's change.
        """
        for model, pk, name, moment in self.carried_moments:
            model._default_manager.filter(pk=pk).update(**{name: moment})

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
        changed = assign(
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

    def _article(self, entry: ArticleEntry, article: Article | None) -> None:
        vendor = self.vendors.get(entry.vendor) if entry.vendor else None
        if entry.vendor and vendor is None:  # refused earlier in this import
            return
        created = article is None
        if article is None:
            article = Article(vendor=vendor, slug=entry.slug)
        published_at = entry.published_at
        if published_at is None and entry.status == Article.Status.PUBLISHED:
            # Left out: an article already published keeps its time; a new one is published now.
            published_at = article.published_at
        changed = assign(
            article,
            kind=entry.kind,
            title=entry.title,
            summary=entry.summary,
            body=entry.body,
            show_it_section=entry.show_it_section,
            unsupported=entry.unsupported,
            unsupported_note=entry.unsupported_note,
            status=entry.status,
            published_at=published_at,
            reviewed_on=entry.reviewed_on,
        )
        label = f"{entry.vendor}/{entry.slug}" if entry.vendor else entry.slug
        if not self.save(article, kind="article", label=label, place_of=entry.place_of, changed=changed):
            return
        if created and entry.updated_at is not None:
            self.carried_moments.append((Article, article.pk, "updated_at", entry.updated_at))
        stored = {section.mail_client.slug: section for section in article.client_sections.all()}
        self.delete_unlisted(
            stored, entry.clients, kind="article section", label=lambda slug: f"{slug} in {label}"
        )
        clients_place = entry.place_of("clients")
        for position, slug in enumerate(entry.clients):
            section = stored.get(slug) or ArticleClient(article=article, mail_client=self.clients[slug])
            changed = assign(section, position=position)
            self.save(
                section,
                kind="article section",
                label=f"{slug} in {label}",
                place_of=clients_place.everywhere(),
                changed=changed,
            )
