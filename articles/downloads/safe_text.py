"""Which staff text may enter a published file, and in what form.

The facts are checked when staff write them (``articles/facts``), but those
checks may change and rows can reach the database by other paths; a file we
publish runs inside a customer's mail system, so every writer decides for
itself what it lets in. The rules every format shares are here; each format's
own quoting is in its writer (``ps_quote`` in ``snippets/exchange.py``,
``sa_pattern`` in ``snippets/spamassassin.py``, ``_vcard_text`` and
``xml_text`` in ``contact.py``).

- ``one_line``: free text (a vendor's name, what an address is used for, a
  note) without control, format, surrogate, private-use or unassigned
  characters, and with every kind of space or line break turned into one
  space.
- ``plain_address`` and ``plain_domain``: a sender address or domain goes into
  a file only when it is plain ASCII that no format can misread: an address is
  a dot-separated local part of letters, digits and ``_ + ' -`` (starting with a
  letter or digit), an ``@`` and a plain domain; a domain is a host name of
  letters, digits and hyphens whose last label is not a number (so not an IP
  address). Anything else (a quoted local part, a space, a wildcard, a
  Unicode character) is left out of every file, so they all list the same
  senders.
- ``plain_url``: a website an address card can hold.
- ``spreadsheet_cell``: one cell of a CSV file, guarded so spreadsheets do not
  run it as a formula.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# Control (Cc), format (Cf: bidi overrides, zero-width characters), surrogate,
# private-use and unassigned (including the noncharacters U+FFFE and U+FFFF).
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})

_LOCAL_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+'-]*(?:\.[A-Za-z0-9_+'-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
MAX_LOCAL_PART = 64
MAX_DOMAIN = 253
MAX_ADDRESS = 254

# A spreadsheet runs a cell that starts with one of these as a formula; the
# full-width forms are read as the same characters by some of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

_URL_UNSAFE = frozenset(" \"'<>\\^`{|},;")
_validate_url = URLValidator(schemes=["http", "https"])


def one_line(text: str) -> str:
    """Free text on one line, without any character that is not plainly printable."""
    kept = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    return " ".join(kept.split())


def plain_domain(text: str) -> str | None:
    """``text`` if it is a plain host name every format can hold, else None."""
    if not text.isascii() or len(text) > MAX_DOMAIN:
        return None
    labels = text.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if labels[-1].isdigit():
        return None  # an IPv4 address, not a domain
    return text


def plain_address(text: str) -> str | None:
    """``text`` if it is a plain email address every format can hold, else None."""
    if not text.isascii() or len(text) > MAX_ADDRESS:
        return None
    local, at, domain = text.rpartition("@")
    if not at or len(local) > MAX_LOCAL_PART or not _LOCAL_PART.fullmatch(local):
        return None
    return text if plain_domain(domain) else None


def plain_url(text: str) -> str | None:
    """``text`` if it is an http(s) address in plain ASCII, with nothing a file must escape."""
    if not text.isascii() or any(char in _URL_UNSAFE or not char.isprintable() for char in text):
        return None
    try:
        _validate_url(text)
    except ValidationError:
        return None
    return text


def spreadsheet_cell(text: str) -> str:
    """One line of text for a CSV cell; a leading ``'`` keeps a would-be formula as text."""
    value = one_line(text)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
