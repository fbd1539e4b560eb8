"""Whole numbers as typed: ASCII digits only, for every check before int()."""

import pytest

from articles.facts.numbers import is_decimal


@pytest.mark.parametrize("text", ["0", "7", "12345"])
def test_ascii_digits_are_a_number(text):
    assert is_decimal(text)


@pytest.mark.parametrize("text", ["", "²", "1²", "١٢", "-1", "1.0", " 1", "x"])
def test_anything_else_is_not_even_if_str_isdigit_says_so(text):
    assert not is_decimal(text)


def test_max_digits_bounds_the_length():
    assert is_decimal("12345", max_digits=5)
    assert not is_decimal("123456", max_digits=5)
