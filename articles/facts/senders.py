"""Normalising sender domains and sender addresses.

Domains are stored in one canonical form, the lower-case ASCII (“A-label”,
punycode) form that DNS and mail gateways use, so ``bücher.example`` and
``xn--bcher-kva.example`` are the same domain. Readers are shown the Unicode
form. IDNA 2008 rules come from the well-kept ``idna`` package; the standard
library's codec only knows the older IDNA 2003.
"""

from __future__ import annotations

import idna
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


def normalise_domain(text: str) -> str:
    """The canonical (A-label, lower case) form of a domain, or ValidationError."""
    value = text.strip().rstrip(".").lower()
    if value.startswith("@"):
        value = value[1:]
    if not value:
        raise ValidationError("Enter a domain, such as example.com.", code="empty")
    if any(ch.isspace() for ch in value):
        raise ValidationError(
            f"“{text.strip()}” contains a space; a domain has none (one domain per entry).",
            code="space",
        )
    if "@" in value:
        raise ValidationError(
            f"“{text.strip()}” looks like an email address; enter only the part after the @.",
            code="address",
        )
    if "." not in value:
        raise ValidationError(
            f"“{text.strip()}” has no dot; enter a full domain such as example.com.", code="no_dot"
        )
    try:
        canonical = idna.encode(value, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise ValidationError(
            f"“{text.strip()}” is not a valid domain name ({error}).", code="invalid"
        ) from None
    if len(canonical) > 253:
        raise ValidationError(f"“{text.strip()}” is longer than 253 characters.", code="too_long")
    return canonical


def display_domain(canonical: str) -> str:
    """The Unicode form of a stored domain, for readers."""
    try:
        return idna.decode(canonical)
    except idna.IDNAError:
        return canonical


def normalise_address(text: str) -> str:
    """A sender address with its domain in canonical form, or ValidationError."""
    value = text.strip()
    if not value:
        raise ValidationError("Enter an email address.", code="empty")
    local, at, domain = value.rpartition("@")
    if not at or not local or "@" in local:
        raise ValidationError(
            f"“{value}” is not an email address: it needs a name, an @ and a domain.",
            code="invalid",
        )
    try:
        canonical = f"{local}@{normalise_domain(domain)}"
    except ValidationError as error:
        raise ValidationError(
            f"“{value}” is not a valid email address: {error.messages[0]}", code="invalid"
        ) from None
    try:
        validate_email(canonical)
    except ValidationError:
        raise ValidationError(f"“{value}” is not a valid email address.", code="invalid") from None
    return canonical.lower()
