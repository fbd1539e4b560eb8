"""The fixed set of placeholders that step text and article bodies may use.

Staff write ``{{ primary_address }}`` and readers see the vendor's current
sender address. Substitution is a lookup in a dictionary of plain strings built
from one vendor's facts, deliberately not Django's template language: a
template could reach attributes, methods and other objects, while this can
reach nothing but the facts listed here. An unknown name is a validation error
in the admin, and is left visibly untouched if it ever reaches a page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

#: name -> what it inserts, shown to staff in help texts and errors.
PLACEHOLDERS: dict[str, str] = {
    "vendor": "the vendor's name",
    "website": "the vendor's website address",
    "primary_address": "the first sender address",
    "addresses": "every sender address, separated by commas",
    "address_list": "every sender address with what it is used for, as a bulleted list",
    "primary_domain": "the first sender domain",
    "domains": "every sender domain, separated by commas",
    "domain_list": "every sender domain as a bulleted list",
    "range_count": "how many IP ranges the vendor publishes",
}

#: What a placeholder says when there is no vendor, or the vendor lacks the fact.
FALLBACKS: dict[str, str] = {
    "vendor": "the sender",
    "website": "the sender's website",
    "primary_address": "the sender's address",
    "addresses": "the sender's addresses",
    "address_list": "- the sender's address",
    "primary_domain": "the sender's domain",
    "domains": "the sender's domains",
    "domain_list": "- the sender's domain",
    "range_count": "0",
}

#: Facts used by the admin's live preview, where no vendor is chosen yet.
EXAMPLE_FACTS: dict[str, str] = {
    "vendor": "Example Vendor",
    "website": "https://www.example.com",
    "primary_address": "alerts@example.com",
    "addresses": "alerts@example.com, billing@example.com",
    "address_list": "- `alerts@example.com`: notifications\n- `billing@example.com`: invoices",
    "primary_domain": "example.com",
    "domains": "example.com, mail.example.com",
    "domain_list": "- `example.com`\n- `mail.example.com`",
    "range_count": "3",
}


def placeholder_names(text: str) -> set[str]:
    """The known placeholders ``text`` uses: all that its rendering reads of a vendor's facts."""
    return {name for name in PLACEHOLDER.findall(text or "") if name in PLACEHOLDERS}


def unknown_placeholders(text: str) -> list[str]:
    """Names used in ``text`` that are not placeholders, in order of appearance."""
    found = []
    for name in PLACEHOLDER.findall(text or ""):
        if name not in PLACEHOLDERS and name not in found:
            found.append(name)
    return found


def validate_placeholders(text: str) -> None:
    """Model-field validator: refuse any placeholder outside the fixed set."""
    unknown = unknown_placeholders(text)
    if unknown:
        names = ", ".join(f"{{{{ {name} }}}}" for name in unknown)
        known = ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)
        raise ValidationError(
            "Unknown placeholder %(names)s. The placeholders you can use are: %(known)s.",
            code="unknown_placeholder",
            params={"names": names, "known": known},
        )


def substitute(text: str, facts: Mapping[str, str]) -> str:
    """Replace each known placeholder with its fact; leave anything else as typed."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        value = facts.get(name) or FALLBACKS[name]
        return value

    return PLACEHOLDER.sub(replace, text or "")
