"""What a snippet is, and how the facts are worded inside every one of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from articles.downloads.published import Facts
from articles.downloads.safe_text import one_line


@dataclass(frozen=True)
class Snippet:
    """Text for one mail system, with where it goes."""

    key: str  # stable: the section anchor on the For IT page and the download's name
    title: str
    filename: str
    summary: str
    text: str
    notes: tuple[str, ...] = field(default=())


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 range``, ``2 ranges``; ``many`` where adding an s is wrong."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def vendor_name(facts: Facts) -> str:
    """The vendor's name on one line, for a comment or a summary; its slug if nothing is left."""
    return one_line(facts.name) or one_line(facts.slug)


def sender_patterns(facts: Facts, domain_pattern: Callable[[str], str]) -> list[str]:
    """Each plain sender domain as a pattern, and each plain address its domains do not cover."""
    patterns = [domain_pattern(domain) for domain in facts.plain_domains]
    covered = set(facts.plain_domains)
    patterns += [s.address for s in facts.plain_senders if s.address.rpartition("@")[2] not in covered]
    return list(dict.fromkeys(patterns))


def left_out_note(facts: Facts) -> tuple[str, ...]:
    """For the For IT page: how many sender addresses and domains no file holds, and why."""
    if not facts.left_out:
        return ()
    count = facts.left_out
    what = (
        "is not a plain email address or host name"
        if count == 1
        else "are not plain email addresses or host names"
    )
    return (
        f"Left out: {plural(count, 'sender address or domain', 'sender addresses or domains')} that "
        f"{what}, which a mail system could read as something else.",
    )
