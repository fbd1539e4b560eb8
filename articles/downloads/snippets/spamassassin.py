"""SpamAssassin and cPanel: ``welcomelist_from_rcvd`` and ``welcomelist_from``.

SpamAssassin 4.0 renamed ``whitelist_from`` to ``welcomelist_from``;
``welcomelist_from_rcvd`` takes a relay address in brackets, with an optional
prefix length, which ties a sender to the vendor's servers.
"""

from __future__ import annotations

from articles.downloads.published import Facts, unique_networks
from articles.downloads.snippets.snippet import Snippet, one_line, sender_patterns
from articles.facts.networks import display as display_network


def _sender_globs(facts: Facts) -> list[str]:
    return sender_patterns(facts, lambda domain: f"*@{domain}")


def spamassassin_rcvd(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    senders = _sender_globs(facts)
    if not networks or not senders:
        return None
    lines = [
        f"# SpamAssassin 4.0 or later: mail from {one_line(facts.name)} counts as welcome only when it",
        "# arrives from one of its servers. Before 4.0 the name is whitelist_from_rcvd.",
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
    )


def spamassassin_from(facts: Facts) -> Snippet | None:
    senders = _sender_globs(facts)
    if not senders:
        return None
    lines = [f"welcomelist_from {sender}" for sender in senders]
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
    )
