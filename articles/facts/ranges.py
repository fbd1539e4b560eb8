"""Pure reasoning about a list of ranges: verdicts in words, overlaps, the shortest equivalent.

No database here: the paste tool and the vendor page hand these functions the
networks they already hold.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from articles.facts import networks
from articles.facts.networks import Network, RangeError
from articles.facts.sender_ranges import documentation_ranges_allowed, parse_sender_range

#: Verdicts whose line becomes a new range when saved.
ADDED = frozenset({"accepted", "normalised"})

STATUS_LABELS = {
    "accepted": "Accepted",
    "normalised": "Accepted, normalised",
    "duplicate": "Duplicate, skipped",
    "invalid": "Invalid",
}

#: How often ``judge_lines`` reports its progress, in lines.
PROGRESS_EVERY = 1000

# Beyond this many, an overlap flag names a few ranges and counts the rest.
_NAMED_IN_FLAG = 3


@dataclass(frozen=True)
class LineVerdict:
    """What became of one pasted line."""

    line_number: int
    text: str
    network: Network | None
    status: str  # "accepted", "normalised", "duplicate", "invalid"
    message: str
    code: str = ""  # why an invalid line is refused: the RangeError's code

    @property
    def ok(self) -> bool:
        return self.status != "invalid"


def judge_lines(
    text: str,
    existing: set[str],
    *,
    allow_documentation: bool | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[LineVerdict]:
    """Give a verdict for each non-blank line of pasted ranges.

    ``existing`` is the set of normalised networks already stored; a line that
    repeats one, or repeats an earlier line, is a duplicate. Blank lines
    between ranges are ignored, as people paste them; a paste with no range at
    all is one "empty" verdict. A range no sender publishes is invalid
    (``check_sender_range``; ``allow_documentation`` as there).
    ``progress``, if given, is called with the number of lines read so far
    every ``PROGRESS_EVERY`` lines (a background paste shows it).
    """
    if allow_documentation is None:
        allow_documentation = documentation_ranges_allowed()  # once, not on each of 10,000 lines
    verdicts: list[LineVerdict] = []
    seen = set(existing)
    for number, raw in enumerate(text.splitlines(), start=1):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
        if not raw.strip():
            continue
        try:
            network = parse_sender_range(raw, allow_documentation=allow_documentation)
        except RangeError as error:
            verdicts.append(LineVerdict(number, raw, None, "invalid", str(error), error.code))
            continue
        canonical = network.with_prefixlen
        if canonical in seen:
            verdicts.append(LineVerdict(number, raw, network, "duplicate", f"{canonical} is already listed."))
            continue
        seen.add(canonical)
        if networks.strip_line(raw) == canonical:
            verdicts.append(LineVerdict(number, raw, network, "accepted", f"{canonical} accepted."))
        else:
            verdicts.append(
                LineVerdict(
                    number,
                    raw,
                    network,
                    "normalised",
                    f"{canonical} accepted, written from “{raw.strip()}”.",
                )
            )
    if not verdicts:
        verdicts.append(
            LineVerdict(1, text, None, "invalid", "Paste at least one IP address or range.", "empty")
        )
    return verdicts


@dataclass(frozen=True)
class RangeLine:
    """One pasted line as staff see it: the verdict, in words, and its overlaps."""

    verdict: LineVerdict
    message: str
    overlaps: str

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.verdict.status]


@dataclass(frozen=True)
class RangeCheck:
    """The dry run of a paste: what each line would become, and the list after it."""

    lines: list[RangeLine]
    listed: list[Network]
    #: What the lines were judged against (the text and the vendor's stored ranges), so that a
    #: check made earlier is known to stand while none of it has changed.
    basis: tuple = ()

    @property
    def ok(self) -> bool:
        return all(line.verdict.ok for line in self.lines)

    @property
    def invalid(self) -> list[RangeLine]:
        return [line for line in self.lines if not line.verdict.ok]

    @property
    def to_add(self) -> list[Network]:
        return [line.verdict.network for line in self.lines if line.status in ADDED]

    @property
    def duplicates(self) -> list[RangeLine]:
        return [line for line in self.lines if line.status == "duplicate"]

    @cached_property
    def after(self) -> list[Network]:
        """The vendor's published ranges once the paste is saved."""
        return self.listed + self.to_add

    @cached_property
    def shortest(self) -> list[Network]:
        return shortest_equivalent(self.after)

    @property
    def can_be_shorter(self) -> bool:
        return len(self.shortest) < len(self.after)


def shortest_equivalent(items: Iterable[Network]) -> list[Network]:
    """The shortest list of CIDR ranges covering exactly the same addresses."""
    items = list(items)
    shortest: list[Network] = []
    for version in (4, 6):
        shortest.extend(ipaddress.collapse_addresses(n for n in items if n.version == version))
    return shortest


def describe_overlaps(
    items: Iterable[Network], *, where: Mapping[Network, str] | None = None
) -> dict[Network, str]:
    """For each network that overlaps another, a phrase such as "inside 3.93.157.0/24".

    Two CIDR ranges either are disjoint or one contains the other, so every
    overlap is an "inside" or a "contains". ``where`` adds where the other
    range comes from, e.g. " (line 3)". Overlaps are flagged, never refused:
    a vendor may list a single address in its primary tier and the range
    around it in the additional tier on purpose.
    """
    where = where or {}
    inside: dict[Network, list[Network]] = defaultdict(list)
    contains: dict[Network, list[Network]] = defaultdict(list)
    for outer, inner in networks.overlaps(list(dict.fromkeys(items))):
        inside[inner].append(outer)
        contains[outer].append(inner)
    phrases: dict[Network, str] = {}
    for network in inside.keys() | contains.keys():
        parts = []
        if inside[network]:
            # The closest container first: it is the one staff most likely meant.
            closest_first = sorted(inside[network], key=lambda n: -n.prefixlen)
            parts.append("inside " + _name_some(closest_first, where))
        if contains[network]:
            parts.append("contains " + _name_some(contains[network], where))
        phrases[network] = "; ".join(parts)
    return phrases


def _name_some(items: list[Network], where: Mapping[Network, str]) -> str:
    named = [f"{n}{where.get(n, '')}" for n in items[:_NAMED_IN_FLAG]]
    rest = len(items) - len(named)
    if rest:
        return ", ".join(named) + f" and {rest} more"
    return ", ".join(named)
