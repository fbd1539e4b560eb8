"""A PowerShell tokeniser for checking our scripts, written from PowerShell's published quoting rules.

From the PowerShell language specification (lexical structure):

- A single-quoted (verbatim) string starts and ends with a *single-quote
  character*: ``'`` (U+0027) or one of the typographic ‘ ’ ‚ ‛ (U+2018 to
  U+201B). Inside it, two single-quote characters in a row stand for one and
  do not end it; nothing else is special, not even a line end.
- A *double-quote character* (``"``, “ ” „: U+0022, U+201C to U+201E) starts
  an expandable string, in which ``$`` and the backtick are read.
- A *dash* is ``-`` or – — ― (U+2013 to U+2015): all of them start a
  parameter or an operator.
- A new line is CR, LF or CR LF. ``#`` at the start of a token begins a
  comment that runs to the end of the line; ``<#`` begins a comment that runs
  to ``#>``. A backtick outside a string escapes the next character (a
  backtick before a line end continues the line); ``$`` starts a variable or a
  subexpression.

``tokenise`` splits a script into lines, each with its *skeleton* (the line
with every string literal replaced by ``S``) and the strings' values. It is
stricter than PowerShell: anything our scripts never need (an expandable
string, a block comment, a backtick, a ``$`` outside a string, a string that
runs past its line, a ``#requires`` comment) is an error. ``read_script``
then demands that every line is blank, a comment, or one of the commands we
write with only string literals in its argument slots, so text from staff
can only ever be inside a string literal or a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
DOUBLE_QUOTES = '"\u201c\u201d\u201e'
DASHES = "-\u2013\u2014\u2015"
NEWLINES = "\r\n"

#: Our commands, with ``S`` for each string literal.
COMMANDS = {
    "allow_list": re.compile(
        r"Set-HostedConnectionFilterPolicy -Identity Default -IPAllowList @\{Add=S(?:,S)*\}"
    ),
    "rule": re.compile(r"New-TransportRule -Name S -SenderIpRanges S(?:,S)* -SetSCL -1"),
    "senders": re.compile(
        r"New-TenantAllowBlockListItems -ListType Sender -Allow -Entries S(?:,S)* -RemoveAfter 45"
    ),
}


class ScriptError(AssertionError):
    """The script holds something our scripts must not: where and what."""


@dataclass
class Line:
    number: int
    skeleton: str = ""
    strings: list[str] = field(default_factory=list)
    comment: str | None = None  # the text after ``#`` on a comment line


def _string_end(script: str, start: int, line_number: int) -> tuple[str, int]:
    """The value of the verbatim string whose opening quote is at ``start``, and the index after it."""
    value: list[str] = []
    index = start + 1
    while True:
        if index >= len(script):
            raise ScriptError(f"line {line_number}: a string is never closed")
        char = script[index]
        if char in SINGLE_QUOTES:
            if index + 1 < len(script) and script[index + 1] in SINGLE_QUOTES:
                value.append("'")
                index += 2
                continue
            return "".join(value), index + 1
        if char in NEWLINES:
            raise ScriptError(f"line {line_number}: a string runs past the end of its line")
        value.append(char)
        index += 1


def tokenise(script: str) -> list[Line]:
    """The script's lines, each with its skeleton, its strings and its comment."""
    lines = [Line(1)]
    index = 0
    while index < len(script):
        line = lines[-1]
        char = script[index]
        if char in NEWLINES:
            index += 2 if script.startswith("\r\n", index) else 1
            lines.append(Line(line.number + 1))
            continue
        if line.comment is not None:
            line.comment += char
        elif char in SINGLE_QUOTES:
            value, index = _string_end(script, index, line.number)
            line.strings.append(value)
            line.skeleton += "S"
            continue
        elif char in DOUBLE_QUOTES:
            raise ScriptError(f"line {line.number}: an expandable string ({char!r})")
        elif char in DASHES[1:]:
            raise ScriptError(f"line {line.number}: a typographic dash ({char!r}) outside a string")
        elif char == "`":
            raise ScriptError(f"line {line.number}: a backtick outside a string")
        elif char == "$":
            raise ScriptError(f"line {line.number}: a variable or subexpression outside a string")
        elif char == "<" and script.startswith("<#", index):
            raise ScriptError(f"line {line.number}: a block comment")
        elif char == "#" and not line.skeleton.strip():
            line.comment = ""
            line.skeleton += "#"
        else:
            line.skeleton += char
        index += 1
    if lines[-1].skeleton == "" and lines[-1].comment is None:
        lines.pop()  # the line end at the end of the file
    return lines


@dataclass
class Command:
    kind: str  # a key of COMMANDS
    strings: list[str]


def read_script(script: str) -> list[Command]:
    """Our commands in the script, or ScriptError naming the first line that is anything else."""
    commands = []
    for line in tokenise(script):
        if line.comment is not None:
            if line.skeleton != "#":
                raise ScriptError(f"line {line.number}: code before a comment: {line.skeleton!r}")
            if line.comment.lstrip().lower().startswith("requires"):
                raise ScriptError(f"line {line.number}: a #requires statement")
            continue
        if not line.skeleton:
            continue
        kind = next((name for name, shape in COMMANDS.items() if shape.fullmatch(line.skeleton)), None)
        if kind is None:
            raise ScriptError(f"line {line.number} is none of our commands: {line.skeleton!r}")
        commands.append(Command(kind, line.strings))
    return commands
