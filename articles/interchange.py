"""The whole help center as one human-editable YAML file, read and written.

The format (``format: safelist-helpcenter/1``) is described for support staff in
fixtures/FORMAT.md. The work falls into three steps, kept apart:

- ``parse()`` reads the text into plain entries and checks everything it can
  without writing: the shape of the file, every key and value (through the
  same validators the admin uses: ``networks``, ``senders``, ``placeholders``
  and the models' own ``clean``), duplicates inside the file and references
  between its parts. It collects every problem before it gives up, and each
  problem names its line, its place in the file and the field.
- ``import_helpcenter()`` writes parsed entries in one transaction, matching
  objects by their natural keys (vendor slug, mail client slug, vendor and
  article slug). The file is authoritative for what it names and silent about
  the rest. Every row goes through ``full_clean()`` before ``save()``; a
  problem that only the database can reveal (a name another vendor already
  uses) is collected too, and any problem rolls the whole import back.
- ``export_helpcenter()`` writes the database as text, deterministically, so
  that export, import into an empty database and export again give the same
  text.

Why the file is composed into YAML nodes rather than loaded with
``yaml.safe_load``: nodes carry their line numbers, keep a key written twice
visible instead of silently keeping the last, and keep text exactly as typed
(``name: Yes`` is the text "Yes", not the boolean true). Composing uses
PyYAML's safe loader and builds no Python objects from tags.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils import timezone

from .models import (
    Article,
    ArticleClient,
    IPRange,
    MailClient,
    SenderAddress,
    SenderDomain,
    Step,
    StepList,
    Vendor,
)

FORMAT = "safelist-helpcenter/1"

# The keys each part of the file may hold, in the order the export writes them.
FILE_KEYS = ("format", "mail_clients", "vendors", "articles")
CLIENT_KEYS = ("slug", "name", "short_name", "audience", "description", "intro", "steps")
VENDOR_KEYS = (
    "slug",
    "name",
    "website",
    "description",
    "sender_addresses",
    "sender_domains",
    "ip_ranges",
    "step_overrides",
)
ADDRESS_KEYS = ("address", "used_for")
RANGE_KEYS = ("network", "tier", "note", "added_on", "retired_on")
OVERRIDE_KEYS = ("client", "intro", "steps")
ARTICLE_KEYS = (
    "vendor",
    "slug",
    "kind",
    "title",
    "summary",
    "status",
    "published_at",
    "reviewed_on",
    "show_it_section",
    "clients",
    "body",
)

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# Tags the safe loader gives plain scalars; anything else was written with "!".
_PLAIN_SCALAR_TAGS = frozenset(
    {_STR, _NULL, _BOOL, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}
)


# ---------------------------------------------------------------------------
# Problems and places


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is, and what to do about it."""

    line: int | None
    path: str
    message: str
    code: str

    def __str__(self) -> str:
        where = ", ".join(part for part in (f"line {self.line}" if self.line else "", self.path) if part)
        return f"{where}: {self.message}" if where else self.message


class InterchangeError(Exception):
    """A file that cannot be imported; ``problems`` lists every reason, in file order."""

    def __init__(self, problems: Iterable[Problem]):
        unique = list(dict.fromkeys(problems))
        self.problems = sorted(unique, key=lambda problem: problem.line or 0)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class Place:
    """A position in the file: its line and its path, like ``vendors[0] (acme) > name``."""

    line: int | None
    path: str = ""

    def child(self, name: str, node: yaml.Node | None = None) -> Place:
        return Place(
            _line(node) if node is not None else self.line, f"{self.path} > {name}" if self.path else name
        )


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a group of “key: value” lines"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"“{node.value}”"


def _problems_from(error: ValidationError, place_of: Callable[[str], Place]) -> list[Problem]:
    """A model's ValidationError as problems placed at the keys its fields came from."""
    problems = []
    for field_name, errors in error.error_dict.items():
        place = place_of(NON_FIELD_ERRORS if field_name == NON_FIELD_ERRORS else field_name)
        for item in errors:
            for message in item.messages:
                problems.append(Problem(place.line, place.path, message, item.code or "invalid"))
    return problems


# ---------------------------------------------------------------------------
# Parsed entries: plain values, each remembering where in the file it was written


@dataclass
class Entry:
    place: Place
    places: dict[str, Place] = field(default_factory=dict, repr=False)

    def place_of(self, key: str) -> Place:
        """Where ``key`` was written, or where it belongs if it was left out."""
        if key == NON_FIELD_ERRORS:
            return self.place
        return self.places.get(key) or self.place.child(key)


@dataclass
class StepsEntry(Entry):
    intro: str = ""
    steps: list[str] = field(default_factory=list)
    step_places: list[Place] = field(default_factory=list, repr=False)


@dataclass
class ClientEntry(Entry):
    slug: str = ""
    name: str = ""
    short_name: str = ""
    audience: str = MailClient.Audience.PERSON
    description: str = ""
    position: int = 0
    steps: StepsEntry | None = None


@dataclass
class AddressEntry(Entry):
    address: str = ""
    used_for: str = ""


@dataclass
class DomainEntry(Entry):
    domain: str = ""


@dataclass
class RangeEntry(Entry):
    network: str = ""
    tier: str = IPRange.Tier.PRIMARY
    note: str = ""
    added_on: dt.date | None = None
    retired_on: dt.date | None = None


@dataclass
class OverrideEntry(Entry):
    client: str = ""
    steps: StepsEntry | None = None


@dataclass
class VendorEntry(Entry):
    slug: str = ""
    name: str = ""
    website: str = ""
    description: str = ""
    addresses: list[AddressEntry] = field(default_factory=list)
    domains: list[DomainEntry] = field(default_factory=list)
    ranges: list[RangeEntry] = field(default_factory=list)
    overrides: list[OverrideEntry] = field(default_factory=list)


@dataclass
class ArticleEntry(Entry):
    vendor: str | None = None
    slug: str = ""
    kind: str = Article.Kind.GUIDE
    title: str = ""
    summary: str = ""
    status: str = Article.Status.DRAFT
    published_at: dt.datetime | None = None
    reviewed_on: dt.date | None = None
    show_it_section: bool = False
    clients: list[str] = field(default_factory=list)
    body: str = ""


@dataclass
class HelpCenterFile:
    """Everything a file says, checked and normalised, ready to import."""

    clients: list[ClientEntry] = field(default_factory=list)
    vendors: list[VendorEntry] = field(default_factory=list)
    articles: list[ArticleEntry] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Reading


class _Mapping:
    """One YAML mapping, checked against the keys it may hold."""

    def __init__(self, reader: _Reader, node: yaml.Node, place: Place, keys: tuple[str, ...], what: str):
        self.reader = reader
        self.place = place
        self.what = what
        self.nodes: dict[str, yaml.Node] = {}
        self.bad: set[str] = set()
        self.ok = isinstance(node, yaml.MappingNode)
        if not self.ok:
            reader.error(
                place,
                f"{'Each ' + what if place.path else 'The file'} must be a group of “key: value” lines, "
                f"not {_describe(node)}.",
                "wrong_type",
            )
            return
        reader.check_node(node, place, _MAP)
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in keys:
                shown = key if key is not None else _describe(key_node)
                close = difflib.get_close_matches(str(shown), keys, n=1)
                hint = f" Did you mean “{close[0]}”?" if close else ""
                reader.error(
                    place.child(str(shown), key_node),
                    f"“{shown}” is not a key a {what} can have.{hint} The keys are: {', '.join(keys)}.",
                    "unknown_key",
                )
            elif key in self.nodes:
                reader.error(
                    place.child(key, key_node),
                    f"“{key}” is written twice for this {what} (first on line {_line(self.nodes[key])}); "
                    f"keep one.",
                    "duplicate_key",
                )
            else:
                self.nodes[key] = value_node

    def place_of(self, key: str) -> Place:
        return self.place.child(key, self.nodes.get(key))

    def places(self) -> dict[str, Place]:
        return {key: self.place_of(key) for key in self.nodes}

    def error(self, key: str, message: str, code: str) -> None:
        self.bad.add(key)
        self.reader.error(self.place_of(key), message, code)

    def _value(self, key: str) -> yaml.Node | None:
        """The key's node, or None when it is left out or written empty (``~``, ``null``)."""
        node = self.nodes.get(key)
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return None
        return node

    def _missing(self, key: str) -> None:
        if key in self.nodes:
            self.error(key, f"“{key}” is empty; every {self.what} needs one.", "required")
        else:
            self.error(key, f"“{key}” is missing; every {self.what} needs one.", "required")

    def _scalar(self, key: str, node: yaml.Node, expected: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error(key, f"“{key}” should be {expected}, not {_describe(node)}.", "wrong_type")
            return None
        if not self.reader.check_node(node, self.place_of(key), _STR):
            self.bad.add(key)
            return None
        return node.value

    def text(self, key: str, *, required: bool = False) -> str:
        """Text exactly as written; ``2024`` or ``yes`` are text here, not numbers or booleans."""
        node = self._value(key)
        if node is None:
            if required:
                self._missing(key)
            return ""
        value = self._scalar(key, node, "text")
        if value is None:
            return ""
        if required and not value.strip():
            self._missing(key)
        return value

    def choice(self, key: str, choices: type[models.TextChoices], default: str) -> str:
        value = self.text(key)
        if not value:
            return default if key not in self.bad else ""
        if value not in choices.values:
            *others, last = choices.values
            allowed = f"{', '.join(others)} or {last}"
            self.error(key, f"“{value}” is not a valid {key}; write {allowed}.", "invalid_choice")
            return ""
        return value

    def boolean(self, key: str) -> bool:
        node = self._value(key)
        if node is None:
            return False
        value = self._scalar(key, node, "true or false")
        if value is None:
            return False
        if node.tag != _BOOL:
            self.error(key, f"“{value}” is not true or false; write true or false.", "wrong_type")
            return False
        return yaml.constructor.SafeConstructor.bool_values[value.lower()]

    def date(self, key: str) -> dt.date | None:
        node = self._value(key)
        if node is None:
            return None
        value = self._scalar(key, node, "a date")
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            self.error(
                key,
                f"“{value}” is not a date; write the date as year-month-day, for example 2024-05-01.",
                "invalid_date",
            )
            return None

    def datetime(self, key: str) -> dt.datetime | None:
        node = self._value(key)
        if node is None:
            return None
        value = self._scalar(key, node, "a date and time")
        if value is None:
            return None
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            self.error(
                key,
                f"“{value}” is not a date and time; write it like 2026-01-15T09:00:00Z (Z means UTC).",
                "invalid_date",
            )
            return None
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=dt.UTC)
        return moment

    def items(self, key: str) -> list[tuple[int, yaml.Node]]:
        """The (index, node) of each item of a list; an empty or missing list has none."""
        node = self._value(key)
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(
                key,
                f"“{key}” should be a list (one “- item” per line, or [a, b]), not {_describe(node)}.",
                "wrong_type",
            )
            return []
        if not self.reader.check_node(node, self.place_of(key), _SEQ):
            return []
        return list(enumerate(node.value))

    def text_items(self, key: str, what: str) -> list[tuple[str, Place]]:
        """A list of text items, each with its place; empty items are refused."""
        found = []
        for index, node in self.items(key):
            place = self.place.child(f"{key}[{index}]", node)
            if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL:
                shown = "empty" if isinstance(node, yaml.ScalarNode) else _describe(node)
                self.reader.error(place, f"Each {what} should be text, not {shown}.", "wrong_type")
                continue
            if not self.reader.check_node(node, place, _STR):
                continue
            if not node.value.strip():
                self.reader.error(place, f"This {what} is empty; remove the line or write it.", "required")
                continue
            found.append((node.value, place))
        return found


def _label(node: yaml.Node, *keys: str) -> str:
    """`` (acme)``: the identifying values of a list item, for the path."""
    if not isinstance(node, yaml.MappingNode):
        return ""
    values = {k.value: v.value for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    parts = [
        str(values[key]) for key in keys if isinstance(values.get(key), str) and values[key].strip() != ""
    ]
    return f" ({'/'.join(parts)})" if parts else ""


class _Reader:
    """Walks a composed file, collecting entries and every problem found on the way."""

    def __init__(self, stored_vendors: Collection[str], stored_clients: Collection[str]):
        self.problems: list[Problem] = []
        self.stored_vendors = set(stored_vendors)
        self.stored_clients = set(stored_clients)
        self.file_vendors: set[str] = set()
        self.file_clients: set[str] = set()

    def error(self, place: Place, message: str, code: str) -> None:
        self.problems.append(Problem(place.line, place.path, message, code))

    def check_node(self, node: yaml.Node, place: Place, own_tag: str) -> bool:
        """Refuse explicit YAML tags (``!!python/object``...), which the format has no use for,
        and the NUL character (``"\\0"``), which PostgreSQL cannot store."""
        allowed = _PLAIN_SCALAR_TAGS if own_tag == _STR else {own_tag}
        if node.tag not in allowed:
            self.error(place, f"The YAML tag “{node.tag}” is not allowed here; remove it.", "yaml_tag")
            return False
        if isinstance(node, yaml.ScalarNode) and "\x00" in node.value:
            self.error(place, "The text contains a NUL character (\\0); remove it.", "nul")
            return False
        return True

    def model(self, instance: models.Model, entry: Entry, mapping: _Mapping, exclude: Iterable[str] = ()):
        """Run the model's own field checks and ``clean()``, without touching the database."""
        try:
            instance.full_clean(
                exclude=[*exclude, *mapping.bad], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self.problems.extend(_problems_from(error, entry.place_of))

    def read(self, root: yaml.Node) -> HelpCenterFile:
        document = HelpCenterFile()
        top = _Mapping(self, root, Place(_line(root)), FILE_KEYS, "help center file")
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
            slug for slug in (_scalar_value(node, "slug") for node, _ in client_nodes) if slug
        }
        self.file_vendors = {
            slug for slug in (_scalar_value(node, "slug") for node, _ in vendor_nodes) if slug
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
        self, top: _Mapping, key: str, label_keys: tuple[str, ...]
    ) -> list[tuple[yaml.Node, Place]]:
        return [
            (node, top.place.child(f"{key}[{index}]{_label(node, *label_keys)}", node))
            for index, node in top.items(key)
        ]

    def _check_unique(self, entries: list, key: str, what: str, value: Callable) -> None:
        first: dict = {}
        for entry in entries:
            found = value(entry)
            if not found:
                continue
            if found in first:
                earlier = first[found]
                self.error(
                    entry.place_of(key),
                    f"Another {what} earlier in the file (line {earlier.line}, {earlier.path}) has the "
                    f"same {key}; each {what} must be listed once.",
                    "duplicate",
                )
            else:
                first[found] = entry.place

    def _steps(self, mapping: _Mapping, entry: Entry) -> StepsEntry:
        steps = StepsEntry(place=entry.place, places=entry.places, intro=mapping.text("intro"))
        self.model(StepList(intro=steps.intro), steps, mapping, exclude=["mail_client", "vendor"])
        for text, place in mapping.text_items("steps", "step"):
            try:
                Step(text=text).full_clean(
                    exclude=["step_list"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                self.problems.extend(_problems_from(error, lambda _field, place=place: place))
            steps.steps.append(text)
            steps.step_places.append(place)
        return steps

    def _client(self, node: yaml.Node, place: Place, position: int) -> ClientEntry:
        mapping = _Mapping(self, node, place, CLIENT_KEYS, "mail client")
        entry = ClientEntry(place=place, places=mapping.places(), position=position)
        if not mapping.ok:
            return entry
        entry.slug = mapping.text("slug", required=True)
        entry.name = mapping.text("name", required=True)
        entry.short_name = mapping.text("short_name")
        entry.audience = mapping.choice("audience", MailClient.Audience, MailClient.Audience.PERSON)
        entry.description = mapping.text("description")
        self.model(
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
        mapping = _Mapping(self, node, place, VENDOR_KEYS, "vendor")
        entry = VendorEntry(place=place, places=mapping.places())
        if not mapping.ok:
            return entry
        entry.slug = mapping.text("slug", required=True)
        entry.name = mapping.text("name", required=True)
        entry.website = mapping.text("website")
        entry.description = mapping.text("description")
        self.model(
            Vendor(slug=entry.slug, name=entry.name, website=entry.website, description=entry.description),
            entry,
            mapping,
        )
        entry.addresses = self._addresses(mapping)
        entry.domains = self._domains(mapping)
        entry.ranges = self._ranges(mapping)
        entry.overrides = self._overrides(mapping)
        return entry

    def _addresses(self, vendor: _Mapping) -> list[AddressEntry]:
        found: list[AddressEntry] = []
        seen: dict[str, Place] = {}
        for index, node in vendor.items("sender_addresses"):
            place = vendor.place.child(f"sender_addresses[{index}]", node)
            mapping = _Mapping(self, node, place, ADDRESS_KEYS, "sender address")
            if not mapping.ok:
                continue
            entry = AddressEntry(place=place, places=mapping.places())
            entry.address = mapping.text("address", required=True)
            entry.used_for = mapping.text("used_for")
            instance = SenderAddress(address=entry.address, used_for=entry.used_for, position=index)
            before = len(self.problems)
            self.model(instance, entry, mapping, exclude=["vendor"])
            if len(self.problems) == before and entry.address:
                entry.address = instance.address
                if entry.address in seen:
                    self._repeated(
                        entry.place_of("address"), f"The address {entry.address}", seen[entry.address]
                    )
                else:
                    seen[entry.address] = entry.place
            found.append(entry)
        return found

    def _domains(self, vendor: _Mapping) -> list[DomainEntry]:
        found: list[DomainEntry] = []
        seen: dict[str, Place] = {}
        for text, place in vendor.text_items("sender_domains", "sender domain"):
            instance = SenderDomain(domain=text)
            try:
                instance.full_clean(exclude=["vendor"], validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                self.problems.extend(_problems_from(error, lambda _field, place=place: place))
                continue
            if instance.domain in seen:
                self._repeated(place, f"The domain {instance.domain}", seen[instance.domain])
                continue
            seen[instance.domain] = place
            found.append(DomainEntry(place=place, domain=instance.domain))
        return found

    def _ranges(self, vendor: _Mapping) -> list[RangeEntry]:
        found: list[RangeEntry] = []
        in_force: dict[str, Place] = {}
        for index, node in vendor.items("ip_ranges"):
            place = vendor.place.child(f"ip_ranges[{index}]", node)
            mapping = _Mapping(self, node, place, RANGE_KEYS, "IP range")
            if not mapping.ok:
                continue
            entry = RangeEntry(place=place, places=mapping.places())
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
            before = len(self.problems)
            self.model(instance, entry, mapping, exclude=exclude)
            if len(self.problems) == before and entry.network:
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

    def _overrides(self, vendor: _Mapping) -> list[OverrideEntry]:
        found: list[OverrideEntry] = []
        seen: dict[str, Place] = {}
        for index, node in vendor.items("step_overrides"):
            place = vendor.place.child(f"step_overrides[{index}]{_label(node, 'client')}", node)
            mapping = _Mapping(self, node, place, OVERRIDE_KEYS, "step override")
            if not mapping.ok:
                continue
            entry = OverrideEntry(place=place, places=mapping.places())
            entry.client = mapping.text("client", required=True)
            if entry.client:
                self._check_client(entry.client, entry.place_of("client"))
                if entry.client in seen:
                    self.error(
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
        mapping = _Mapping(self, node, place, ARTICLE_KEYS, "article")
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
        self.model(
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
            self.error(
                place,
                f"There is no mail client “{slug}” in this file or in the help center. Check the "
                f"spelling, or add it under “mail_clients”.",
                "unknown_client",
            )

    def _repeated(self, place: Place, what: str, first: Place) -> None:
        self.error(place, f"{what} is listed twice (first on line {first.line}); keep one.", "duplicate")


def _scalar_value(node: yaml.Node, key: str) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key and isinstance(value_node, yaml.ScalarNode) and value_node.tag != _NULL:
                return value_node.value
    return None


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
    if reader.problems:
        raise InterchangeError(reader.problems)
    return document


# ---------------------------------------------------------------------------
# Importing

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


def _assign(instance: models.Model, **values) -> bool:
    """Set fields; True when any of them changed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


class _Writer:
    """Writes parsed entries; collects problems the database reveals instead of stopping at one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.report = ImportReport()
        self.clients: dict[str, MailClient] = {client.slug: client for client in MailClient.objects.all()}
        self.vendors: dict[str, Vendor] = {vendor.slug: vendor for vendor in Vendor.objects.all()}

    def save(
        self,
        instance: models.Model,
        *,
        kind: str,
        label: str,
        place_of: Callable[[str], Place],
        changed: bool,
    ) -> bool:
        created = instance.pk is None
        if not created and not changed:
            self.report.record(kind, "unchanged", label)
            return True
        try:
            instance.full_clean()
        except ValidationError as error:
            self.problems.extend(_problems_from(error, place_of))
            return False
        instance.save()
        self.report.record(kind, "created" if created else "updated", label)
        return True

    def delete(self, instance: models.Model, *, kind: str, label: str) -> None:
        instance.delete()
        self.report.record(kind, "deleted", label)

    def write(self, document: HelpCenterFile) -> None:
        for entry in document.clients:
            self._client(entry)
        for entry in document.vendors:
            self._vendor(entry)
        articles = {
            (article.vendor.slug if article.vendor_id else None, article.slug): article
            for article in Article.objects.select_related("vendor")
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

    def _step_list(self, *, client: MailClient, vendor: Vendor | None, entry: StepsEntry | None, label: str):
        """Make one step list (generic when ``vendor`` is None) match the file; None removes it."""
        step_list = None
        if client.pk is not None:
            step_list = StepList.objects.filter(mail_client=client, vendor=vendor).first()
        if entry is None:
            if step_list is not None:
                self.delete(step_list, kind="step list", label=label)
            return
        if step_list is None:
            step_list = StepList(mail_client=client, vendor=vendor)
        changed = _assign(step_list, intro=entry.intro)
        if not self.save(step_list, kind="step list", label=label, place_of=entry.place_of, changed=changed):
            return
        stored = list(step_list.steps.order_by("position", "pk"))
        for position, text in enumerate(entry.steps):
            step = stored[position] if position < len(stored) else Step(step_list=step_list)
            changed = _assign(step, text=text, position=position)
            step_label = f"{label} #{position + 1}"
            place = entry.step_places[position]
            self.save(step, kind="step", label=step_label, place_of=lambda _f, p=place: p, changed=changed)
        for position, step in enumerate(stored[len(entry.steps) :], start=len(entry.steps)):
            self.delete(step, kind="step", label=f"{label} #{position + 1}")

    def _vendor(self, entry: VendorEntry) -> None:
        vendor = self.vendors.get(entry.slug) or Vendor(slug=entry.slug)
        created = vendor.pk is None
        changed = _assign(vendor, name=entry.name, website=entry.website, description=entry.description)
        # The vendor row is saved before its facts: their signals move facts_changed_at
        # in the database, and a later save of this instance would put the old value back.
        if not self.save(vendor, kind="vendor", label=entry.slug, place_of=entry.place_of, changed=changed):
            return
        self.vendors[entry.slug] = vendor
        self._addresses(vendor, entry, created)
        self._domains(vendor, entry, created)
        self._ranges(vendor, entry, created)
        self._overrides(vendor, entry, created)

    def _addresses(self, vendor: Vendor, entry: VendorEntry, created: bool) -> None:
        stored = {} if created else {a.address: a for a in vendor.sender_addresses.all()}
        wanted = {a.address for a in entry.addresses}
        for address, row in stored.items():
            if address not in wanted:
                self.delete(row, kind="sender address", label=f"{address} of {vendor.slug}")
        for position, item in enumerate(entry.addresses):
            row = stored.get(item.address) or SenderAddress(vendor=vendor, address=item.address)
            changed = _assign(row, used_for=item.used_for, position=position)
            self.save(row, kind="sender address", label=item.address, place_of=item.place_of, changed=changed)

    def _domains(self, vendor: Vendor, entry: VendorEntry, created: bool) -> None:
        stored = {} if created else {d.domain: d for d in vendor.sender_domains.all()}
        wanted = {d.domain for d in entry.domains}
        for domain, row in stored.items():
            if domain not in wanted:
                self.delete(row, kind="sender domain", label=f"{domain} of {vendor.slug}")
        for item in entry.domains:
            if item.domain in stored:
                self.report.record("sender domain", "unchanged", item.domain)
                continue
            row = SenderDomain(vendor=vendor, domain=item.domain)
            self.save(
                row,
                kind="sender domain",
                label=item.domain,
                place_of=lambda _f, p=item.place: p,
                changed=True,
            )

    def _ranges(self, vendor: Vendor, entry: VendorEntry, created: bool) -> None:
        stored = [] if created else list(vendor.ip_ranges.order_by("pk"))
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
        wanted = {item.client for item in entry.overrides}
        if not created:
            for step_list in vendor.step_lists.select_related("mail_client"):
                if step_list.mail_client.slug not in wanted:
                    label = f"{step_list.mail_client.slug} of {vendor.slug}"
                    self.delete(step_list, kind="step list", label=label)
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
        stored = {
            section.mail_client.slug: section
            for section in article.client_sections.select_related("mail_client")
        }
        for slug, section in stored.items():
            if slug not in entry.clients:
                self.delete(section, kind="article section", label=f"{slug} in {label}")
        for position, slug in enumerate(entry.clients):
            section = stored.get(slug) or ArticleClient(article=article, mail_client=self.clients[slug])
            changed = _assign(section, position=position)
            self.save(
                section,
                kind="article section",
                label=f"{slug} in {label}",
                place_of=lambda _f: entry.place_of("clients"),
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


def import_helpcenter(*, document: HelpCenterFile, dry_run: bool = False) -> ImportReport:
    """Make the database match ``document``, all or nothing.

    Raises InterchangeError (and changes nothing) if any row is refused. With
    ``dry_run`` everything is written and checked, then rolled back, so the
    report says exactly what a real import would change.
    """
    with transaction.atomic():
        writer = _Writer()
        writer.write(document)
        if writer.problems:
            raise InterchangeError(writer.problems)
        if dry_run:
            transaction.set_rollback(True)
    return writer.report


def import_text(*, text: str, dry_run: bool = False) -> ImportReport:
    """Parse and import a help center file; InterchangeError lists every problem."""
    document = parse(
        text,
        stored_vendors=set(Vendor.objects.values_list("slug", flat=True)),
        stored_clients=set(MailClient.objects.values_list("slug", flat=True)),
    )
    return import_helpcenter(document=document, dry_run=dry_run)


# ---------------------------------------------------------------------------
# Exporting


class _Flow(list):
    """A short list written on one line: ``[a, b]``."""


class _Dumper(yaml.SafeDumper):
    """Block style, list items indented under their key, Markdown as ``|`` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


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
    return dumper.represent_scalar(_STR, value, style="|" if block else None)


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.Node:
    value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", text + "Z")


_LINE_BREAKS = re.compile("\r\n|[\r\x85]")
_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(dt.datetime, _represent_datetime)
_Dumper.add_representer(_Flow, lambda dumper, value: dumper.represent_sequence(_SEQ, value, flow_style=True))

_HEADER = (
    "# Safelist Help Center: the whole help center in one file.\n"
    "# The format is described in fixtures/FORMAT.md.\n"
)


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
        Prefetch("sender_addresses", queryset=SenderAddress.objects.order_by("position", "address")),
        Prefetch("sender_domains", queryset=SenderDomain.objects.order_by("domain")),
        "ip_ranges",
    ):
        data = {"slug": vendor.slug, "name": vendor.name}
        _optional(
            data,
            website=vendor.website,
            description=vendor.description,
            sender_addresses=[
                _optional({"address": a.address}, used_for=a.used_for) for a in vendor.sender_addresses.all()
            ],
            sender_domains=_Flow(d.domain for d in vendor.sender_domains.all()),
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
            show_it_section=article.show_it_section,
            clients=_Flow(section.mail_client.slug for section in article.client_sections.all()),
            body=article.body,
        )
        articles.append(data)

    return _render({"mail_clients": clients, "vendors": vendors, "articles": articles})


def _render(sections: dict[str, list[dict]]) -> str:
    """The file's text: the format line, then each non-empty section, items apart by a blank line."""
    parts = [_HEADER + _dump({"format": FORMAT})]
    for key, items in sections.items():
        if items:
            parts.append(f"{key}:\n" + "\n".join(_indent(_dump([item])) for item in items))
    return "\n".join(parts)


def _range_order(row: IPRange) -> tuple:
    return (
        _tier_order(row.tier),
        row.version,
        row.start,
        row.prefixlen,
        row.retired_on is not None,
        row.retired_on or dt.date.min,
        row.added_on,
        row.note,
    )


def _range(row: IPRange) -> dict:
    data = {"network": row.network, "tier": row.tier}
    _optional(data, note=row.note)
    data["added_on"] = row.added_on
    return _optional(data, retired_on=row.retired_on)
