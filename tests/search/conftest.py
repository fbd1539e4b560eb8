"""A small help center to search: two vendors, three mail clients, articles of each kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles.content.models import Article
from articles.facts.models import SenderAddress, SenderDomain
from articles.search.backends import get_backend
from tests.conftest import make_article, make_client, make_range, make_vendor

#: The page's matching sections, with the text its passages are cut from (highlights.py), on both databases.
HIGHLIGHTS = 1


@pytest.fixture
def backend():
    return get_backend()


@pytest.fixture
def help_center(acme):
    """Acme (192.0.2.0/24 primary, 198.51.100.7 additional) and Globex (IPv6), with articles."""
    gmail = make_client(
        "gmail", "Gmail", steps=["Open **Spam** and mark mail from {{ primary_address }} as not spam."]
    )
    outlook = make_client(
        "outlook", "Outlook", steps=["Add {{ primary_domain }} to **Safe senders** under Junk email."]
    )
    postfix = make_client("postfix", "Postfix", audience="it", steps=["Add the ranges to a cidr table."])
    globex = make_vendor("globex", "Globex Mailer", website="https://www.globex.example")
    SenderAddress.objects.create(vendor=globex, address="news@globex.example", used_for="newsletters")
    SenderDomain.objects.create(vendor=globex, domain="globex.example")
    make_range(globex, "2001:db8:100::/48", "primary")
    make_range(globex, "203.0.113.0/28", "additional")
    articles = {
        "acme-guide": make_article(
            acme,
            "allowlisting-guide",
            clients=[outlook, gmail, postfix],
            title="Keep Acme Mail out of your spam folder",
            summary="Steps for every mail program, and the ranges for your IT department.",
            body="Acme Mail sends password resets from {{ primary_address }}.",
        ),
        "acme-bounces": make_article(
            acme,
            "bounces",
            kind=Article.Kind.TROUBLESHOOTING,
            title="Acme Mail messages bounce",
            summary="What to do when mail to your colleagues comes back.",
            body="## Relay access denied\n\nA bounce reading `550 5.7.1 Relay access denied` means your "
            "server refuses mail it does not host.",
            show_it_section=False,
        ),
        "globex-guide": make_article(
            globex,
            "allowlisting-guide",
            clients=[gmail],
            title="Receive Globex newsletters",
            summary="Add Globex to your contacts.",
            body="Globex Mailer sends its newsletters from {{ primary_address }}.",
        ),
        "globex-settings": make_article(
            globex,
            "smtp-settings",
            kind=Article.Kind.REFERENCE,
            title="Globex SMTP settings",
            summary="Server, port and authentication.",
            body="| Setting | Default |\n|---|---|\n| SMTP server | smtp.globex.example |\n| Port | 25 |",
            show_it_section=False,
        ),
        "relay": make_article(
            None,
            "envelope-sender-rejected",
            kind=Article.Kind.EXPLAINER,
            title="What “553 Envelope sender rejected” means",
            summary="A relay refuses mail from a domain it has not verified.",
            body="The bounce `553 Envelope sender rejected` means the relay does not know your domain. "
            "Set up SPF/DKIM first.",
            show_it_section=False,
        ),
        "explainer": make_article(
            None,
            "what-is-allowlisting",
            kind=Article.Kind.EXPLAINER,
            title="What is allowlisting?",
            summary="Why wanted mail lands in the junk folder, and how an allowlist helps.",
            body="An allowlist tells a filter to trust a sender.",
            show_it_section=False,
        ),
    }
    make_article(acme, "draft-secret", published=False, title="Unpublished plumbus guide", body="plumbus")
    make_article(
        acme,
        "future-secret",
        title="Future plumbus news",
        body="plumbus",
        published_at=timezone.now() + dt.timedelta(days=3),
    )
    return articles
