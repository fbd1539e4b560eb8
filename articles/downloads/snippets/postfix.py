"""Postfix: a ``cidr:`` lookup table for postscreen and the SMTP server's client checks."""

from __future__ import annotations

from articles.downloads.published import Facts, unique_networks
from articles.downloads.snippets.snippet import Snippet, one_line


def postfix(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    path = f"/etc/postfix/{facts.slug}-allowlist.cidr"
    width = max(len(network.with_prefixlen) for network in networks) + 2
    lines = [
        f"# {path}: the sending ranges of {one_line(facts.name)}.",
        "# Use it in main.cf, then run: postfix reload (a cidr: table needs no postmap).",
        f"#   postscreen_access_list = permit_mynetworks, cidr:{path}",
        f"#   smtpd_client_restrictions = check_client_access cidr:{path}, <your other restrictions>",
    ]
    lines += [f"{network.with_prefixlen:<{width}}permit" for network in networks]
    return Snippet(
        key="postfix",
        title="Postfix",
        filename="postfix-allowlist.cidr",
        summary=(
            f"A cidr: lookup table. Save it as {path} and name it in postscreen_access_list, so "
            "postscreen lets these servers through, and in check_client_access, so the SMTP server's "
            "client restrictions do too. Content filters run later and are not affected."
        ),
        text="\n".join(lines) + "\n",
    )
