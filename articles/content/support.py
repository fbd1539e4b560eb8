"""Whom a reader who is still stuck can ask: the vendor's support, else the help center's own.

Pure: it reads the vendor row the page has already loaded and the settings.
A vendor without a support address or page does not get one made up: the
help center's own contact (``HELP_CENTER_SUPPORT_EMAIL`` / ``_URL``) is
named instead, as what it is, and with neither the block names no one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from articles.facts.models import Vendor


@dataclass(frozen=True)
class SupportContact:
    """Where to write. ``is_vendor``: the vendor's own support, not the help center's."""

    name: str
    email: str
    url: str
    hours: str
    is_vendor: bool


def support_contact(vendor: Vendor | None) -> SupportContact | None:
    """The vendor's support if it has an address or a page, else the help center's, else None."""
    if vendor is not None and (vendor.support_email or vendor.support_url):
        return SupportContact(
            name=vendor.name,
            email=vendor.support_email,
            url=vendor.support_url,
            hours=vendor.support_hours,
            is_vendor=True,
        )
    email = settings.HELP_CENTER_SUPPORT_EMAIL
    url = settings.HELP_CENTER_SUPPORT_URL
    if email or url:
        return SupportContact(name="the help center", email=email, url=url, hours="", is_vendor=False)
    return None
