"""The contract every search backend keeps.

The engine (engine.py) decides what to look for; a backend says how its
database finds it:

- ``ranked``: one page of the matching articles, in this order: promoted by
  staff for the query; of a vendor the query named (by address, domain or
  IP); matching more of the query's terms (and its exact phrase) anywhere;
  matching more terms in the title, vendor name, summary or section names;
  the database's rank (title weighted over summary over body, steps and
  facts); title. With how many articles match in all;
- ``sections``: the sections (``SearchSection``) of the page's articles that
  match, from which highlights.py takes the passages, the same way on both;
- ``title_prefix`` and ``body_prefix`` for autocomplete, ``spelling_candidates`` for typos.

What a backend cannot do is listed in ``known_gaps``, in words; the shared
contract tests (tests/search/test_contract.py) skip exactly those, with that
reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

#: Private-use characters around a highlighted match; query.clean() removes
#: them from queries and index.py from documents, so they only ever mean this.
MARK_START = "\ue000"
MARK_END = "\ue001"


@dataclass(frozen=True)
class TextQuery:
    """What to look for: groups of alternatives (a term, its synonyms and its
    correction), any of which may match; and the query's words as a phrase."""

    groups: tuple[tuple[str, ...], ...]
    phrase: str = ""

    @property
    def alternatives(self) -> list[str]:
        return list(dict.fromkeys(alt for group in self.groups for alt in group))

    def __bool__(self) -> bool:
        return bool(self.groups)


@dataclass(frozen=True)
class SectionText:
    """A section of an article that matches a query (``SearchSection``'s columns)."""

    article_id: int
    position: int
    kind: str
    anchor: str
    name: str
    aliases: str
    text: str


@dataclass(frozen=True)
class Ranking:
    """One page of matching articles as (id, promoted) pairs, in order, and how many match."""

    page: list[tuple[int, bool]]
    total: int
    #: ``total`` is a lower bound: the backend stopped counting (PostgreSQL, see there).
    at_least: bool = False


#: What autocomplete looks for: groups of alternative phrases (see ``SearchBackend.title_prefix``).
PrefixGroups = list[tuple[str, ...]]


class SearchBackend:
    vendor: str = ""
    #: Behaviour this backend lacks, and why: {contract test name: reason}.
    known_gaps: dict[str, str] = {}

    def ranked(
        self,
        articles: QuerySet | None,
        query: TextQuery,
        *,
        promoted: QuerySet,
        boost: set[int],
        offset: int,
        limit: int,
    ) -> Ranking:
        """Rank the matches among ``articles`` (public, filtered; None: every public
        article).

        ``promoted`` holds the ``PromotedResult`` rows for the query; ``boost``
        the ids of vendors the query named.
        """
        raise NotImplementedError

    def sections(self, article_ids: list[int], query: TextQuery) -> list[SectionText]:
        """The sections of these articles that match any of the query's terms: one query."""
        raise NotImplementedError

    def title_prefix(self, articles: QuerySet, groups: PrefixGroups, limit: int) -> QuerySet:
        """Articles whose title or vendor name has an alternative of every group, best first.

        Each alternative is a phrase of words from ``query.tokenise()``; the
        first alternative of the last group is what the reader is still
        typing, and its last word matches as a prefix.
        """
        raise NotImplementedError

    def body_prefix(self, articles: QuerySet, groups: PrefixGroups, limit: int) -> QuerySet:
        """A few articles whose body matches as ``title_prefix`` says, in the order of their ids.

        Not ranked, and which few is the backend's choice once more match: these are only
        where headings may match, and ranking every body is slow in a large help center.
        """
        raise NotImplementedError

    def spelling_candidates(self, words: list[str]) -> dict[str, list[str]]:
        """Known words that each of ``words`` may be a misspelling of: one query."""
        raise NotImplementedError
