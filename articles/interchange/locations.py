"""Where a problem is in a help center file, and the error that lists every problem.

Each problem names its line and its path in the file (``vendors[0] (acme) >
name``), so a support person can go straight to it. Problems are collected
rather than raised one at a time: reading and writing go on after each, and
only at the end does ``Problems.raise_if_any()`` refuse the file with all of
them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import yaml
from django.core.exceptions import ValidationError


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


def line_of(node: yaml.Node) -> int:
    """The line a YAML node starts on, counting from 1 as editors do."""
    return node.start_mark.line + 1


@dataclass(frozen=True)
class Place:
    """A position in the file: its line and its path, like ``vendors[0] (acme) > name``."""

    line: int | None
    path: str = ""

    def child(self, name: str, node: yaml.Node | None = None) -> Place:
        """The place of ``name`` inside this one: on ``node``'s line, or on this line without a node."""
        return Place(
            line_of(node) if node is not None else self.line, f"{self.path} > {name}" if self.path else name
        )

    def everywhere(self) -> PlaceOf:
        """A ``PlaceOf`` for a value written as one item (a step, a domain): all its fields are here."""
        return lambda _field: self


#: Where the value of a model field was written in the file, by field name.
PlaceOf = Callable[[str], Place]


class Problems:
    """The problems found in one file so far, in the order they were found."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, place: Place, message: str, code: str) -> None:
        self.found.append(Problem(place.line, place.path, message, code))

    def add_validation_error(self, error: ValidationError, place_of: PlaceOf) -> None:
        """A model's ValidationError, each message placed at the key its field came from."""
        for field_name, errors in error.error_dict.items():
            place = place_of(field_name)
            for item in errors:
                for message in item.messages:
                    self.found.append(Problem(place.line, place.path, message, item.code or "invalid"))

    def raise_if_any(self) -> None:
        if self.found:
            raise InterchangeError(self.found)
