"""Barracuda: IP Address Policies, as rows of IP address, netmask, policy and comment."""

from __future__ import annotations

from articles.downloads.published import Facts, unique_networks
from articles.downloads.snippets.snippet import Snippet, one_line


def barracuda(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    comment = one_line(facts.name).replace(",", " ")
    rows = ["IP Address,Netmask,Policy,Comment"]
    for network in networks:
        mask = str(network.netmask) if network.version == 4 else str(network.prefixlen)
        rows.append(f"{network.network_address},{mask},Exempt,{comment}")
    return Snippet(
        key="barracuda",
        title="Barracuda: IP Address Policies",
        filename="barracuda-ip-policies.csv",
        summary=(
            "The IP address and netmask of each range for Inbound Settings > IP Address Policies, "
            "with the policy Exempt (a single address has the netmask 255.255.255.255). IPv6 rows "
            "give the prefix length. Barracuda advises exempting by IP address rather than by domain, "
            "which can be forged."
        ),
        text="\n".join(rows) + "\n",
    )
