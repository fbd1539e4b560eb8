"""Proofpoint Essentials: the Safe Sender List.

Proofpoint Essentials refuses CIDR ranges wider than /24 and takes octet
wildcards (``10.10.*.*``) instead.
"""

from __future__ import annotations

from articles.downloads.published import Facts, unique_networks
from articles.downloads.snippets.snippet import Snippet, left_out_note, sender_patterns
from articles.facts.networks import Network
from articles.facts.networks import display as display_network

PROOFPOINT_WIDEST_CIDR = 24


def proofpoint_entries(network: Network) -> list[str]:
    """How Proofpoint Essentials takes a range: CIDR up to /24, octet wildcards beyond."""
    if network.version == 6 or network.prefixlen >= PROOFPOINT_WIDEST_CIDR:
        return [display_network(network)]
    whole_octets = -(-network.prefixlen // 8) if network.prefixlen else 0  # rounded up
    parts = network.subnets(new_prefix=whole_octets * 8) if whole_octets else [network]
    entries = []
    for part in parts:
        octets = str(part.network_address).split(".")[:whole_octets]
        entries.append(".".join(octets + ["*"] * (4 - whole_octets)))
    return entries


def proofpoint(facts: Facts) -> Snippet | None:
    senders = sender_patterns(facts, lambda domain: f"*@{domain}")
    networks = unique_networks(facts.ranges)
    entries = senders + [entry for network in networks for entry in proofpoint_entries(network)]
    if not entries:
        return None
    return Snippet(
        key="proofpoint",
        title="Proofpoint Essentials: Safe Sender List",
        filename="proofpoint-safe-senders.txt",
        summary=(
            "Paste into Security Settings > Email > Sender Lists > Safe Sender List, one entry per line. "
            "Proofpoint Essentials takes CIDR ranges no wider than /24, so wider ranges are written "
            "with wildcards (10.10.*.*)."
        ),
        text="\n".join(entries) + "\n",
        notes=left_out_note(facts),
    )
