"""What reading one help center file keeps as it goes, and the checks every part of the file shares.

A ``Reader`` holds the problems found so far and the slugs a reference may
point to (those in the file and those already stored). The parts of the file
are read by parse_clients.py, parse_vendors.py and parse_articles.py, each
through one reader, so every problem lands in one list in the order found.
``FirstSeen`` refuses a value a list holds twice.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

import yaml
from django.core.exceptions import ValidationError
from django.db import models

from articles.interchange.locations import Place, PlaceOf, Problems
from articles.interchange.nodes import Mapping, item_label
from articles.interchange.schema import Entry


class Reader:
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

    def list_items(
        self, parent: Mapping, key: str, label_keys: tuple[str, ...]
    ) -> list[tuple[yaml.Node, Place]]:
        """Each item of the list under ``key``, with its place (``vendors[0] (acme)``)."""
        return [
            (node, parent.place.child(f"{key}[{index}]{item_label(node, *label_keys)}", node))
            for index, node in parent.items(key)
        ]

    def mappings(
        self, parent: Mapping, key: str, keys: tuple[str, ...], what: str, label_keys: tuple[str, ...] = ()
    ) -> Iterator[tuple[int, Mapping]]:
        """Each item of a list that is a group of lines, checked against ``keys``, with its index."""
        for index, (node, place) in enumerate(self.list_items(parent, key, label_keys)):
            mapping = Mapping(self.problems, node, place, keys, what)
            if mapping.ok:
                yield index, mapping

    def check_client(self, slug: str, place: Place) -> None:
        """A reference to a mail client must name one in the file or in the help center."""
        if slug not in self.file_clients | self.stored_clients:
            self.problems.add(
                place,
                f"There is no mail client “{slug}” in this file or in the help center. Check the "
                f"spelling, or add it under “mail_clients”.",
                "unknown_client",
            )


class FirstSeen:
    """The values of one list met so far, each with where it was first written; a repeat is a problem."""

    def __init__(self, reader: Reader, what: str):
        self.problems = reader.problems
        self.what = what
        self.places: dict[str, Place] = {}

    def is_new(self, value: str, place: Place, first: Place | None = None) -> bool:
        """True the first time ``value`` is met, noting it at ``first`` (or ``place``);
        else a problem at ``place`` that names the line it came first."""
        if value in self.places:
            self.problems.add(
                place,
                f"{self.what} {value} is listed twice (first on line {self.places[value].line}); keep one.",
                "duplicate",
            )
            return False
        self.places[value] = first or place
        return True
