"""What search stores: the index, the words it knows, synonyms, and what readers searched.

Imported at the end of ``articles/models.py`` so that Django registers these
models with the ``articles`` app.

``SearchDocument`` holds, per article, the text its page shows, flattened by
``index.py``. Each database keeps its own full-text index of those rows in
step by triggers created in migration 0002, so any write to a document
updates the index in the same statement and transaction:

- PostgreSQL fills ``search_vector`` (title and vendor name weighted A,
  summary and section names B, body C, steps and facts D) and the small
  ``head_vector`` (the A and B parts only, cheap to rank every match by),
  both GIN-indexed;
- SQLite mirrors the rows into the FTS5 table ``articles_searchdocument_fts``,
  and both vector columns stay empty.

A later migration that alters this table on SQLite rebuilds it, which drops
its triggers: such a migration must create them again (see 0002).

``SearchSection`` holds the same text cut into the places a reader can be sent
to: the top of the article, each heading of its body, each mail-client section
and the IT section, each with its anchor. Migration 0014 indexes those rows the
same way (a weighted ``vector`` on PostgreSQL, ``articles_searchsection_fts``
on SQLite), kept in step by triggers.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.facts.limits import SYNONYM_TERMS_MAX_LENGTH, TextLimit

#: Longest query stored, searched or promoted; longer input is cut.
MAX_QUERY_LENGTH = 200


def normalise_query(text: str) -> str:
    """The form queries are grouped and promoted by: lower case, single-spaced."""
    return " ".join((text or "").lower().split())[:MAX_QUERY_LENGTH]


class SearchDocument(models.Model):
    """One article's searchable text, rebuilt whenever anything its page shows changes."""

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField()
    vendor_name = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    sections = models.TextField(blank=True, help_text="The names of the mail client sections.")
    body = models.TextField(blank=True)
    details = models.TextField(blank=True, help_text="Steps, sender addresses, domains and IP ranges.")
    public_from = models.DateTimeField(
        null=True,
        help_text="The article's publication time if it is published, else empty: from then on "
        "readers may find it. Lets a search skip the article table when nothing is filtered.",
    )
    public_until = models.DateTimeField(
        null=True,
        help_text="The article's withdrawal time, if it has one: from then on readers no longer find it.",
    )
    search_vector = SearchVectorField(null=True, editable=False)
    head_vector = SearchVectorField(null=True, editable=False)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return self.title


class SearchSection(models.Model):
    """One place inside an article a search can lead to: its anchor, its name and its text.

    ``anchor`` is empty for the top of the article (summary, the text before the
    first heading, sender addresses and domains), a mail client's slug for its
    section (``#gmail``), ``it`` for the IT section and the heading's anchor
    (``content.anchors``) for a heading of the body.
    """

    class Kind(models.TextChoices):
        TOP = "top", _("Top of the article")
        HEADING = "heading", _("Heading")
        CLIENT = "client", _("Mail client")
        IT = "it", _("IT section")

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="search_sections")
    position = models.PositiveSmallIntegerField(help_text="The section's place in the article's page.")
    kind = models.CharField(max_length=10, choices=Kind)
    anchor = models.CharField(max_length=80, blank=True)
    name = models.TextField(blank=True)
    #: What else readers call the section's mail program (its short name and slug).
    aliases = models.TextField(blank=True)
    text = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("search section")
        verbose_name_plural = _("search sections")
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="unique_search_section_position")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}#{self.anchor}"


class SearchTerm(models.Model):
    """A word that occurs in some document: what typos are corrected towards.

    Words are added as public articles are indexed and kept when text is
    removed; a word nothing contains any more only makes a correction find
    nothing. Drafts and scheduled articles add none, so a scheduled article's
    words join the list when it is next saved or at ``manage.py search_index``,
    which rebuilds the list from scratch (run it daily where articles are
    scheduled).
    """

    term = models.CharField(max_length=40, primary_key=True)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.term


def parse_synonym_terms(text: str) -> list[str]:
    """Terms from staff input, separated by commas, equals signs or new lines."""
    terms: list[str] = []
    for raw in text.replace("=", ",").replace("\n", ",").split(","):
        term = normalise_query(raw)
        if term and term not in terms:
            terms.append(term)
    return terms


class Synonym(models.Model):
    """Words and phrases that mean the same to a reader: a search for one finds all."""

    terms = models.TextField(
        _("terms"),
        validators=[TextLimit(SYNONYM_TERMS_MAX_LENGTH)],
        help_text=_(
            "Words or short phrases that mean the same, separated by commas, "
            "e.g. “whitelist, allowlist, safe senders”."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    edit_version = models.PositiveIntegerField(
        _("edit version"),
        default=1,
        editable=False,
        help_text=_(
            "Counts saves; a form loaded at an older version is refused (articles/admin/locking.py)."
        ),
    )

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["terms"]

    def __str__(self) -> str:
        return " = ".join(self.term_list)

    @property
    def term_list(self) -> list[str]:
        return parse_synonym_terms(self.terms)

    def clean(self) -> None:
        terms = parse_synonym_terms(self.terms)
        if len(terms) < 2:
            raise ValidationError(
                {"terms": ValidationError(_("List at least two terms that mean the same."), code="too_few")}
            )
        too_long = [term for term in terms if len(term.split()) > 4 or len(term) > 60]
        if too_long:
            raise ValidationError(
                {
                    "terms": ValidationError(
                        _("“%(term)s” is too long: a term is at most four words."),
                        code="term_too_long",
                        params={"term": too_long[0]},
                    )
                }
            )
        self.terms = ", ".join(terms)


class SearchQueryLog(models.Model):
    """One search a reader made. No IP address, user agent or cookie is stored.

    Email and IP addresses in the query are masked unless they belong to a
    vendor (see analytics.py), so the log holds no reader's own address.
    """

    class Kind(models.TextChoices):
        TEXT = "text", _("Words")
        IP = "ip", _("IP address or range")
        SENDER = "sender", _("Email address or domain")

    query = models.CharField(_("query"), max_length=MAX_QUERY_LENGTH)
    normalised = models.CharField(_("normalised query"), max_length=MAX_QUERY_LENGTH, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.TEXT)
    result_count = models.PositiveIntegerField(_("results"))
    created_at = models.DateTimeField(_("searched at"), default=timezone.now, db_index=True)
    #: The answer this search was shown: one rendering of the results page, which the page cache
    #: may show to several searches of the same words. Clicks name it (log_buffer.py). Empty on
    #: searches logged before clicks were tied to answers.
    token = models.UUIDField(_("answer"), null=True, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.query


class SearchClick(models.Model):
    """A result a reader opened from a search."""

    log = models.ForeignKey(SearchQueryLog, on_delete=models.CASCADE, related_name="clicks")
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position in the results"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("search click")
        verbose_name_plural = _("search clicks")
        constraints = [models.UniqueConstraint(fields=["log", "article"], name="unique_click_per_search")]

    def __str__(self) -> str:
        return f"{self.log} → {self.article_id}"


class PromotedResult(models.Model):
    """An article staff pin to the top of the results for one query."""

    query = models.CharField(
        _("query"),
        max_length=MAX_QUERY_LENGTH,
        help_text=_("The search, as readers type it; capitals and extra spaces do not matter."),
    )
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="promotions")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    edit_version = models.PositiveIntegerField(
        _("edit version"),
        default=1,
        editable=False,
        help_text=_(
            "Counts saves; a form loaded at an older version is refused (articles/admin/locking.py)."
        ),
    )

    class Meta:
        verbose_name = _("promoted result")
        verbose_name_plural = _("promoted results")
        ordering = ["query", "article__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["query", "article"],
                name="unique_promotion_per_query",
                violation_error_message=_("That article is already promoted for this query."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.query} → {self.article}"

    def clean(self) -> None:
        self.query = normalise_query(self.query)
        if not self.query:
            raise ValidationError(
                {"query": ValidationError(_("Enter the search to promote for."), code="empty")}
            )


class ArticleReadCount(models.Model):
    """How often an article was read on one day: a counter, nothing about the reader."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="read_counts")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("article reads on a day")
        verbose_name_plural = _("article reads per day")
        constraints = [models.UniqueConstraint(fields=["article", "day"], name="unique_read_count_per_day")]
        indexes = [models.Index(fields=["day"], name="read_count_day_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}: {self.count}"
