"""The admin's feedback report: per article and section, votes, the share of "no", the latest comments,
and beside them how often the article was read. Four queries, however many votes and articles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber

from articles.content.feedback import Feedback
from articles.content.models import Article, MailClient

#: The latest comments shown per article.
COMMENTS_PER_ARTICLE = 5


@dataclass
class Tally:
    votes: int = 0
    no: int = 0

    @property
    def no_share(self) -> float:
        return self.no / self.votes if self.votes else 0.0


@dataclass
class SectionRow(Tally):
    section: str = ""
    name: str = ""


@dataclass
class ArticleRow(Tally):
    article: Article | None = None
    reads: int = 0
    sections: list[SectionRow] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)


def feedback_report(*, since: dt.date, until: dt.date) -> list[ArticleRow]:
    """Articles voted on between ``since`` and ``until`` (both included), most "no" answers first."""
    votes = Feedback.objects.filter(created_on__gte=since, created_on__lte=until)
    counts = list(
        votes.values("article_id", "section")
        .annotate(votes=Count("pk"), no=Count("pk", filter=Q(helpful=False)))
        .order_by("article_id", "section")
    )
    if not counts:
        return []
    ids = {row["article_id"] for row in counts}
    articles = {
        article.pk: article
        for article in Article.objects.filter(pk__in=ids)
        .select_related("vendor")
        .annotate(reads=Sum("read_counts__count", filter=Q(read_counts__day__range=(since, until))))
    }
    names = dict(
        MailClient.objects.filter(slug__in={row["section"] for row in counts if row["section"]}).values_list(
            "slug", "name"
        )
    )
    rows = {pk: ArticleRow(article=article, reads=article.reads or 0) for pk, article in articles.items()}
    for count in counts:
        row = rows[count["article_id"]]
        row.votes += count["votes"]
        row.no += count["no"]
        if count["section"]:
            row.sections.append(
                SectionRow(
                    votes=count["votes"],
                    no=count["no"],
                    section=count["section"],
                    name=names.get(count["section"], count["section"]),
                )
            )
    latest = (
        votes.exclude(comment="")
        .annotate(rank=Window(RowNumber(), partition_by=[F("article_id")], order_by=F("pk").desc()))
        .filter(rank__lte=COMMENTS_PER_ARTICLE)
        .values("article_id", "section", "comment", "created_on")
        .order_by("article_id", "-pk")
    )
    for comment in latest:
        rows[comment["article_id"]].comments.append(comment)
    return sorted(rows.values(), key=lambda row: (-row.no_share, -row.votes, row.article.title))
