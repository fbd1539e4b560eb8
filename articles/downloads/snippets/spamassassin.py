"""SpamAssassin and cPanel: ``welcomelist_from_rcvd`` and ``welcomelist_from``.

SpamAssassin 4.0 renamed ``whitelist_from`` to ``welcomelist_from``;
``welcomelist_from_rcvd`` takes a relay address in brackets, with an optional
prefix length, which ties a sender to the vendor's servers.

``sa_pattern`` is the one way a sender enters the file. SpamAssassin splits a
line at whitespace, ends it at an unescaped ``#``, and reads ``*`` and ``?`` in
a pattern as wildcards, so a pattern is written only when it is ``*@`` and a
plain domain (every address at that domain) or a plain address (that address
alone), as ``safe_text`` defines them: then it holds none of those characters,
and no pattern can match any sender. ``sa_comment`` keeps the vendor's name in
a comment on one line.
"""

from __future__ import annotations

from articles.downloads.published import Facts, unique_networks
from articles.downloads.safe_text import one_line, plain_address, plain_domain
from articles.downloads.snippets.snippet import Snippet, left_out_note, sender_patterns, vendor_name
from articles.facts.networks import display as display_network


def sa_pattern(pattern: str) -> str | None:
    """``pattern`` if SpamAssassin reads it as exactly one sender or one domain's senders, else None."""
    if pattern.startswith("*@"):
        return pattern if plain_domain(pattern[2:]) else None
    return pattern if plain_address(pattern) else None


def sa_comment(text: str) -> str:
    """A comment line: the text on one line after ``# ``."""
    return f"# {one_line(text)}"


def _sender_globs(facts: Facts) -> list[str]:
    patterns = [sa_pattern(pattern) for pattern in sender_patterns(facts, lambda domain: f"*@{domain}")]
    return [pattern for pattern in patterns if pattern]


def _left_out_comments(facts: Facts) -> list[str]:
    return [sa_comment(note) for note in left_out_note(facts)]


def spamassassin_rcvd(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    senders = _sender_globs(facts)
    if not networks or not senders:
        return None
    lines = [
        sa_comment(
            f"SpamAssassin 4.0 or later: mail from {vendor_name(facts)} counts as welcome only when it"
        ),
        "# arrives from one of its servers. Before 4.0 the name is whitelist_from_rcvd.",
        *_left_out_comments(facts),
    ]
    lines += [
        f"welcomelist_from_rcvd {sender} [{display_network(network)}]"
        for sender in senders
        for network in networks
    ]
    return Snippet(
        key="spamassassin",
        title="SpamAssassin: welcomelist_from_rcvd",
        filename="spamassassin-welcomelist-rcvd.cf",
        summary=(
            "For local.cf, or a user's user_prefs. Each line pairs a sender pattern with one of the "
            "vendor's ranges, so a forged From address alone does not pass. It relies on your "
            "trusted_networks and internal_networks settings being right."
        ),
        text="\n".join(lines) + "\n",
        notes=left_out_note(facts),
    )


def spamassassin_from(facts: Facts) -> Snippet | None:
    senders = _sender_globs(facts)
    if not senders:
        return None
    lines = [*_left_out_comments(facts), *(f"welcomelist_from {sender}" for sender in senders)]
    return Snippet(
        key="cpanel",
        title="cPanel / SpamAssassin: welcomelist_from",
        filename="spamassassin-welcomelist.cf",
        summary=(
            "Allows these senders by address alone, which anyone can forge; use it where you cannot "
            "use welcomelist_from_rcvd. In cPanel, open Spam Filters and add each pattern (the part "
            "after welcomelist_from) to the list of senders to always allow. SpamAssassin before 4.0 "
            "calls it whitelist_from."
        ),
        text="\n".join(lines) + "\n",
        notes=left_out_note(facts),
    )
