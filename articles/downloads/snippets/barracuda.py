"""Barracuda: IP Address Policies, as rows of IP address, netmask, policy and comment.

Written with the ``csv`` module, every cell through ``safe_text.spreadsheet_cell``
(the guard the range files use), so the vendor's name in the Comment column
stays one line of text in a spreadsheet, not a formula.
"""

from __future__ import annotations

import csv
import io

from articles.downloads.published import Facts, unique_networks
from articles.downloads.safe_text import spreadsheet_cell
from articles.downloads.snippets.snippet import Snippet, vendor_name

BARRACUDA_HEADER = ("IP Address", "Netmask", "Policy", "Comment")


def barracuda(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BARRACUDA_HEADER)
    comment = vendor_name(facts)
    for network in networks:
        mask = str(network.netmask) if network.version == 4 else str(network.prefixlen)
        row = (str(network.network_address), mask, "Exempt", comment)
        writer.writerow([spreadsheet_cell(cell) for cell in row])
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
        text=out.getvalue(),
    )
