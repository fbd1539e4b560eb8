"""Every model of the app, gathered where Django looks for them.

The models live beside the code of their concern: ``facts.models``,
``content.models``, ``notify.models``, ``revisions.models`` and ``search.models``. Code inside the app imports them
from there, never from here (an import-linter contract holds this).
"""

from articles.content.feedback import Feedback
from articles.content.models import Article, ArticleClient, ArticleOldSlug, MailClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor, VendorOldSlug
from articles.notify.models import NotifiedChange, OutboxMessage, Subscriber, WebhookDelivery, WebhookEndpoint
from articles.revisions.models import PendingChange
from articles.search.models import (
    ArticleReadCount,
    PromotedResult,
    SearchClick,
    SearchDocument,
    SearchQueryLog,
    SearchSection,
    SearchTerm,
    Synonym,
)
from articles.services.models import RangePaste

__all__ = [
    "WebhookEndpoint",
    "WebhookDelivery",
    "Subscriber",
    "OutboxMessage",
    "NotifiedChange",
    "Article",
    "ArticleClient",
    "ArticleOldSlug",
    "ArticleReadCount",
    "Feedback",
    "IPRange",
    "MailClient",
    "PendingChange",
    "PromotedResult",
    "RangePaste",
    "SearchClick",
    "SearchDocument",
    "SearchQueryLog",
    "SearchSection",
    "SearchTerm",
    "SenderAddress",
    "SenderDomain",
    "Step",
    "StepList",
    "Synonym",
    "Vendor",
    "VendorOldSlug",
]
