"""Exchange Online / Microsoft 365: PowerShell for the allow lists.

Exchange Online's connection-filter IP Allow List takes IPv4 only, as single
addresses or CIDR ranges from /24 to /32, and holds at most 1,273 entries.
Wider ranges, IPv6 ranges and anything past the limit go into a mail flow rule
that sets the spam confidence level to -1 instead. Sender addresses go into
the Tenant Allow/Block List.

``ps_quote`` is the one way a value enters the PowerShell, and ``ps_text`` the
one way staff text does. PowerShell takes the typographic quotes ‘ ’ ‚ ‛ as
single quotes, “ ” „ as double quotes and the dashes – — ― as ``-``, so a
string that doubles only the ASCII ``'`` can be ended from inside. Staff text
(the vendor's name in the comments and the mail flow rule's name) is therefore
reduced to plain ASCII first: letters, digits, spaces and ``. , - _ & ( ) ' : / + ! @``,
accented letters by their base letter (Unicode NFKD), typographic apostrophes
and dashes as their ASCII forms, and everything else left out. Then the only
quote left is the ASCII ``'``, which ``ps_quote`` doubles. A sender address
goes in only if it is plain (``safe_text.plain_address``), which leaves nothing
in it to reduce; a comment says how many were left out.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from articles.downloads.published import Facts, unique_networks
from articles.downloads.safe_text import one_line
from articles.downloads.snippets.snippet import Snippet, plural
from articles.facts.networks import Network
from articles.facts.networks import display as display_network

EXCHANGE_ALLOW_LIST_LIMIT = 1273  # entries the IP Allow List holds, in total
EXCHANGE_NARROWEST_PREFIX = 24  # the list takes IPv4 CIDR ranges from /24 to /32
# Entries per Set-HostedConnectionFilterPolicy command: short enough to read,
# and to paste into any console in one piece.
EXCHANGE_BATCH_SIZE = 100
# A mail flow rule may be at most 8 KB in all; leave room for its name and action.
EXCHANGE_RULE_RANGE_CHARS = 6000
EXCHANGE_RULE_NAME_LIMIT = 64


PS_SAFE_CHARACTERS = frozenset(string.ascii_letters + string.digits + " .,-_&()':/+!@")
# Typographic apostrophes and dashes as their ASCII forms; every other quote is left out.
_PS_ASCII_FORMS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)


def ps_text(text: str) -> str:
    """Staff text as a script may hold it: one line of PS_SAFE_CHARACTERS, the rest left out."""
    ascii_forms = unicodedata.normalize("NFKD", one_line(text)).translate(_PS_ASCII_FORMS)
    return " ".join("".join(char for char in ascii_forms if char in PS_SAFE_CHARACTERS).split())


def ps_quote(text: str) -> str:
    """A PowerShell single-quoted string of ``ps_text(text)``: nothing inside is expanded."""
    return "'" + ps_text(text).replace("'", "''") + "'"


def ps_list(values: Sequence[str]) -> str:
    """A PowerShell array of quoted strings, as a parameter takes it."""
    return ",".join(ps_quote(value) for value in values)


@dataclass(frozen=True)
class ExchangeSplit:
    """Where each range goes in Exchange Online."""

    allow_list: list[Network]  # IPv4 /24 to /32, at most EXCHANGE_ALLOW_LIST_LIMIT
    rule: list[Network]  # wider than /24, IPv6, or past the list's limit
    overflow: int  # how many of ``rule`` would have fitted the list but for its limit


def exchange_split(networks: Sequence[Network]) -> ExchangeSplit:
    """Which ranges the IP Allow List takes, and which need the mail flow rule."""
    allow_list: list[Network] = []
    rule: list[Network] = []
    overflow = 0
    for network in networks:
        fits = network.version == 4 and network.prefixlen >= EXCHANGE_NARROWEST_PREFIX
        if fits and len(allow_list) < EXCHANGE_ALLOW_LIST_LIMIT:
            allow_list.append(network)
        else:
            overflow += fits
            rule.append(network)
    return ExchangeSplit(allow_list, rule, overflow)


def batches(values: Sequence[str], size: int) -> list[list[str]]:
    return [list(values[start : start + size]) for start in range(0, len(values), size)]


def _rule_groups(ranges: Sequence[str]) -> list[list[str]]:
    """Ranges split so each rule's list stays within EXCHANGE_RULE_RANGE_CHARS."""
    groups: list[list[str]] = [[]]
    size = 0
    for value in ranges:
        cost = len(value) + 3  # the quotes and the comma
        if groups[-1] and size + cost > EXCHANGE_RULE_RANGE_CHARS:
            groups.append([])
            size = 0
        groups[-1].append(value)
        size += cost
    return groups


def script_name(facts: Facts) -> str:
    """The vendor's name as the script writes it (``ps_text``); its slug or id if nothing is left."""
    return ps_text(facts.name) or ps_text(facts.slug) or f"Vendor {facts.id}"


def exchange_rule_name(vendor_name: str, number: int, count: int) -> str:
    """The mail flow rule's name, in ``ps_text`` and cut to fit EXCHANGE_RULE_NAME_LIMIT."""
    suffix = " bypass spam filtering by sender IP" + (f" ({number} of {count})" if count > 1 else "")
    room = EXCHANGE_RULE_NAME_LIMIT - len(suffix) - 1
    name = ps_text(vendor_name)
    if len(name) > room:
        name = name[: room - 3].rstrip() + "..."
    return f"{name}:{suffix}"


def exchange_online(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    # A plain address holds only PS_SAFE_CHARACTERS; checking says so where it matters.
    addresses = [s.address for s in facts.plain_senders if ps_text(s.address) == s.address]
    if not networks and not addresses:
        return None
    split = exchange_split(networks)
    name = script_name(facts)
    lines = [
        f"# Exchange Online / Microsoft 365: allow mail from {name}.",
        "# Run in Exchange Online PowerShell after Connect-ExchangeOnline.",
    ]
    notes: list[str] = []
    if split.allow_list:
        entries = [display_network(network) for network in split.allow_list]
        lines += [
            "",
            f"# Connection filter IP Allow List: {plural(len(entries), 'IPv4 entry', 'IPv4 entries')}"
            " from /24 to /32.",
        ]
        for batch in batches(entries, EXCHANGE_BATCH_SIZE):
            lines.append(
                f"Set-HostedConnectionFilterPolicy -Identity Default -IPAllowList @{{Add={ps_list(batch)}}}"
            )
    if split.rule:
        reasons = []
        if any(n.version == 6 for n in split.rule):
            reasons.append("IPv6")
        if any(n.version == 4 and n.prefixlen < EXCHANGE_NARROWEST_PREFIX for n in split.rule):
            reasons.append("wider than /24")
        if split.overflow:
            reasons.append(f"past the list's limit of {EXCHANGE_ALLOW_LIST_LIMIT:,} entries")
        groups = _rule_groups([display_network(network) for network in split.rule])
        lines += [
            "",
            f"# The IP Allow List cannot hold these {plural(len(split.rule), 'range')} "
            f"({', '.join(reasons)}), so a mail flow rule sets their spam confidence level to -1.",
        ]
        for number, group in enumerate(groups, start=1):
            rule_name = exchange_rule_name(name, number, len(groups))
            lines.append(
                f"New-TransportRule -Name {ps_quote(rule_name)} -SenderIpRanges {ps_list(group)} -SetSCL -1"
            )
        notes.append(
            "If the mail flow rule exists from an earlier run, change New-TransportRule to "
            "Set-TransportRule and -Name to -Identity: the command then replaces its ranges."
        )
        if split.overflow:
            notes.append(
                f"{plural(split.overflow, 'range')} that the IP Allow List could take went into the "
                f"mail flow rule because the list holds at most {EXCHANGE_ALLOW_LIST_LIMIT:,} entries."
            )
    if addresses:
        lines += [
            "",
            "# Sender addresses in the Tenant Allow/Block List; each entry stays until 45 days after"
            " it was last needed.",
            f"New-TenantAllowBlockListItems -ListType Sender -Allow -Entries {ps_list(addresses)} -RemoveAfter 45",
        ]
    left_out = len(facts.addresses) - len(addresses)
    if left_out:
        lines += [
            "",
            f"# Left out: {plural(left_out, 'sender address', 'sender addresses')} that cannot be "
            "written safely in PowerShell (not a plain email address).",
        ]
    if split.allow_list:
        notes.append(
            f"The IP Allow List counts entries you already have: it holds {EXCHANGE_ALLOW_LIST_LIMIT:,} in all."
        )
    return Snippet(
        key="exchange-online",
        title="Exchange Online / Microsoft 365",
        filename="exchange-online.ps1",
        summary=(
            "PowerShell for Exchange Online: the connection filter's IP Allow List for IPv4 ranges from "
            "/24 to /32, a mail flow rule for every other range, and the sender addresses in the "
            "Tenant Allow/Block List."
        ),
        text="\n".join(lines) + "\n",
        notes=tuple(notes),
    )
