"""Spelling correction: the known word a reader most likely meant.

Pure functions. The backend fetches a few candidate words for each unknown
word (PostgreSQL by trigram distance with pg_trgm, SQLite by first letter and
length); these choose among them by edit distance, counting a swap of two
neighbouring letters ("gmial") as one edit, as people make them.

A correction must do no harm: a word that the content holds in another form
("getting" where the articles say "get"), or that joins its neighbour into a
word the content holds ("smart trak" for SmartTRAK), is not a typo
(``forms()`` and ``joined()`` name what terms.py asks the backend about).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Words shorter than this are not corrected: too many words of three letters are one edit apart.
MIN_LENGTH = 4
#: Words shorter than this are corrected only by a letter left out ("yaho" → yahoo, "gmal" →
#: gmail) or two letters swapped ("spma" → spam): a changed letter turns too many short
#: English words into other ones ("cant" → want, "lost" → last, "best" → test).
CAREFUL_LENGTH = 5
#: Letters, then digits, or the other way round: "office365", "win10".
_LETTERS_DIGITS = re.compile(r"[^\W\d_]+|\d+")


def max_edits(word: str) -> int:
    """How many edits a correction of ``word`` may take: one, or two in a long word."""
    return 2 if len(word) >= 8 else 1


def needs_checking(word: str) -> bool:
    return len(word) >= MIN_LENGTH and not any(ch.isdigit() for ch in word)


def forms(word: str) -> list[str]:
    """Other forms of ``word`` the content may hold instead: "getting" → "gett", "get"; "senders" → "sender".

    If any of them is a known word, ``word`` is no typo. Rough on purpose,
    like synonyms.base(): it only has to say "this is a real word", and a
    wrong form merely fails to be found.
    """
    found = []
    for suffix in ("ing", "ed", "es", "s"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and not word.endswith("ss"):
            found.append(stem)
            # A doubled last consonant is the spelling of the ending: "getting", "stopped".
            if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "aeioulsz":
                found.append(stem[:-1])
            if suffix in ("ing", "ed"):
                found.append(stem + "e")
    return [form for form in dict.fromkeys(found) if form != word]


def joined(words: list[str]) -> list[tuple[int, str]]:
    """Each pair of neighbouring words written as one, by the position of the first: "smart trak" → "smarttrak"."""
    return [(i, words[i] + words[i + 1]) for i in range(len(words) - 1)]


def split(word: str) -> str:
    """Letters and digits apart: "office365" → "office 365"; the word itself when there is nothing to split."""
    return " ".join(_LETTERS_DIGITS.findall(word)) or word


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps."""
    if a == b:
        return 0
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        previous_previous, previous = previous, current
    return previous[-1]


def trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """Shared trigrams over all trigrams, as pg_trgm's ``similarity()`` counts them."""
    first, second = trigrams(a), trigrams(b)
    return len(first & second) / len(first | second)


def correct(
    word: str, candidates: Iterable[str], *, slack: int = 0, preferred: frozenset[str] = frozenset()
) -> str | None:
    """The candidate closest to ``word`` within its edit allowance (plus ``slack``), or None.

    A short word (``CAREFUL_LENGTH``) is allowed one edit of the kinds that
    rarely make another real word: a letter left out, or two letters swapped.

    Ties go first to a ``preferred`` candidate (a mail program's name or a
    synonym: "gmal" is Gmail, not "goal"), then to the candidate closest in length (a slip of one key, as in
    "vmail" for "gmail", rather than a missing letter), then to the one
    sharing more trigrams, then to the alphabetically first, so the answer
    does not depend on the order candidates arrive in.
    """
    careful = len(word) < CAREFUL_LENGTH
    allowance = 1 if careful else max_edits(word) + slack
    best: tuple[int, bool, int, float, str] | None = None
    for candidate in candidates:
        if candidate == word or abs(len(candidate) - len(word)) > allowance:
            continue
        if careful and not (len(candidate) == len(word) + 1 or sorted(candidate) == sorted(word)):
            continue
        distance = edit_distance(word, candidate)
        if distance > allowance:
            continue
        key = (
            distance,
            candidate not in preferred,
            abs(len(candidate) - len(word)),
            -similarity(word, candidate),
            candidate,
        )
        if best is None or key < best:
            best = key
    return best[-1] if best else None
