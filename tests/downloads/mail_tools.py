"""The mail systems' own tools, run on our files: SpamAssassin and Postfix's postmap.

Debian's packages (``spamassassin``, ``postfix``) are installed by ``.ci/run``.
Without them a test that needs one is skipped with the reason, except in CI
(``CI`` set), where it fails: CI must run them.

SpamAssassin reads its site configuration from a directory of our own (the
Debian ``*.pre`` files, which load the plugins, plus the file under test), with
an empty user_prefs and ``HOME`` in a temporary directory, so nothing on the
machine but the default rules is read. ``-L`` keeps it to local tests. One run
takes a second or two, so a test checks several messages in one run
(``--mbox``).
"""

from __future__ import annotations

import email
import ipaddress
import mailbox
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

SITE_PRE_FILES = Path("/etc/spamassassin")
TIMEOUT = 120


def tool(name: str, *, also: Sequence[str] = ()) -> str:
    """The tool's path; skipped (or, in CI, failed) if it is not installed."""
    found = shutil.which(name) or next((path for path in also if os.access(path, os.X_OK)), None)
    if found:
        return found
    message = f"{name} is not installed (Debian: apt-get install spamassassin postfix; see .ci/run)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _run(command: list[str], *, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own arguments, no shell
        command, input=stdin, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
    )


# SpamAssassin ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A test message: who it is from and, optionally, the relay that handed it to us."""

    sender: str
    relay: str | None = None  # an IP address

    def as_text(self, number: int) -> str:
        headers = []
        if self.relay is not None:
            address = ipaddress.ip_address(self.relay)
            literal = f"IPv6:{address}" if address.version == 6 else str(address)
            headers.append(
                f"Received: from mail.sender.example (mail.sender.example [{literal}])\n"
                "\tby mx.receiver.example (Postfix) with ESMTP id 4AB{number}\n"
                "\tfor <me@receiver.example>; Mon, 12 Jan 2026 10:00:00 +0000"
            )
        headers += [
            f"From: Sender <{self.sender}>",
            "To: me@receiver.example",
            f"Subject: test message {number}",
            "Date: Mon, 12 Jan 2026 10:00:00 +0000",
            f"Message-ID: <test-{number}.20260112@receiver.example>",
        ]
        return "\n".join(headers) + "\n\nHello, this is a test message.\n"


class SpamAssassin:
    """SpamAssassin with the default rules and our ``.cf`` files as its site configuration."""

    def __init__(self, directory: Path, files: dict[str, str]):
        self.executable = tool("spamassassin")
        self.home = directory
        self.site = directory / "site"
        self.site.mkdir()
        for pre in sorted(SITE_PRE_FILES.glob("*.pre")):
            shutil.copy(pre, self.site / pre.name)
        for name, text in files.items():
            (self.site / name).write_text(text, encoding="utf-8")
        self.prefs = directory / "user_prefs"
        self.prefs.write_text("")

    def _command(self, *options: str) -> list[str]:
        return [self.executable, "--siteconfigpath", str(self.site), "-p", str(self.prefs), "-L", *options]

    @property
    def _env(self) -> dict:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home), "LC_ALL": "C"}

    def lint(self) -> subprocess.CompletedProcess:
        return _run(self._command("--lint"), env=self._env)

    def rules_hit(self, messages: Iterable[Message]) -> list[set[str]]:
        """For each message, the names of the rules that hit it, in one run of SpamAssassin."""
        messages = list(messages)
        box = "".join(
            f"From test@receiver.example Mon Jan 12 10:00:00 2026\n{message.as_text(number)}\n"
            for number, message in enumerate(messages)
        )
        result = _run(self._command("-t", "--mbox"), stdin=box, env=self._env)
        assert result.returncode == 0, result.stderr
        output = self.home / "scanned.mbox"
        output.write_text(result.stdout, encoding="utf-8")
        scanned = list(mailbox.mbox(output, factory=lambda f: email.message_from_binary_file(f)))
        assert len(scanned) == len(messages), result.stdout
        # SpamAssassin need not keep the order of the box: the subject gives each message's number.
        found: dict[int, set[str]] = {}
        for message in scanned:
            number = int(re.fullmatch(r"test message (\d+)", str(message["Subject"])).group(1))
            status = "".join(str(message["X-Spam-Status"]).split())  # folded after any comma
            tests = re.search(r"tests=(.*?)autolearn=", status).group(1)
            found[number] = {name for name in tests.split(",") if name and name != "none"}
        return [found[number] for number in range(len(messages))]


WELCOMELIST_RULE = "USER_IN_WELCOMELIST"


# Postfix -----------------------------------------------------------------------------------


def postmap_answers(table: Path, keys: Iterable[str]) -> tuple[dict[str, str], str]:
    """What Postfix answers for each key from a ``cidr:`` table, and its warnings."""
    postmap = tool("postmap", also=["/usr/sbin/postmap"])
    # A configuration directory of our own: Debian's package, installed with
    # "No configuration", leaves no /etc/postfix/main.cf, and the machine's
    # own settings must not change the answer. An empty main.cf is Postfix's defaults.
    config = table.parent / "postfix-config"
    config.mkdir(exist_ok=True)
    (config / "main.cf").write_text("", encoding="utf-8")
    result = _run(
        [postmap, "-c", str(config), "-q", "-", f"cidr:{table}"],
        stdin="".join(f"{key}\n" for key in keys),
    )
    assert result.returncode in (0, 1), result.stderr  # 1: no key was found
    answers = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    return answers, result.stderr


def addresses_around(networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> list[str]:
    """For each network: its first and last address, and the addresses just outside it."""
    keys = []
    for network in networks:
        first, last = int(network.network_address), int(network.broadcast_address)
        top = (1 << network.max_prefixlen) - 1
        kind = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
        keys += [str(kind(value)) for value in (first - 1, first, last, last + 1) if 0 <= value <= top]
    return list(dict.fromkeys(keys))
