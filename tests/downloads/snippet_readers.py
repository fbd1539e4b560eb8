"""Read each gateway snippet back into networks and senders, the way its mail system would.

Shared by test_snippets.py and test_agreement.py: a snippet is only proven to
list the right ranges if something other than its writer reads it.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_PS_STRING = re.compile(r"'((?:[^']|'')*)'")


def ps_strings(text: str) -> list[str]:
    """The values of a PowerShell list of single-quoted strings."""
    return [value.replace("''", "'") for value in _PS_STRING.findall(text)]


def network(text: str) -> Network:
    return ipaddress.ip_network(text)


def code_lines(text: str) -> list[str]:
    """Lines that are not comments or blank."""
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@dataclass
class ExchangeCommands:
    allow_list_batches: list[list[Network]]
    rules: list[tuple[str, list[Network]]]  # (name, ranges)
    senders: list[str]

    @property
    def allow_list(self) -> list[Network]:
        return [n for batch in self.allow_list_batches for n in batch]

    @property
    def rule_ranges(self) -> list[Network]:
        return [n for _, ranges in self.rules for n in ranges]


def read_exchange(text: str) -> ExchangeCommands:
    result = ExchangeCommands([], [], [])
    for line in code_lines(text):
        if line.startswith("Set-HostedConnectionFilterPolicy -Identity Default -IPAllowList @{Add="):
            inner = re.fullmatch(r".*@\{Add=(.*)\}", line).group(1)
            result.allow_list_batches.append([network(v) for v in ps_strings(inner)])
        elif line.startswith("New-TransportRule "):
            match = re.fullmatch(r"New-TransportRule -Name ('.*?') -SenderIpRanges (.*) -SetSCL -1", line)
            name = ps_strings(match.group(1))[0]
            result.rules.append((name, [network(v) for v in ps_strings(match.group(2))]))
        elif line.startswith("New-TenantAllowBlockListItems "):
            match = re.fullmatch(
                r"New-TenantAllowBlockListItems -ListType Sender -Allow -Entries (.*) -RemoveAfter 45", line
            )
            result.senders += ps_strings(match.group(1))
        else:
            raise AssertionError(f"Unexpected PowerShell line: {line}")
    return result


def read_postfix(text: str) -> list[Network]:
    found = []
    for line in code_lines(text):
        pattern, action = line.split()
        assert action == "permit", line
        found.append(network(pattern))
    return found


def read_comma_list(text: str) -> list[Network]:
    return [network(part.strip()) for part in text.strip().split(",")]


def read_lines(text: str) -> list[Network]:
    return [network(line.strip()) for line in code_lines(text)]


def read_proofpoint(text: str) -> tuple[list[str], list[Network]]:
    """Sender entries, and the networks the IP entries (CIDR or octet wildcards) cover."""
    senders, found = [], []
    for entry in code_lines(text):
        if "@" in entry:
            senders.append(entry)
        elif "*" in entry:
            octets = entry.split(".")
            fixed = [o for o in octets if o != "*"]
            assert octets == fixed + ["*"] * (4 - len(fixed)), entry
            found.append(network(".".join(fixed + ["0"] * (4 - len(fixed))) + f"/{8 * len(fixed)}"))
        else:
            found.append(network(entry))
    return senders, found


def read_barracuda(text: str) -> list[Network]:
    rows = list(csv.DictReader(io.StringIO(text)))
    found = []
    for row in rows:
        assert row["Policy"] == "Exempt"
        found.append(network(f"{row['IP Address']}/{row['Netmask']}"))
    return found


def read_spamassassin_rcvd(text: str) -> set[tuple[str, Network]]:
    pairs = set()
    for line in code_lines(text):
        keyword, sender, relay = line.split()
        assert keyword == "welcomelist_from_rcvd" and relay.startswith("[") and relay.endswith("]"), line
        pairs.add((sender, network(relay[1:-1])))
    return pairs


def read_spf(text: str) -> list[Network]:
    found = []
    for term in text.split():
        kind, _, value = term.partition(":")
        assert kind in {"ip4", "ip6"}, term
        parsed = network(value)
        assert parsed.version == int(kind[-1]), term
        found.append(parsed)
    return found


def covered(networks: list[Network]) -> list[Network]:
    """The addresses a list covers, as the smallest list of networks: for comparing coverage."""
    return [
        *ipaddress.collapse_addresses(n for n in networks if n.version == 4),
        *ipaddress.collapse_addresses(n for n in networks if n.version == 6),
    ]
