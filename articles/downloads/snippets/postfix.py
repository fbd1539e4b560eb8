"""Postfix: a ``cidr:`` lookup table for postscreen and the SMTP server's client checks.

Postfix reads a table line by line: a line that starts with ``#`` is a
comment, a line that starts with whitespace continues the one before it, and
any other line is a ``network/length  action`` rule. So the only rules are the
vendor's networks, written by ``ipaddress``, and staff text appears only in
comments, on one line (``postfix_comment``) that starts with ``#``.
"""

from __future__ import annotations

import re

from articles.downloads.published import Facts, unique_networks
from articles.downloads.safe_text import one_line
from articles.downloads.snippets.snippet import Snippet, vendor_name


def postfix_comment(text: str) -> str:
    """A comment line: the text on one line after ``# ``."""
    return f"# {one_line(text)}"


def table_path(facts: Facts) -> str:
    """Where the table is saved, named for the vendor's slug (only its letters, digits and - _)."""
    name = re.sub(r"[^A-Za-z0-9_-]", "", facts.slug) or f"vendor-{facts.id}"
    return f"/etc/postfix/{name}-allowlist.cidr"


def postfix(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    path = table_path(facts)
    width = max(len(network.with_prefixlen) for network in networks) + 2
    lines = [
        postfix_comment(f"{path}: the sending ranges of {vendor_name(facts)}."),
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
