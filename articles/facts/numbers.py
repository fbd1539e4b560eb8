"""Whole numbers as people and browsers type them: ASCII digits only.

``str.isdigit()`` alone also accepts "²" and other digits that ``int()``
refuses, so every check that a text is a number before ``int()`` reads it goes
through ``is_decimal``.
"""

from __future__ import annotations


def is_decimal(text: str, *, max_digits: int | None = None) -> bool:
    """Whether ``text`` is one or more ASCII digits (at most ``max_digits`` of them)."""
    if max_digits is not None and len(text) > max_digits:
        return False
    return text.isascii() and text.isdigit()
