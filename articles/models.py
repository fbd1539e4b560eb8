"""Every model of the app, gathered where Django looks for them.

The models live beside the code of their concern: ``facts.models``,
``content.models``, ``revisions.models`` and ``search.models``. Code inside the app imports them
from there, never from here (an import-linter contract holds this).
"""

from articles.content.models import Article, ArticleClient, ArticleOldSlug, MailClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor, VendorOldSlug
from articles.revisions.models import PendingChange
from articles.search.models import (
    ArticleReadCount,
    PromotedResult,
    SearchClick,
    SearchDocument,
    SearchQueryLog,
    SearchTerm,
    Synonym,
)
from articles.services.models import RangePaste

__all__ = [
    "Article",
    "ArticleClient",
    "ArticleOldSlug",
    "ArticleReadCount",
    "IPRange",
    "MailClient",
    "PendingChange",
    "PromotedResult",
    "RangePaste",
    "SearchClick",
    "SearchDocument",
    "SearchQueryLog",
    "SearchTerm",
    "SenderAddress",
    "SenderDomain",
    "Step",
    "StepList",
    "Synonym",
    "Vendor",
    "VendorOldSlug",
]
