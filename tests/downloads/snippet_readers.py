"""Read each gateway snippet back into networks and senders, the way its mail system would.

Shared by test_snippets.py, test_hostile_facts.py and test_agreement.py: a
snippet is only proven to list the right ranges and senders if something other
than its writer reads it. Each reader follows its system's rules where they
decide what a line means (PowerShell through ``powershell.py``; SpamAssassin
cuts a line at an unescaped ``#`` and splits it at whitespace; Postfix reads a
line that starts with whitespace as the end of the one before) and fails on
anything the system would read differently from what we meant.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
import unicodedata
from dataclasses import dataclass

from tests.downloads.powershell import read_script

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def network(text: str) -> Network:
    return ipaddress.ip_network(text)


def tool_lines(text: str) -> list[str]:
    """The lines as the mail systems split them (at LF only), after checking nothing else breaks one.

    No control character but the line feed, and no Unicode line or paragraph
    separator: a reader that splits lines at any of them would see other lines.
    """
    for char in text:
        if char != "\n" and (unicodedata.category(char) in {"Cc", "Zl", "Zp"}):
            raise AssertionError(f"a control or line-separator character {char!r} in {text!r}")
    if not text:
        return []
    assert text.endswith("\n"), text
    return text[:-1].split("\n")


def code_lines(text: str) -> list[str]:
    """Lines that are not comments or blank."""
    return [line for line in tool_lines(text) if line.strip() and not line.startswith("#")]


def printable(text: str) -> str:
    """The characters of ``text`` that are neither space nor control: what any writer must keep."""
    return "".join(char for char in text if not char.isspace() and unicodedata.category(char)[0] != "C")


def assert_one_line_of(written: str, source: str, *, fallback: str = "") -> None:
    """``written`` is ``source`` on one line: every printable character kept, in order, nothing added."""
    assert written == " ".join(written.split()), repr(written)
    assert all(char == " " or unicodedata.category(char)[0] != "C" for char in written), repr(written)
    assert written.replace(" ", "") == (printable(source) or fallback), (written, source)


def unguarded(cell: str, source: str) -> str:
    """A CSV cell without the ``'`` a writer puts before text a spreadsheet would run."""
    guarded = cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS)
    return cell[1:] if guarded and not printable(source).startswith("'") else cell


# Exchange Online ---------------------------------------------------------------------------


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
    """The script's commands, read by the tokeniser in powershell.py: any other line fails."""
    result = ExchangeCommands([], [], [])
    for command in read_script(text):
        if command.kind == "allow_list":
            result.allow_list_batches.append([network(v) for v in command.strings])
        elif command.kind == "rule":
            name, *ranges = command.strings
            result.rules.append((name, [network(v) for v in ranges]))
        else:
            result.senders += command.strings
    return result


# Postfix -----------------------------------------------------------------------------------


def read_postfix(text: str) -> list[Network]:
    """The rules of a cidr: table; each must be ``network permit``, on a line of its own."""
    found = []
    for line in tool_lines(text):
        if not line or line.startswith("#"):
            continue
        assert not line[0].isspace(), f"a continuation line: {line!r}"
        pattern, action = line.split()
        assert action == "permit", line
        found.append(network(pattern))
    return found


# SpamAssassin ------------------------------------------------------------------------------


def _spamassassin_settings(text: str) -> list[list[str]]:
    """Each setting as SpamAssassin's parser sees it: cut at an unescaped #, split at whitespace."""
    settings = []
    for line in tool_lines(text):
        words = re.sub(r"(?<!\\)#.*", "", line).split()
        if words:
            settings.append(words)
    return settings


def read_spamassassin_from(text: str) -> list[str]:
    """Every pattern of every ``welcomelist_from`` line (the setting takes several)."""
    patterns = []
    for keyword, *values in _spamassassin_settings(text):
        assert keyword == "welcomelist_from" and values, (keyword, values)
        patterns += values
    return patterns


def read_spamassassin_rcvd(text: str) -> set[tuple[str, Network]]:
    pairs = set()
    for words in _spamassassin_settings(text):
        keyword, sender, relay = words
        assert keyword == "welcomelist_from_rcvd" and relay.startswith("[") and relay.endswith("]"), words
        pairs.add((sender, network(relay[1:-1])))
    return pairs


def spamassassin_matches_any_sender(pattern: str) -> bool:
    """Whether SpamAssassin's glob (``*`` any run, ``?`` one character) matches every sender."""
    return pattern.replace("*", "").replace("?", "").strip("@") == ""


# The rest ----------------------------------------------------------------------------------


def read_comma_list(text: str) -> list[Network]:
    return [network(part.strip()) for part in text.strip().split(",")]


def read_lines(text: str) -> list[Network]:
    return [network(line.strip()) for line in code_lines(text)]


def read_proofpoint(text: str) -> tuple[list[str], list[Network]]:
    """Sender entries, and the networks the IP entries (CIDR or octet wildcards) cover."""
    senders, found = [], []
    for entry in code_lines(text):
        assert entry == entry.strip() and " " not in entry, entry
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


def read_csv(text: str) -> list[dict[str, str]]:
    """The rows of a CSV file, after checking no cell would run as a formula in a spreadsheet."""
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(FORMULA_STARTS), f"a cell a spreadsheet runs: {cell!r}"
    return rows


def read_barracuda(text: str) -> list[Network]:
    found = []
    for row in read_csv(text):
        assert row["Policy"] == "Exempt"
        found.append(network(f"{row['IP Address']}/{row['Netmask']}"))
    return found


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
