"""Normalising sender domains and sender addresses, and noticing look-alike domains.

Domains are stored in one canonical form, the lower-case ASCII (“A-label”,
punycode) form that DNS and mail gateways use, so ``bücher.example`` and
``xn--bcher-kva.example`` are the same domain. Readers are shown the Unicode
form. IDNA 2008 rules come from the well-kept ``idna`` package; the standard
library's codec only knows the older IDNA 2003.

What is refused goes beyond what is merely invalid: every address and domain
ends up in files that mail gateways load (SpamAssassin, Postfix, PowerShell,
XML), so a fact holding whitespace, a control character, quotes or a wildcard
is refused at the door, not left for each writer to escape. A look-alike
domain is only warned about (``lookalike_warnings``): it may be the vendor's
real domain, and only a person can tell.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Mapping

import idna
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


def normalise_domain(text: str) -> str:
    """The canonical (A-label, lower case) form of a domain, or ValidationError.

    The domain must be a host name: an IP address, an address literal
    (``[192.0.2.1]``) or a wildcard (``*.example.com``) is refused with a
    message that says what to enter instead. A final dot is dropped.
    """
    shown = _shown(text.strip())
    _refuse_invisible(text.strip(), shown, "a domain")
    value = text.strip().rstrip(".").lower()
    if value.startswith("@"):
        value = value[1:]
    if not value:
        raise ValidationError("Enter a domain, such as example.com.", code="empty")
    if any(ch.isspace() for ch in value):
        raise ValidationError(
            f"“{shown}” contains a space; a domain has none (one domain per entry).",
            code="space",
        )
    if "@" in value:
        raise ValidationError(
            f"“{shown}” looks like an email address; enter only the part after the @.",
            code="address",
        )
    if "*" in value:
        bare = value.lstrip("*.") or "example.com"
        raise ValidationError(
            f"“{shown}” holds a wildcard; write the domain without *. (enter {bare}).",
            code="wildcard",
        )
    if _is_ip_address(value):
        raise ValidationError(
            f"“{shown}” is an IP address, not a domain; enter it under IP ranges instead.",
            code="ip_address",
        )
    if "." not in value:
        raise ValidationError(
            f"“{shown}” has no dot; enter a full domain such as example.com.", code="no_dot"
        )
    if value.rpartition(".")[2].isdigit():
        # No top-level domain is a number: this is an IP address with a typo.
        raise ValidationError(
            f"“{shown}” is not a domain: it ends in a number, like an IP address. Enter a domain such as "
            "example.com, or the IP address under IP ranges.",
            code="numeric",
        )
    try:
        canonical = idna.encode(value, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise ValidationError(f"“{shown}” is not a valid domain name ({error}).", code="invalid") from None
    if len(canonical) > 253:
        raise ValidationError(f"“{shown}” is longer than 253 characters.", code="too_long")
    return canonical


def display_domain(canonical: str) -> str:
    """The Unicode form of a stored domain, for readers."""
    try:
        return idna.decode(canonical)
    except idna.IDNAError:
        return canonical


def normalise_address(text: str) -> str:
    """A sender address with its domain in canonical form, or ValidationError.

    Refused beyond what Django's ``validate_email`` refuses: whitespace and
    control characters anywhere, quoted names, and the wildcards ``*`` and ``?``.
    """
    value = text.strip()
    shown = _shown(value)
    if not value:
        raise ValidationError("Enter an email address.", code="empty")
    _refuse_invisible(value, shown, "an email address")
    if '"' in value:
        # The standard allows a quoted name ("john doe"@example.com) that may
        # hold almost anything, control characters included, and Django's
        # validator accepts it. No vendor sends from one, and each file we
        # publish would need its own escaping for it, so it is refused.
        raise ValidationError(
            f"“{shown}” has a name in quotes; no sender uses one. Enter the address without quotes.",
            code="quoted",
        )
    local, at, domain = value.rpartition("@")
    if not at or not local or "@" in local:
        raise ValidationError(
            f"“{shown}” is not an email address: it needs a name, an @ and a domain.",
            code="invalid",
        )
    if any(ch.isspace() for ch in value):
        raise ValidationError(
            f"“{shown}” contains a space; an email address has none (one address per row).", code="space"
        )
    if "*" in local or "?" in local:
        # Valid in an address, but SpamAssassin and gateway lists read them as
        # "any": *@example.com would allowlist every sender at that domain.
        raise ValidationError(
            f"“{shown}” holds a wildcard (* or ?), which mail gateways read as “any sender”. Enter the "
            "vendor's exact address, or its domain under sender domains.",
            code="wildcard",
        )
    try:
        canonical = f"{local}@{normalise_domain(domain)}"
    except ValidationError as error:
        raise ValidationError(
            f"“{shown}” is not a valid email address: {error.messages[0]}", code=error.code or "invalid"
        ) from None
    try:
        validate_email(canonical)
    except ValidationError:
        raise ValidationError(f"“{shown}” is not a valid email address.", code="invalid") from None
    return canonical.lower()


def _is_ip_address(value: str) -> bool:
    literal = value.strip("[]")
    if literal.startswith("ipv6:"):
        literal = literal[len("ipv6:") :]
    try:
        ipaddress.ip_address(literal)
    except ValueError:
        return False
    return True


def _is_invisible(ch: str) -> bool:
    """A control, format (zero-width, direction override) or unassigned character; a tab is a space."""
    return ch != "\t" and unicodedata.category(ch).startswith("C")


def _shown(text: str) -> str:
    """``text`` for a message: invisible characters written as [U+000C], so the message is safe to show."""
    return "".join(f"[U+{ord(ch):04X}]" if unicodedata.category(ch).startswith("C") else ch for ch in text)


def _refuse_invisible(value: str, shown: str, what: str) -> None:
    invisible = [ch for ch in value if _is_invisible(ch)]
    if invisible:
        raise ValidationError(
            f"“{shown}” holds an invisible character (U+{ord(invisible[0]):04X}); {what} has none. "
            "Type it again by hand rather than copying it.",
            code="control",
        )


# Look-alike domains --------------------------------------------------------------------------

#: Letters that pass for Latin ones, with the Latin letter they pass for. A
#: small hand-made map, not Unicode's full confusables list (UTS #39): the
#: look-alikes used against Latin names are Cyrillic and Greek letters and the
#: digits 0 and 1, and a short map can be read and checked by anyone. The
#: check only warns, so a look-alike it misses costs no more than today.
CONFUSABLES = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "с": "c",
    "ԁ": "d",
    "е": "e",
    "ё": "e",
    "һ": "h",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "к": "k",
    "ӏ": "l",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "ԛ": "q",
    "ѕ": "s",
    "т": "t",
    "у": "y",
    "ԝ": "w",
    "х": "x",
    # Greek
    "α": "a",
    "β": "b",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    # Digits and Latin letters that read as others
    "0": "o",
    "1": "l",
    "ı": "i",
}

#: Pairs of Latin letters that read as one at a glance.
CONFUSABLE_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))

# The scripts whose letters are mistaken for each other; a label mixing two of
# them is what look-alike domains are made of. Other mixtures (Japanese writes
# kanji and kana together) are left alone.
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def skeleton(domain: str) -> str:
    """What a domain looks like: its Unicode form with look-alike letters mapped to Latin ones."""
    text = "".join(CONFUSABLES.get(ch, ch) for ch in display_domain(domain).lower())
    for pair, single in CONFUSABLE_PAIRS:
        text = text.replace(pair, single)
    return text


def mixed_scripts(label: str) -> list[str]:
    """The look-alike scripts (Latin, Cyrillic, Greek) whose letters ``label`` mixes, if more than one."""
    found = []
    for ch in label:
        if ch.isalpha():
            script = unicodedata.name(ch, "").partition(" ")[0]
            if script in _LOOKALIKE_SCRIPTS and script not in found:
                found.append(script)
    return found if len(found) > 1 else []


def lookalike_warnings(domain: str, others: Mapping[str, str]) -> list[str]:
    """Warnings, in words, if the canonical ``domain`` may be a look-alike.

    ``others`` maps other vendors' stored domains to those vendors' names. A
    domain is warned about if one of its labels mixes Latin, Cyrillic or Greek
    letters, or if it looks the same as another vendor's domain (the same
    ``skeleton``) without being it.
    """
    shown = display_domain(domain)
    stored = f" (stored as {domain})" if shown != domain else ""
    warnings = []
    for label in shown.split("."):
        scripts = mixed_scripts(label)
        if scripts:
            names = " and ".join(script.title() for script in scripts)
            warnings.append(
                f"“{shown}”{stored} mixes {names} letters in “{label}”, as look-alike domains do. Check with "
                "the vendor that it really sends from this domain."
            )
            break
    looks = skeleton(domain)
    for other, vendor_name in sorted(others.items()):
        if other != domain and skeleton(other) == looks:
            warnings.append(
                f"“{shown}”{stored} looks like “{display_domain(other)}”, a domain of {vendor_name}. Check "
                "that it is not a look-alike."
            )
    return warnings
