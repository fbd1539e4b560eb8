"""Typed values out of composed YAML nodes, each problem placed where it was written.

``Mapping`` wraps one group of ``key: value`` lines: it refuses keys the part of
the file may not hold (suggesting the one meant) and keys written twice, then
hands out each value as the type the format expects (text, a choice, true or
false, a date, a list), adding a problem and a harmless empty value when the
file holds something else. Text stays exactly as typed: ``name: Yes`` is the
text "Yes", not the boolean true.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from typing import TypeVar

import yaml
from django.db import models
from django.utils import timezone

from articles.interchange.locations import Place, Problems, line_of

_Value = TypeVar("_Value")

STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
# Tags the safe loader gives plain scalars; anything else was written with "!".
_PLAIN_SCALAR_TAGS = frozenset(
    {STR_TAG, NULL_TAG, BOOL_TAG, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", TIMESTAMP_TAG}
)


def describe(node: yaml.Node) -> str:
    """What a node is, in words for a message: “acme”, a list, a group of lines."""
    if isinstance(node, yaml.MappingNode):
        return "a group of “key: value” lines"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"“{node.value}”"


def item_label(node: yaml.Node, *keys: str) -> str:
    """`` (acme)``: the identifying values of a list item, for the path."""
    if not isinstance(node, yaml.MappingNode):
        return ""
    values = {k.value: v.value for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    parts = [
        str(values[key]) for key in keys if isinstance(values.get(key), str) and values[key].strip() != ""
    ]
    return f" ({'/'.join(parts)})" if parts else ""


def scalar_value(node: yaml.Node, key: str) -> str | None:
    """The text of ``key`` in a mapping node, unchecked; None when it is not there as text."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if (
                key_node.value == key
                and isinstance(value_node, yaml.ScalarNode)
                and value_node.tag != NULL_TAG
            ):
                return value_node.value
    return None


def check_node(problems: Problems, node: yaml.Node, place: Place, own_tag: str) -> bool:
    """Refuse explicit YAML tags (``!!python/object``...), which the format has no use for,
    and the NUL character (``"\\0"``), which PostgreSQL cannot store."""
    allowed = _PLAIN_SCALAR_TAGS if own_tag == STR_TAG else {own_tag}
    if node.tag not in allowed:
        problems.add(place, f"The YAML tag “{node.tag}” is not allowed here; remove it.", "yaml_tag")
        return False
    if isinstance(node, yaml.ScalarNode) and "\x00" in node.value:
        problems.add(place, "The text contains a NUL character (\\0); remove it.", "nul")
        return False
    return True


class Mapping:
    """One YAML mapping, checked against the keys it may hold.

    ``ok`` is False when the node is not a mapping at all. ``bad`` holds the keys
    already refused, so that the model checks run afterwards skip them instead
    of reporting the same key a second time as missing.
    """

    def __init__(self, problems: Problems, node: yaml.Node, place: Place, keys: tuple[str, ...], what: str):
        self.problems = problems
        self.place = place
        self.what = what
        self.nodes: dict[str, yaml.Node] = {}
        self.bad: set[str] = set()
        self.ok = isinstance(node, yaml.MappingNode)
        if not self.ok:
            problems.add(
                place,
                f"{'Each ' + what if place.path else 'The file'} must be a group of “key: value” lines, "
                f"not {describe(node)}.",
                "wrong_type",
            )
            return
        check_node(problems, node, place, MAP_TAG)
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in keys:
                shown = key if key is not None else describe(key_node)
                close = difflib.get_close_matches(str(shown), keys, n=1)
                hint = f" Did you mean “{close[0]}”?" if close else ""
                problems.add(
                    place.child(str(shown), key_node),
                    f"“{shown}” is not a key a {what} can have.{hint} The keys are: {', '.join(keys)}.",
                    "unknown_key",
                )
            elif key in self.nodes:
                problems.add(
                    place.child(key, key_node),
                    f"“{key}” is written twice for this {what} (first on line {line_of(self.nodes[key])}); "
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
        self.problems.add(self.place_of(key), message, code)

    def _value(self, key: str) -> yaml.Node | None:
        """The key's node, or None when it is left out or written empty (``~``, ``null``)."""
        node = self.nodes.get(key)
        if isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG:
            return None
        return node

    def _missing(self, key: str) -> None:
        if key in self.nodes:
            self.error(key, f"“{key}” is empty; every {self.what} needs one.", "required")
        else:
            self.error(key, f"“{key}” is missing; every {self.what} needs one.", "required")

    def _scalar(self, key: str, node: yaml.Node, expected: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error(key, f"“{key}” should be {expected}, not {describe(node)}.", "wrong_type")
            return None
        if not check_node(self.problems, node, self.place_of(key), STR_TAG):
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
        if node.tag != BOOL_TAG:
            self.error(key, f"“{value}” is not true or false; write true or false.", "wrong_type")
            return False
        return yaml.constructor.SafeConstructor.bool_values[value.lower()]

    def _converted(
        self, key: str, expected: str, convert: Callable[[str], _Value], refusal: str
    ) -> _Value | None:
        """The key's text turned into a value by ``convert``; ``refusal`` (with the text for ``{value}``)
        when it raises ValueError."""
        node = self._value(key)
        if node is None:
            return None
        value = self._scalar(key, node, expected)
        if value is None:
            return None
        try:
            return convert(value.strip())
        except ValueError:
            self.error(key, refusal.format(value=value), "invalid_date")
            return None

    def date(self, key: str) -> dt.date | None:
        return self._converted(
            key,
            "a date",
            dt.date.fromisoformat,
            "“{value}” is not a date; write the date as year-month-day, for example 2024-05-01.",
        )

    def datetime(self, key: str) -> dt.datetime | None:
        """A moment in time; one written without a time zone is taken as UTC."""
        moment = self._converted(
            key,
            "a date and time",
            dt.datetime.fromisoformat,
            "“{value}” is not a date and time; write it like 2026-01-15T09:00:00Z (Z means UTC).",
        )
        if moment is not None and timezone.is_naive(moment):
            moment = moment.replace(tzinfo=dt.UTC)
        return moment

    def past_datetime(self, key: str) -> dt.datetime | None:
        """A moment already past: when something last changed cannot be later than now."""
        moment = self.datetime(key)
        if moment is not None and moment > timezone.now():
            self.error(
                key,
                f"“{key}” is {moment.isoformat()}, which has not come yet: it says when something "
                f"last changed, so it must be in the past. Leave it out to use the time of the import.",
                "future_moment",
            )
            return None
        return moment

    def items(self, key: str) -> list[tuple[int, yaml.Node]]:
        """The (index, node) of each item of a list; an empty or missing list has none."""
        node = self._value(key)
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(
                key,
                f"“{key}” should be a list (one “- item” per line, or [a, b]), not {describe(node)}.",
                "wrong_type",
            )
            return []
        if not check_node(self.problems, node, self.place_of(key), SEQ_TAG):
            return []
        return list(enumerate(node.value))

    def text_items(self, key: str, what: str) -> list[tuple[str, Place]]:
        """A list of text items, each with its place; empty items are refused."""
        found = []
        for index, node in self.items(key):
            place = self.place.child(f"{key}[{index}]", node)
            text = self.text_item(node, place, what)
            if text is not None:
                found.append((text, place))
        return found

    def text_item(self, node: yaml.Node, place: Place, what: str) -> str | None:
        """The text of one list item, or None with a problem at ``place`` if it is not text or empty."""
        if not isinstance(node, yaml.ScalarNode) or node.tag == NULL_TAG:
            shown = "empty" if isinstance(node, yaml.ScalarNode) else describe(node)
            self.problems.add(place, f"Each {what} should be text, not {shown}.", "wrong_type")
            return None
        if not check_node(self.problems, node, place, STR_TAG):
            return None
        if not node.value.strip():
            self.problems.add(place, f"This {what} is empty; remove the line or write it.", "required")
            return None
        return node.value
