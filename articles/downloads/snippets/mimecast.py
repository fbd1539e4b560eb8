"""Mimecast: the Source IP Ranges of a Permitted Senders policy."""

from __future__ import annotations

from articles.downloads.published import Facts, unique_networks
from articles.downloads.snippets.snippet import Snippet, sender_patterns


def mimecast(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    senders = sender_patterns(facts, lambda domain: domain)
    who = f" From: {', '.join(senders)}." if senders else ""
    return Snippet(
        key="mimecast",
        title="Mimecast: Permitted Senders",
        filename="mimecast-source-ip-ranges.txt",
        summary=(
            "The Source IP Ranges of a Permitted Senders policy, one per line in CIDR form; a single "
            f"address is written as /32.{who}"
        ),
        text="\n".join(network.with_prefixlen for network in networks) + "\n",
    )
