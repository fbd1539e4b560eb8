"""Gateway-ready snippets: a vendor's facts in the form each mail system takes.

Pure functions from ``published.Facts`` to ``Snippet``: text to paste or save,
with a plain-language summary of where it goes. Every snippet that lists IP
ranges lists all of the vendor's ranges in force, in the order the range files
use, so a snippet can never disagree with the downloads.

One module per mail system, each following its maker's documentation:
``exchange`` (Exchange Online / Microsoft 365), ``google`` (Google Workspace),
``postfix``, ``spamassassin`` (and cPanel), ``mimecast``, ``proofpoint``,
``barracuda`` and ``spf``. What they share (the ``Snippet`` itself, and how a
fact is worded inside one) is in ``snippet``.
"""

from __future__ import annotations

from collections.abc import Callable

from articles.downloads.published import Facts
from articles.downloads.snippets import (
    barracuda,
    exchange,
    google,
    mimecast,
    postfix,
    proofpoint,
    spamassassin,
    spf,
)
from articles.downloads.snippets.snippet import Snippet

__all__ = ["GENERATORS", "Snippet", "all_snippets", "snippet_by_filename"]

#: Every snippet, in the order the For IT page shows them.
GENERATORS: tuple[Callable[[Facts], Snippet | None], ...] = (
    exchange.exchange_online,
    google.google_workspace_allowlist,
    google.google_workspace_approved_senders,
    postfix.postfix,
    spamassassin.spamassassin_rcvd,
    spamassassin.spamassassin_from,
    mimecast.mimecast,
    proofpoint.proofpoint,
    barracuda.barracuda,
    spf.spf,
)


def all_snippets(facts: Facts) -> list[Snippet]:
    """Every snippet that has something to say for this vendor, in a fixed order."""
    return [snippet for generate in GENERATORS if (snippet := generate(facts)) is not None]


def snippet_by_filename(facts: Facts, filename: str) -> Snippet | None:
    """The vendor's snippet saved under ``filename``, or None."""
    return next((s for s in all_snippets(facts) if s.filename == filename), None)
