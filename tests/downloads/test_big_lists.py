"""Big lists stay light: the For IT page and the range files of a vendor with 2,000 ranges (issue 14, point 5).

Sizes are generated here. Each answer is held to a few hundred KB per 1,000
ranges and to the same number of queries at 10 ranges as at 2,000.
"""

from __future__ import annotations

import time

import pytest

from articles.facts.models import IPRange
from articles.services import changes

#: What a page or file may weigh per 1,000 ranges it lists.
KB_PER_1000_RANGES = 300

URLS = [
    ("/acme/for-it/", 4),
    ("/acme/allowlist.txt", 2),
    ("/acme/allowlist.csv", 2),
    ("/acme/allowlist.json", 2),
    ("/allowlist.json", 2),
    ("/acme/for-it/exchange-online.ps1", 4),
]


@pytest.fixture
def ranges_of_acme(acme):
    def build(count: int) -> None:
        IPRange.objects.filter(vendor=acme, network__startswith="45.").delete()
        rows = []
        for n in range(count):
            ip_range = IPRange(vendor=acme, network=f"45.{n // 256}.{n % 256}.0/24", public_note="EU relays")
            ip_range.derive_lookup_fields()
            rows.append(ip_range)
        IPRange.objects.bulk_create(rows)
        changes.facts_changed(acme.pk)

    return build


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(("url", "queries"), URLS)
def test_big_lists_keep_their_queries_and_weigh_a_few_hundred_kb_per_1000_ranges(
    client, ranges_of_acme, django_assert_num_queries, url, queries
):
    sizes = {}
    for count in (10, 2000):
        ranges_of_acme(count)
        with django_assert_num_queries(queries):
            start = time.perf_counter()
            response = client.get(url)
            body = body_of(response)
            seconds = time.perf_counter() - start
        assert response.status_code == 200
        sizes[count] = len(body)
        print(f"\n{url} with {count} ranges: {len(body) / 1024:.0f} KB in {seconds * 1000:.0f} ms")
    assert sizes[2000] <= 2 * KB_PER_1000_RANGES * 1024


def test_for_it_page_of_a_big_vendor_links_each_snippet_and_still_lists_every_range(
    client, acme, ranges_of_acme
):
    ranges_of_acme(2000)
    listed = IPRange.objects.active().filter(vendor=acme).count()
    html = client.get("/acme/for-it/").content.decode()
    assert 'class="snippet-text"' not in html
    assert f"With {listed} ranges the text is long" in html
    assert 'href="/acme/for-it/exchange-online.ps1"' in html
    assert html.count('<tr><td data-label="Address or range">') >= 2000
    assert "45.7.207.0/24" in html
    assert "45.7.207.0/24" in client.get("/acme/for-it/exchange-online.ps1").content.decode()


def test_for_it_page_of_a_small_vendor_shows_each_snippet_to_copy(client, ranges_of_acme):
    ranges_of_acme(10)
    html = client.get("/acme/for-it/").content.decode()
    assert html.count('class="snippet-text"') >= 5
