"""Gateway-ready snippets: a vendor's facts in the form each mail system takes.

Pure functions from ``exports.Facts`` to ``Snippet``: text to paste or save,
with a plain-language summary of where it goes. Every snippet that lists IP
ranges lists all of the vendor's ranges in force, in the order the range files
use, so a snippet can never disagree with the downloads.

The rules each format follows come from the makers' documentation:

- Exchange Online's connection-filter IP Allow List takes IPv4 only, as single
  addresses or CIDR ranges from /24 to /32, and holds at most 1,273 entries.
  Wider ranges, IPv6 ranges and anything past the limit go into a mail flow
  rule that sets the spam confidence level to -1 instead.
- Proofpoint Essentials refuses CIDR ranges wider than /24 and takes octet
  wildcards (``10.10.*.*``) instead.
- SpamAssassin 4.0 renamed ``whitelist_from`` to ``welcomelist_from``;
  ``welcomelist_from_rcvd`` takes a relay address in brackets, with an
  optional prefix length, which ties a sender to the vendor's servers.
- SPF: ``ip4`` and ``ip6`` terms cost no DNS lookup, so they never count
  towards the limit of 10 (RFC 7208, section 4.6.4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from articles.downloads.formats import Facts, unique_networks
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
SPF_TXT_STRING_LIMIT = 255
PROOFPOINT_WIDEST_CIDR = 24


@dataclass(frozen=True)
class Snippet:
    """Text for one mail system, with where it goes."""

    key: str  # stable: the section anchor on the For IT page and the download's name
    title: str
    filename: str
    summary: str
    text: str
    notes: tuple[str, ...] = field(default=())


def _one_line(text: str) -> str:
    """Facts shown inside a comment or a quoted name stay on one line."""
    return " ".join(text.split())


def _ps_quote(text: str) -> str:
    """A PowerShell single-quoted string: nothing inside is expanded."""
    return "'" + _one_line(text).replace("'", "''") + "'"


def _ps_list(values: Sequence[str]) -> str:
    return ",".join(_ps_quote(value) for value in values)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


# Exchange Online ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeSplit:
    """Where each range goes in Exchange Online."""

    allow_list: list[Network]  # IPv4 /24 to /32, at most EXCHANGE_ALLOW_LIST_LIMIT
    rule: list[Network]  # wider than /24, IPv6, or past the list's limit
    overflow: int  # how many of ``rule`` would have fitted the list but for its limit


def exchange_split(networks: Sequence[Network]) -> ExchangeSplit:
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


def exchange_rule_name(vendor_name: str, number: int, count: int) -> str:
    suffix = " bypass spam filtering by sender IP" + (f" ({number} of {count})" if count > 1 else "")
    room = EXCHANGE_RULE_NAME_LIMIT - len(suffix) - 1
    name = _one_line(vendor_name)
    if len(name) > room:
        name = name[: room - 1].rstrip() + "…"
    return f"{name}:{suffix}"


def exchange_online(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    addresses = [sender.address for sender in facts.addresses]
    if not networks and not addresses:
        return None
    split = exchange_split(networks)
    lines = [
        f"# Exchange Online / Microsoft 365: allow mail from {_one_line(facts.name)}.",
        "# Run in Exchange Online PowerShell after Connect-ExchangeOnline.",
    ]
    notes: list[str] = []
    if split.allow_list:
        entries = [display_network(network) for network in split.allow_list]
        lines += [
            "",
            f"# Connection filter IP Allow List: {_plural(len(entries), 'IPv4 entry', 'IPv4 entries')}"
            " from /24 to /32.",
        ]
        for batch in batches(entries, EXCHANGE_BATCH_SIZE):
            lines.append(
                f"Set-HostedConnectionFilterPolicy -Identity Default -IPAllowList @{{Add={_ps_list(batch)}}}"
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
            f"# The IP Allow List cannot hold these {_plural(len(split.rule), 'range')} "
            f"({', '.join(reasons)}), so a mail flow rule sets their spam confidence level to -1.",
        ]
        for number, group in enumerate(groups, start=1):
            name = exchange_rule_name(facts.name, number, len(groups))
            lines.append(
                f"New-TransportRule -Name {_ps_quote(name)} -SenderIpRanges {_ps_list(group)} -SetSCL -1"
            )
        notes.append(
            "If the mail flow rule exists from an earlier run, change New-TransportRule to "
            "Set-TransportRule and -Name to -Identity: the command then replaces its ranges."
        )
        if split.overflow:
            notes.append(
                f"{_plural(split.overflow, 'range')} that the IP Allow List could take went into the "
                f"mail flow rule because the list holds at most {EXCHANGE_ALLOW_LIST_LIMIT:,} entries."
            )
    if addresses:
        lines += [
            "",
            "# Sender addresses in the Tenant Allow/Block List; each entry stays until 45 days after"
            " it was last needed.",
            f"New-TenantAllowBlockListItems -ListType Sender -Allow -Entries {_ps_list(addresses)} -RemoveAfter 45",
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


# Google Workspace --------------------------------------------------------------------------


GOOGLE_ALLOWLIST_PATH = (
    "Admin console > Apps > Google Workspace > Gmail > Spam, phishing and malware > Email allowlist"
)
GOOGLE_SPAM_PATH = "Admin console > Apps > Google Workspace > Gmail > Spam, phishing and malware > Spam"


def google_workspace_allowlist(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    return Snippet(
        key="google-workspace",
        title="Google Workspace: Email allowlist",
        filename="google-workspace-allowlist.txt",
        summary=(
            f"Paste into {GOOGLE_ALLOWLIST_PATH}, with the top-level organisation selected, and save. "
            "Gmail takes single addresses and CIDR ranges separated by commas; a change can take up "
            "to 24 hours to apply."
        ),
        text=", ".join(display_network(network) for network in networks) + "\n",
    )


def _sender_patterns(facts: Facts, domain_pattern: Callable[[str], str]) -> list[str]:
    """Each sender domain as a pattern, and each address its domains do not already cover."""
    patterns = [domain_pattern(domain) for domain in facts.domains]
    covered = set(facts.domains)
    patterns += [s.address for s in facts.addresses if s.address.rpartition("@")[2] not in covered]
    return list(dict.fromkeys(patterns))


def google_workspace_approved_senders(facts: Facts) -> Snippet | None:
    senders = _sender_patterns(facts, lambda domain: domain)
    if not senders:
        return None
    return Snippet(
        key="google-workspace-senders",
        title="Google Workspace: approved senders",
        filename="google-workspace-approved-senders.txt",
        summary=(
            f"In {GOOGLE_SPAM_PATH}, add a rule that bypasses spam filters for an approved senders "
            "list, and put these addresses and domains in the list, one per line. Gmail matches them "
            "against the From address, which a forger can also write: prefer the IP allowlist."
        ),
        text="\n".join(senders) + "\n",
    )


# Postfix -----------------------------------------------------------------------------------


def postfix(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    path = f"/etc/postfix/{facts.slug}-allowlist.cidr"
    width = max(len(network.with_prefixlen) for network in networks) + 2
    lines = [
        f"# {path}: the sending ranges of {_one_line(facts.name)}.",
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


# SpamAssassin and cPanel -------------------------------------------------------------------


def spamassassin_rcvd(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    senders = _sender_patterns(facts, lambda domain: f"*@{domain}")
    if not networks or not senders:
        return None
    lines = [
        f"# SpamAssassin 4.0 or later: mail from {_one_line(facts.name)} counts as welcome only when it",
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
    senders = _sender_patterns(facts, lambda domain: f"*@{domain}")
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


# Mimecast, Proofpoint, Barracuda -----------------------------------------------------------


def mimecast(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    senders = _sender_patterns(facts, lambda domain: domain)
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
    senders = _sender_patterns(facts, lambda domain: f"*@{domain}")
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
    )


def barracuda(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    comment = _one_line(facts.name).replace(",", " ")
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


# SPF ---------------------------------------------------------------------------------------


def spf_terms(networks: Sequence[Network]) -> list[str]:
    return [f"ip{network.version}:{display_network(network)}" for network in networks]


def spf(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    terms = spf_terms(networks)
    added = len(" ".join(terms)) + 1
    notes = [
        f"Example of a whole record: v=spf1 include:_spf.your-mail-provider.example {' '.join(terms)} ~all"
    ]
    if added > SPF_TXT_STRING_LIMIT - len("v=spf1 ~all"):
        notes.append(
            f"These terms add {added} characters. One string in a TXT record holds at most "
            f"{SPF_TXT_STRING_LIMIT}: publish a longer record as several quoted strings in the same "
            "TXT record, which receivers join without spaces."
        )
    return Snippet(
        key="spf",
        title="SPF: when your own domain is sent through this vendor",
        filename="spf-terms.txt",
        summary=(
            f"Only if {_one_line(facts.name)} sends mail in your name (your domain in the From or "
            "return address): add these terms to your domain's SPF record, before its final all. "
            "Edit the one SPF record you have; a domain with two fails SPF. ip4 and ip6 terms need "
            "no DNS lookup, so they do not count towards the limit of 10 lookups (include, a, mx, "
            "ptr, exists, redirect) past which the whole record fails with a permerror."
        ),
        text=" ".join(terms) + "\n",
        notes=tuple(notes),
    )


GENERATORS: tuple[Callable[[Facts], Snippet | None], ...] = (
    exchange_online,
    google_workspace_allowlist,
    google_workspace_approved_senders,
    postfix,
    spamassassin_rcvd,
    spamassassin_from,
    mimecast,
    proofpoint,
    barracuda,
    spf,
)


def all_snippets(facts: Facts) -> list[Snippet]:
    """Every snippet that has something to say for this vendor, in a fixed order."""
    return [snippet for generate in GENERATORS if (snippet := generate(facts)) is not None]


def snippet_by_filename(facts: Facts, filename: str) -> Snippet | None:
    return next((s for s in all_snippets(facts) if s.filename == filename), None)
