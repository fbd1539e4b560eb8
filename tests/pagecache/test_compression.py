"""Which content coding a client gets, read from its Accept-Encoding (RFC 9110 12.5.3)."""

from __future__ import annotations

import os

import pytest

from articles.pagecache import compression

BOTH = {"br": b"b", "gzip": b"g"}


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        ("gzip, deflate, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0.5", "gzip"),
        ("identity", None),
        ("", None),
        ("*", "br"),
        ("gzip;q=0, br;q=0", None),
        ("br;q=banana, gzip", "gzip"),
        ("GZIP", "gzip"),
    ],
)
def test_the_coding_chosen(header, coding):
    assert compression.choose(BOTH, header) == coding


def test_only_what_is_stored_is_offered():
    assert compression.choose({"gzip": b"g"}, "br, gzip") == "gzip"
    assert compression.choose({}, "br, gzip") is None


def test_small_bodies_and_binary_types_are_not_compressed():
    assert not compression.compressible("text/html; charset=utf-8", b"x" * 100)
    assert compression.compressible("text/html; charset=utf-8", b"x" * 500)
    assert compression.compressible("application/json", b"x" * 500)
    assert not compression.compressible("image/png", b"x" * 500)


def test_a_coding_is_kept_only_if_it_is_smaller():
    assert set(compression.variants(b"<p>allowlist</p>" * 100)) == {"br", "gzip"}
    assert compression.variants(os.urandom(1000)) == {}  # random bytes do not compress
