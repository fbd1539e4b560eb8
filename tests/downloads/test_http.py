"""The caching helpers the downloads and the API answer with."""

from articles.downloads.http import content_etag


def test_content_etag_is_strong_quoted_and_follows_the_bytes():
    assert content_etag(b"a") == content_etag(b"a")
    assert content_etag(b"a") != content_etag(b"b")
    assert content_etag(b"a").startswith('"') and not content_etag(b"a").startswith("W/")
