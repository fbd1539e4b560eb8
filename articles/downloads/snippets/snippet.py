"""What a snippet is, and how the facts are worded inside every one of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from articles.downloads.published import Facts


@dataclass(frozen=True)
class Snippet:
    """Text for one mail system, with where it goes."""

    key: str  # stable: the section anchor on the For IT page and the download's name
    title: str
    filename: str
    summary: str
    text: str
    notes: tuple[str, ...] = field(default=())


def one_line(text: str) -> str:
    """Facts shown inside a comment or a quoted name stay on one line."""
    return " ".join(text.split())


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 range``, ``2 ranges``; ``many`` where adding an s is wrong."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def sender_patterns(facts: Facts, domain_pattern: Callable[[str], str]) -> list[str]:
    """Each sender domain as a pattern, and each address its domains do not already cover."""
    patterns = [domain_pattern(domain) for domain in facts.domains]
    covered = set(facts.domains)
    patterns += [s.address for s in facts.addresses if s.address.rpartition("@")[2] not in covered]
    return list(dict.fromkeys(patterns))
