"""Whole pages from the cache: no query on a hit, the headers a CDN needs, and never a stale page."""

from __future__ import annotations

import datetime as dt
import gzip
import time

import brotli
import pytest
import redis
from django.core.cache import caches
from django.utils import timezone

from articles.content.models import Article, MailClient, Step
from articles.pagecache import local
from articles.pagecache.middleware import Entry, page_at
from articles.search import buffer_room, log_buffer, read_buffer
from articles.search.buffers import push
from articles.search.models import SearchQueryLog
from articles.services import changes
from tests.conftest import make_article, make_client, make_range
from tests.pagecache.conftest import REDIS_NUMBER
from tests.servers import redis_database

pytestmark = pytest.mark.django_db

GUIDE = "/acme/allowlisting-guide/"


@pytest.fixture
def guide(acme):
    gmail = make_client("gmail", "Gmail", steps=["Mark mail from {{ primary_address }} as not spam."])
    return make_article(
        acme,
        "allowlisting-guide",
        clients=[gmail],
        title="Get Acme mail",
        body="{{ vendor }} sends from {{ range_count }} ranges.",
    )


def fetch(client, path, **headers):
    response = client.get(path, headers=headers)
    return response, response.content.decode() if response.status_code == 200 and not headers else ""


@pytest.mark.parametrize(
    "path", ["/", "/acme/", GUIDE, "/acme/allowlist.json", "/allowlist.txt", "/robots.txt", "/search/?q=acme"]
)
def test_a_kept_page_is_answered_without_a_query(client, page_cache, guide, django_assert_num_queries, path):
    first = client.get(path)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_headers_for_browsers_and_cdns(client, page_cache, guide):
    client.get(GUIDE)
    response = client.get(GUIDE)
    etag = response["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    control = response["Cache-Control"]
    assert "public" in control and "s-maxage=" in control and "stale-while-revalidate=" in control
    assert "max-age=" in control
    assert response["Surrogate-Key"].split() == ["site", "vendor:acme", "article:acme/allowlisting-guide"]
    assert response["Cache-Tag"] == "site,vendor:acme,article:acme/allowlisting-guide"
    # What the outer middleware adds is on hits too.
    assert "Content-Security-Policy" in response and response["X-Content-Type-Options"] == "nosniff"


def test_a_current_copy_gets_304_without_a_query(client, page_cache, guide, django_assert_num_queries):
    etag = client.get(GUIDE)["ETag"]
    with django_assert_num_queries(0):
        response = client.get(GUIDE, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert client.get(GUIDE, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_html_is_compressed_with_brotli_or_gzip_as_the_client_takes(client, page_cache, guide):
    plain = client.get(GUIDE)
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    br = client.get(GUIDE, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br["Content-Encoding"] == "br"
    assert brotli.decompress(br.content) == plain.content
    gz = client.get(GUIDE, headers={"Accept-Encoding": "gzip;q=1.0, br;q=0"})
    assert gz["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.content) == plain.content
    assert int(gz["Content-Length"]) == len(gz.content) < len(plain.content)
    assert len({plain["ETag"], br["ETag"], gz["ETag"]}) == 3


def test_signed_in_staff_are_never_served_or_kept(admin_client, client, page_cache, guide):
    staff = admin_client.get(GUIDE)
    assert staff.status_code == 200 and "X-Page-Cache" not in staff
    assert "private" in staff["Cache-Control"] and "Content-Encoding" not in staff
    assert client.get(GUIDE)["X-Page-Cache"] == "miss"


def test_non_get_and_drafts_are_not_kept(client, page_cache, acme):
    draft = make_article(acme, "draft", published=False)
    assert client.get("/acme/draft/").status_code == 404
    with changes.recording():
        Article.objects.filter(pk=draft.pk).update(
            status=Article.Status.PUBLISHED, published_at=timezone.now() - dt.timedelta(minutes=1)
        )
        changes.article_changed(draft.pk)
    assert client.get("/acme/draft/").status_code == 200
    assert client.post("/acme/draft/").status_code == 405


def test_a_response_setting_a_cookie_is_not_kept(client, page_cache, guide):
    client.cookies["csrftoken"] = "x" * 32  # a cookie of no session: the reader still gets kept pages
    assert client.get(GUIDE)["X-Page-Cache"] == "miss"
    assert client.get(GUIDE)["X-Page-Cache"] == "hit"
    client.cookies["sessionid"] = "not-a-session"
    assert "X-Page-Cache" not in client.get(GUIDE)


# Invalidation: every kind of input, each seen at once on the next request.


def test_an_article_edit_is_seen_at_once(client, page_cache, guide):
    assert "Acme Mail sends from 2 ranges." in fetch(client, GUIDE)[1]
    with changes.recording():
        Article.objects.filter(pk=guide.pk).update(body="New words for {{ vendor }}.")
        changes.article_changed(guide.pk)
    response, html = fetch(client, GUIDE)
    assert response["X-Page-Cache"] == "miss" and "New words for Acme Mail." in html


def test_a_vendor_fact_is_seen_at_once_on_pages_and_files(client, page_cache, guide, acme):
    fetch(client, GUIDE)
    fetch(client, "/acme/allowlist.txt")
    make_range(acme, "203.0.113.0/24")
    assert "sends from 3 ranges." in fetch(client, GUIDE)[1]
    assert "203.0.113.0/24" in fetch(client, "/acme/allowlist.txt")[1]


def test_a_generic_step_edit_is_seen_at_once(client, page_cache, guide):
    fetch(client, GUIDE)
    step = Step.objects.get(step_list__mail_client__slug="gmail")
    with changes.recording():
        Step.objects.filter(pk=step.pk).update(text="Open **Spam** first.")
        changes.written(step)
    assert "Open <strong>Spam</strong> first." in fetch(client, GUIDE)[1]


def test_a_mail_client_rename_is_seen_at_once(client, page_cache, guide):
    fetch(client, GUIDE)
    client_row = MailClient.objects.get(slug="gmail")
    with changes.recording():
        MailClient.objects.filter(pk=client_row.pk).update(name="Google Mail")
        changes.written(client_row)
    assert "Google Mail" in fetch(client, GUIDE)[1]


def test_a_scheduled_publication_is_seen_when_due_with_no_write(client, page_cache, guide, acme):
    due = timezone.now() + dt.timedelta(seconds=2)
    make_article(acme, "coming-soon", title="Coming soon", published_at=due)
    assert "Coming soon" not in fetch(client, "/acme/")[1]
    assert fetch(client, "/acme/")[0]["X-Page-Cache"] == "hit"
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.2)
    response, html = fetch(client, "/acme/")
    assert response["X-Page-Cache"] == "miss" and "Coming soon" in html


def test_a_page_is_kept_no_later_than_midnight(client, page_cache, guide):
    from articles.content.schedule import next_change, next_midnight

    now = timezone.now()
    assert next_change(now) <= next_midnight(now)
    assert timezone.localtime(next_midnight(now)).time() == dt.time.min
    control = client.get(GUIDE)["Cache-Control"]
    left = (next_midnight(now) - now).total_seconds()
    max_age = int(control.split("max-age=")[1].split(",")[0])
    assert max_age <= left + 1


def max_age(control: str) -> int:
    return int(next(part for part in control.split(", ") if part.startswith("max-age=")).split("=")[1])


def test_a_files_own_browser_lifetime_is_kept_and_capped_by_the_next_change(client, page_cache, guide):
    from articles.content.schedule import next_midnight

    left = int((next_midnight(timezone.now()) - timezone.now()).total_seconds())
    client.get("/acme/allowlist.json")
    file_age = max_age(client.get("/acme/allowlist.json")["Cache-Control"])
    page_age = max_age(client.get(GUIDE)["Cache-Control"])
    assert file_age == min(300, left) or file_age == min(300, left) - 1  # the downloads' own 300 s
    assert page_age in {min(60, left), min(60, left) - 1}  # PAGE_CACHE_MAX_AGE


def test_head_is_answered_from_a_kept_page_without_a_body(client, page_cache, guide):
    body = client.get(GUIDE).content
    response = client.head(GUIDE)
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit"
    assert response.content == b"" and int(response["Content-Length"]) == len(body)


@pytest.fixture
def round_trips(monkeypatch):
    """How many times this process sends to Redis (a command, or a pipeline of them): a spy, the calls go on."""
    sent = []
    real = redis.connection.AbstractConnection.send_packed_command

    def send(self, command, *args, **kwargs):
        sent.append(command)
        return real(self, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", send)
    return sent


@pytest.mark.parametrize(
    ("path", "batch"),
    [
        (GUIDE, 2),  # the readers of the day, then the counts of the first readers
        ("/search/?q=acme", 1),  # the searches
    ],
)
def test_with_redis_a_hit_costs_one_round_trip_reads_and_searches_included(
    client, settings, guide, round_trips, path, batch, monkeypatch
):
    monkeypatch.setattr(buffer_room, "PUSH_SECONDS", 3600)  # the batch is sent below, when asked
    url = redis_database(REDIS_NUMBER)
    settings.CACHES = {
        alias: {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": alias}
        for alias in ("default", "fragments", "pages")
    }
    settings.PAGE_CACHE_ENABLED = True
    assert client.get(path)["X-Page-Cache"] == "miss"
    round_trips.clear()
    for number in range(5):
        # Readers each counted once (their reads and searches go to Redis in a batch, buffers.py).
        assert client.get(path, REMOTE_ADDR=f"192.0.2.{number}")["X-Page-Cache"] == "hit"
    assert len(round_trips) == 5  # the site's generation, once per hit
    push()
    assert len(round_trips) == 5 + batch
    # Nothing was lost on the way: the miss and the five hits are counted or logged.
    if path == GUIDE:
        read_buffer.flush()
        assert guide.read_counts.get().count == 6
    else:
        log_buffer.flush()
        assert SearchQueryLog.objects.filter(query="acme").count() == 6
    caches["default"].clear()


def test_a_path_is_resolved_once_for_all_its_hits(client, page_cache, guide):
    page_at.cache_clear()
    for _ in range(3):
        client.get(GUIDE)
    assert page_at.cache_info().misses == 1 and page_at.cache_info().hits == 2
    assert page_at("helpcenter.urls", "/admin/") is None  # not a public page
    assert page_at("helpcenter.urls", "/no/such/page/here/") is None


def test_an_entry_kept_by_the_release_before_is_still_served(client, page_cache, guide):
    first = client.get(GUIDE)
    key = next(key for key in local._entries)
    entry = local.get(key)
    # What an older release pickled: no per-coding answers, no replay, no browser lifetime.
    # Unpickling makes the object without __init__ and gives it the stored state, as here.
    state = {
        name: value for name, value in vars(entry).items() if name not in ("_answers", "replay", "max_age")
    }
    revived = Entry.__new__(Entry)
    revived.__setstate__(state)
    assert revived.answer_headers(None)[0] == first["ETag"]
    assert (revived.replay, revived.max_age) == (None, None)
