"""Storing readers' "Was this helpful?" answers: one INSERT per vote, one UPDATE for a comment.

Votes are not staff edits, so they do not go through ``changes.recording()``:
there is no revision to keep, no ``edit_version`` to move, nothing derived to
refresh, and a reader's vote must cost the database one statement. The form
(articles/feedback/forms.py) has checked the input and the view has found the
public article and its section before these run.

A comment is masked before it is stored, in the manner of the search log
(articles/search/analytics.py): email addresses become ``*@domain``, spelled-out
ones too, phone numbers and long digit runs ``[number]``, and an IP address
its /24 (IPv4) or /48 (IPv6), which says which network without saying which
machine.
"""

from __future__ import annotations

import ipaddress
import re

from articles.content.feedback import FEEDBACK_COMMENT_MAX_LENGTH, Feedback
from articles.content.models import Article
from articles.search import analytics
from articles.search import query as query_module

# Candidates only: ipaddress decides what is an address.
_IP_CANDIDATE = re.compile(
    r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:.]*:[0-9a-f:.]*)(?![\w:])", re.I
)


def _mask_ip(match: re.Match) -> str:
    text = match.group()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    prefix = 24 if address.version == 4 else 48
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False).with_prefixlen


def mask_comment(text: str) -> str:
    """A reader's comment as it may be stored: their addresses and numbers masked."""
    text = query_module.EMAIL.sub(lambda match: "*@" + match.group().rpartition("@")[2], text)
    text = analytics.mask_spelled_addresses(text)
    return analytics.mask_numbers(_IP_CANDIDATE.sub(_mask_ip, text))


def record_vote(*, article: Article, section: str, helpful: bool) -> Feedback:
    """Store one vote on ``article`` (under the mail client section ``section``, or "" for the article)."""
    return Feedback.objects.create(article=article, section=section, helpful=helpful)


def add_comment(*, feedback_id: int, comment: str) -> bool:
    """Attach a comment to a "no" that has none yet; False if there is no such vote. One UPDATE."""
    # A mask may be longer than what it hides ("[number]" for seven digits): cut to fit.
    masked = mask_comment(comment.strip())[:FEEDBACK_COMMENT_MAX_LENGTH]
    if not masked:
        return False
    updated = Feedback.objects.filter(pk=feedback_id, helpful=False, comment="").update(comment=masked)
    return updated == 1
