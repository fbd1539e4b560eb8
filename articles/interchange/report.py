"""What an import changed (or, for a dry run, would change), counted by kind and action."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

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
    #: Things saved that a person should look at (a look-alike domain), each with its line.
    warnings: list[str] = field(default_factory=list)

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
