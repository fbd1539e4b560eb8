"""The text of every mail the site sends, and the signed links in them.

Pure functions of their inputs (a subscriber, change sets), so they are tested
without a mail server. Mails are plain text: every value in them (a range's
public note, a vendor's name) is staff text, and plain text has no markup to
escape. Links are absolute (``settings.SITE_URL``): mails are written in the
write path and the worker, outside any request.

Two signed tokens (``django.core.signing``), each with its own salt:

- confirmation: ``TimestampSigner``, expires after ``SUBSCRIBE_CONFIRM_HOURS``;
- unsubscribe: a plain ``Signer``: it must keep working in an old mail. It names
  the subscriber row and its address; once the row is deleted it names nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from articles.facts.changelog import ADDED, Change, ChangeSet
from articles.notify.models import Subscriber

CONFIRM_SALT = "articles.notify.confirm"
UNSUBSCRIBE_SALT = "articles.notify.unsubscribe"
KIND_NAMES = {"range": "IP range", "address": "sender address", "domain": "sender domain"}


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    headers: dict[str, str]


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def confirmation_token(subscriber: Subscriber) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object({"s": subscriber.pk, "e": subscriber.email})


def read_confirmation_token(token: str) -> dict:
    """The subscriber the link names; ``signing.SignatureExpired`` or ``BadSignature`` otherwise."""
    max_age = dt.timedelta(hours=settings.SUBSCRIBE_CONFIRM_HOURS)
    return signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(token, max_age=max_age)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"s": subscriber.pk, "e": subscriber.email})


def read_unsubscribe_token(token: str) -> dict:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute(reverse("articles:unsubscribe", args=[unsubscribe_token(subscriber)]))


def following(subscriber: Subscriber) -> str:
    return subscriber.vendor.name if subscriber.vendor_id else "every vendor"


def confirmation(subscriber: Subscriber) -> Mail:
    """The one mail sent before an address is confirmed."""
    link = absolute(reverse("articles:subscribe_confirm", args=[confirmation_token(subscriber)]))
    body = (
        f"Someone, probably you, asked to be told when the allowlisting facts of {following(subscriber)} "
        "change on the Safelist Help Center.\n\n"
        f"To confirm, open this link within {settings.SUBSCRIBE_CONFIRM_HOURS} hours:\n{link}\n\n"
        "If it was not you, ignore this mail: nothing more will be sent to this address, "
        "and it will not be kept.\n"
    )
    return Mail(subscriber.email, f"Confirm your subscription to {following(subscriber)} changes", body, {})


def describe(change: Change, *, upcoming: bool) -> str:
    """What a change means for an allowlist, in one line."""
    kind = KIND_NAMES[change.kind]
    detail = ", ".join(part for part in (change.tier if change.kind == "range" else "", change.note) if part)
    what = f"{kind} {change.value}" + (f" ({detail})" if detail else "")
    day = change.effective_on.isoformat()
    if change.action == ADDED:
        return f"Add {what} to your allow list by {day}" if upcoming else f"Added on {day}: {what}"
    if upcoming:
        return f"Remove {what} from your allow list on {day}, when it stops being used"
    return f"Removed on {day}: {what}; remove it from your allow list"


def change_lines(change_sets: Sequence[ChangeSet], today: dt.date) -> list[str]:
    lines: list[str] = []
    for change_set in change_sets:
        upcoming = change_set.is_upcoming(today)
        when = "upcoming, takes effect" if upcoming else "took effect"
        lines.append(f"{change_set.vendor.name}, {when} on {change_set.effective_on.isoformat()}:")
        lines += [f"  - {describe(change, upcoming=upcoming)}" for change in change_set.changes]
        slug = change_set.vendor.slug
        lines.append(f"  Change log: {absolute(reverse('articles:changes', args=[slug]))}")
        lines.append(f"  Range files: {absolute(reverse('articles:allowlist_txt', args=[slug]))}")
        lines.append(f"               {absolute(reverse('articles:allowlist_json', args=[slug]))}")
        lines.append("")
    return lines


def notification(
    subscriber: Subscriber, change_sets: Sequence[ChangeSet], *, today: dt.date, digest: bool
) -> Mail:
    """Changes announced to one subscriber, with the one-click unsubscribe of RFC 8058."""
    names = sorted({change_set.vendor.name for change_set in change_sets})
    subject = ("Daily digest: " if digest else "") + f"{', '.join(names)} allowlist changes"
    link = unsubscribe_url(subscriber)
    body = "\n".join(
        [
            f"The allowlisting facts of {', '.join(names)} change. Dates are the day each change takes effect.",
            "",
            *change_lines(change_sets, today),
            "--",
            f"You receive this because you subscribed to {following(subscriber)} changes.",
            f"Unsubscribe with one click: {link}",
            "",
        ]
    )
    headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return Mail(subscriber.email, subject[:200], body, headers)
