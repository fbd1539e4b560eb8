"""Reading a help center file into plain entries, checking everything that needs no writing.

``parse()`` checks the shape of the file, every key and value (through the same
validators the admin uses: ``networks``, ``senders``, ``placeholders`` and the
models' own ``clean``, all reached through ``full_clean()``), duplicates inside
the file and references between its parts. It collects every problem before
it gives up, and each problem names its line, its place in the file and the
field.

Why the file is composed into YAML nodes rather than loaded with
``yaml.safe_load``: nodes carry their line numbers, keep a key written twice
visible instead of silently keeping the last, and keep text exactly as typed
(``name: Yes`` is the text "Yes", not the boolean true). Composing uses
PyYAML's safe loader and builds no Python objects from tags.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator

import yaml
from django.core.exceptions import ValidationError
from django.db import models

from articles.content.models import Article, MailClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.interchange.locations import InterchangeError, Place, PlaceOf, Problem, Problems, line_of
from articles.interchange.nodes import Mapping, item_label, scalar_value
from articles.interchange.schema import (
    ADDRESS_KEYS,
    ARTICLE_KEYS,
    CLIENT_KEYS,
    FILE_KEYS,
    FORMAT,
    OVERRIDE_KEYS,
    RANGE_KEYS,
    VENDOR_KEYS,
    AddressEntry,
    ArticleEntry,
    ClientEntry,
    DomainEntry,
    Entry,
    HelpCenterFile,
    OverrideEntry,
    RangeEntry,
    StepsEntry,
    VendorEntry,
)


def parse(
    text: str, *, stored_vendors: Collection[str] = (), stored_clients: Collection[str] = ()
) -> HelpCenterFile:
    """Read a help center file, or raise InterchangeError listing every problem in it.

    ``stored_vendors`` and ``stored_clients`` are the slugs already in the
    database: an article may refer to a vendor or mail client the file does
    not list, as long as it exists.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise InterchangeError(
            [
                Problem(
                    mark.line + 1 if mark else None,
                    "",
                    f"This is not valid YAML ({error.problem or error.context}). Check the indentation "
                    f"on this line and the one before; text holding “: ” or starting with a quote, "
                    f"“[”, “{{”, “*” or “&” must be put in quotes.",
                    "not_yaml",
                )
            ]
        ) from None
    except yaml.YAMLError as error:
        raise InterchangeError(
            [Problem(None, "", f"This is not valid YAML ({error}).", "not_yaml")]
        ) from None
    if root is None:
        raise InterchangeError(
            [Problem(None, "", f"The file is empty; it must start with “format: {FORMAT}”.", "empty")]
        )
    reader = _Reader(stored_vendors, stored_clients)
    document = reader.read(root)
    reader.problems.raise_if_any()
    return document


class _Reader:
    """Walks a composed file, collecting entries and every problem found on the way."""

    def __init__(self, stored_vendors: Collection[str], stored_clients: Collection[str]):
        self.problems = Problems()
        self.stored_vendors = set(stored_vendors)
        self.stored_clients = set(stored_clients)
        self.file_vendors: set[str] = set()
        self.file_clients: set[str] = set()

    def clean(self, instance: models.Model, place_of: PlaceOf, exclude: Iterable[str]) -> bool:
        """Run the model's own field checks and ``clean()``, without touching the database.

        Uniqueness and constraints are left to the import, which has the rows to check them against.
        """
        try:
            instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            self.problems.add_validation_error(error, place_of)
            return False
        return True

    def clean_entry(
        self, instance: models.Model, entry: Entry, mapping: Mapping, exclude: Iterable[str] = ()
    ) -> bool:
        """``clean()`` for one entry, skipping the keys its mapping already refused, so each is listed once."""
        return self.clean(instance, entry.place_of, [*exclude, *mapping.bad])

    def read(self, root: yaml.Node) -> HelpCenterFile:
        document = HelpCenterFile()
        top = Mapping(self.problems, root, Place(line_of(root)), FILE_KEYS, "help center file")
        if not top.ok:
            return document
        fmt = top.text("format")
        if not fmt and "format" not in top.bad:
            top.error(
                "format", f"“format” is missing; the file must start with “format: {FORMAT}”.", "required"
            )
        elif fmt and fmt != FORMAT:
            top.error(
                "format",
                f"“{fmt}” is not a format this help center reads; it reads “{FORMAT}”.",
                "unknown_format",
            )
        if "format" in top.bad:
            # In an unknown format, anything further would be guesswork.
            return document
        client_nodes = self._list_items(top, "mail_clients", ("slug",))
        vendor_nodes = self._list_items(top, "vendors", ("slug",))
        article_nodes = self._list_items(top, "articles", ("vendor", "slug"))
        # References may point forwards in the file, so collect every slug first.
        self.file_clients = {
            slug for slug in (scalar_value(node, "slug") for node, _ in client_nodes) if slug
        }
        self.file_vendors = {
            slug for slug in (scalar_value(node, "slug") for node, _ in vendor_nodes) if slug
        }
        document.clients = [
            self._client(node, place, position) for position, (node, place) in enumerate(client_nodes)
        ]
        document.vendors = [self._vendor(node, place) for node, place in vendor_nodes]
        document.articles = [self._article(node, place) for node, place in article_nodes]
        self._check_unique(document.clients, "slug", "mail client", lambda e: e.slug)
        self._check_unique(document.clients, "name", "mail client", lambda e: e.name)
        self._check_unique(document.vendors, "slug", "vendor", lambda e: e.slug)
        self._check_unique(document.vendors, "name", "vendor", lambda e: e.name)
        self._check_unique(
            document.articles, "slug", "article", lambda e: (e.vendor, e.slug) if e.slug else None
        )
        return document

    def _list_items(
        self, top: Mapping, key: str, label_keys: tuple[str, ...]
    ) -> list[tuple[yaml.Node, Place]]:
        return [
            (node, top.place.child(f"{key}[{index}]{item_label(node, *label_keys)}", node))
            for index, node in top.items(key)
        ]

    def _mappings(
        self, parent: Mapping, key: str, keys: tuple[str, ...], what: str, label_keys: tuple[str, ...] = ()
    ) -> Iterator[tuple[int, Mapping]]:
        """Each item of a list that is a group of lines, checked against ``keys``, with its index."""
        for index, (node, place) in enumerate(self._list_items(parent, key, label_keys)):
            mapping = Mapping(self.problems, node, place, keys, what)
            if mapping.ok:
                yield index, mapping

    def _check_unique(self, entries: list, key: str, what: str, value: Callable) -> None:
        first: dict = {}
        for entry in entries:
            found = value(entry)
            if not found:
                continue
            if found in first:
                earlier = first[found]
                self.problems.add(
                    entry.place_of(key),
                    f"Another {what} earlier in the file (line {earlier.line}, {earlier.path}) has the "
                    f"same {key}; each {what} must be listed once.",
                    "duplicate",
                )
            else:
                first[found] = entry.place

    def _steps(self, mapping: Mapping, entry: Entry) -> StepsEntry:
        steps = StepsEntry(place=entry.place, places=entry.places, intro=mapping.text("intro"))
        self.clean_entry(StepList(intro=steps.intro), steps, mapping, exclude=["mail_client", "vendor"])
        for text, place in mapping.text_items("steps", "step"):
            self.clean(Step(text=text), place.everywhere(), exclude=["step_list"])
            steps.steps.append(text)
            steps.step_places.append(place)
        return steps

    def _client(self, node: yaml.Node, place: Place, position: int) -> ClientEntry:
        mapping = Mapping(self.problems, node, place, CLIENT_KEYS, "mail client")
        entry = ClientEntry(place=place, places=mapping.places(), position=position)
        if not mapping.ok:
            return entry
        entry.slug = mapping.text("slug", required=True)
        entry.name = mapping.text("name", required=True)
        entry.short_name = mapping.text("short_name")
        entry.audience = mapping.choice("audience", MailClient.Audience, MailClient.Audience.PERSON)
        entry.description = mapping.text("description")
        self.clean_entry(
            MailClient(
                slug=entry.slug,
                name=entry.name,
                short_name=entry.short_name,
                audience=entry.audience,
                description=entry.description,
                position=position,
            ),
            entry,
            mapping,
        )
        steps = self._steps(mapping, entry)
        # Generic steps with no intro and no step are the same as none at all.
        entry.steps = steps if steps.intro or steps.steps else None
        return entry

    def _vendor(self, node: yaml.Node, place: Place) -> VendorEntry:
        mapping = Mapping(self.problems, node, place, VENDOR_KEYS, "vendor")
        entry = VendorEntry(place=place, places=mapping.places())
        if not mapping.ok:
            return entry
        entry.slug = mapping.text("slug", required=True)
        entry.name = mapping.text("name", required=True)
        entry.website = mapping.text("website")
        entry.description = mapping.text("description")
        self.clean_entry(
            Vendor(slug=entry.slug, name=entry.name, website=entry.website, description=entry.description),
            entry,
            mapping,
        )
        entry.addresses = self._addresses(mapping)
        entry.domains = self._domains(mapping)
        entry.ranges = self._ranges(mapping)
        entry.overrides = self._overrides(mapping)
        return entry

    def _addresses(self, vendor: Mapping) -> list[AddressEntry]:
        found: list[AddressEntry] = []
        seen: dict[str, Place] = {}
        for index, mapping in self._mappings(vendor, "sender_addresses", ADDRESS_KEYS, "sender address"):
            entry = AddressEntry(place=mapping.place, places=mapping.places())
            entry.address = mapping.text("address", required=True)
            entry.used_for = mapping.text("used_for")
            instance = SenderAddress(address=entry.address, used_for=entry.used_for, position=index)
            if self.clean_entry(instance, entry, mapping, exclude=["vendor"]) and entry.address:
                # Compared in the form clean() stored, so A@ACME.example repeats a@acme.example.
                entry.address = instance.address
                if entry.address in seen:
                    self._repeated(
                        entry.place_of("address"), f"The address {entry.address}", seen[entry.address]
                    )
                else:
                    seen[entry.address] = entry.place
            found.append(entry)
        return found

    def _domains(self, vendor: Mapping) -> list[DomainEntry]:
        found: list[DomainEntry] = []
        seen: dict[str, Place] = {}
        for text, place in vendor.text_items("sender_domains", "sender domain"):
            instance = SenderDomain(domain=text)
            if not self.clean(instance, place.everywhere(), exclude=["vendor"]):
                continue
            if instance.domain in seen:
                self._repeated(place, f"The domain {instance.domain}", seen[instance.domain])
                continue
            seen[instance.domain] = place
            found.append(DomainEntry(place=place, domain=instance.domain))
        return found

    def _ranges(self, vendor: Mapping) -> list[RangeEntry]:
        found: list[RangeEntry] = []
        in_force: dict[str, Place] = {}
        for _index, mapping in self._mappings(vendor, "ip_ranges", RANGE_KEYS, "IP range"):
            entry = RangeEntry(place=mapping.place, places=mapping.places())
            entry.network = mapping.text("network", required=True)
            entry.tier = mapping.choice("tier", IPRange.Tier, IPRange.Tier.PRIMARY)
            entry.note = mapping.text("note")
            entry.added_on = mapping.date("added_on")
            entry.retired_on = mapping.date("retired_on")
            instance = IPRange(
                network=entry.network,
                tier=entry.tier,
                note=entry.note,
                added_on=entry.added_on,
                retired_on=entry.retired_on,
            )
            # Left out, added_on is decided on import (today, or the stored date).
            exclude = ["vendor"] if entry.added_on else ["vendor", "added_on"]
            if self.clean_entry(instance, entry, mapping, exclude=exclude) and entry.network:
                entry.network = instance.network
                # Like the database, the file may list a network again once it is retired.
                if entry.retired_on is None:
                    if entry.network in in_force:
                        self._repeated(
                            entry.place_of("network"), f"The range {entry.network}", in_force[entry.network]
                        )
                    else:
                        in_force[entry.network] = entry.place
            found.append(entry)
        return found

    def _overrides(self, vendor: Mapping) -> list[OverrideEntry]:
        found: list[OverrideEntry] = []
        seen: dict[str, Place] = {}
        overrides = self._mappings(vendor, "step_overrides", OVERRIDE_KEYS, "step override", ("client",))
        for _index, mapping in overrides:
            entry = OverrideEntry(place=mapping.place, places=mapping.places())
            entry.client = mapping.text("client", required=True)
            if entry.client:
                self._check_client(entry.client, entry.place_of("client"))
                if entry.client in seen:
                    self.problems.add(
                        entry.place_of("client"),
                        f"The steps for {entry.client} are listed twice (first on line "
                        f"{seen[entry.client].line}); keep one.",
                        "duplicate",
                    )
                seen[entry.client] = entry.place
            entry.steps = self._steps(mapping, entry)
            found.append(entry)
        return found

    def _article(self, node: yaml.Node, place: Place) -> ArticleEntry:
        mapping = Mapping(self.problems, node, place, ARTICLE_KEYS, "article")
        entry = ArticleEntry(place=place, places=mapping.places())
        if not mapping.ok:
            return entry
        entry.vendor = mapping.text("vendor") or None
        if entry.vendor and entry.vendor not in self.file_vendors | self.stored_vendors:
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
        entry.show_it_section = mapping.boolean("show_it_section")
        entry.body = mapping.text("body")
        seen: dict[str, Place] = {}
        for slug, client_place in mapping.text_items("clients", "mail client"):
            self._check_client(slug, client_place)
            if slug in seen:
                self._repeated(client_place, f"The mail client {slug}", seen[slug])
                continue
            seen[slug] = client_place
            entry.clients.append(slug)
        self.clean_entry(
            Article(
                slug=entry.slug,
                kind=entry.kind,
                title=entry.title,
                summary=entry.summary,
                status=entry.status,
                published_at=entry.published_at,
                reviewed_on=entry.reviewed_on,
                show_it_section=entry.show_it_section,
                body=entry.body,
            ),
            entry,
            mapping,
            exclude=["vendor"],
        )
        return entry

    def _check_client(self, slug: str, place: Place) -> None:
        if slug not in self.file_clients | self.stored_clients:
            self.problems.add(
                place,
                f"There is no mail client “{slug}” in this file or in the help center. Check the "
                f"spelling, or add it under “mail_clients”.",
                "unknown_client",
            )

    def _repeated(self, place: Place, what: str, first: Place) -> None:
        self.problems.add(
            place, f"{what} is listed twice (first on line {first.line}); keep one.", "duplicate"
        )
