"""Limits hold across app servers: two real gunicorn servers sharing one database and one Redis.

A client that spreads its requests over the servers behind a load balancer
gets no more than one server would give it: search rate limits and the
once-a-day read count are kept in the shared cache (Redis), sign-in failures
in the shared database (django-axes).
"""

from __future__ import annotations

import re
import time
import urllib.parse

import pytest

from articles.search import buffer_room
from tests.servers import Response, Server, Site, running_site

# A Redis database number of its own, emptied before and after.
REDIS_DATABASE = 13
SEARCHES_ALLOWED = 4
PASSWORD = "a-long-right-password-9184"
ARTICLE = "/smarttrak/allowlisting-guide/"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    with running_site(
        tmp_path_factory.mktemp("site"),
        REDIS_DATABASE,
        RATE_LIMIT_SEARCH=f"{SEARCHES_ALLOWED}/h",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    ) as site:
        site.manage("createsuperuser", "--noinput", "--username", "editor", "--email", "editor@example.com")
        yield site


@pytest.fixture(scope="module")
def servers(site) -> tuple[Server, Server]:
    return site.server(), site.server()


def test_a_search_limit_reached_on_one_server_holds_on_the_other(servers):
    first, second = servers
    for number in range(SEARCHES_ALLOWED):
        server = first if number % 2 == 0 else second
        assert server.get(f"/search/?q=smarttrak+{number}").status == 200
    refused = second.get("/search/?q=smarttrak")
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert first.get("/search/?q=smarttrak").status == 429


def test_a_reader_is_counted_once_a_day_whichever_server_answers(site, servers):
    first, second = servers
    browser = {"User-Agent": "servers-test reader"}
    for server in (first, second, first, second):
        assert server.get(ARTICLE, headers=browser).status == 200
    assert second.get(ARTICLE, headers={"User-Agent": "another reader"}).status == 200
    time.sleep(buffer_room.PUSH_SECONDS + 1)  # each server sends its reads to Redis within a second
    assert reads_today(site) == 2


def test_the_sixth_wrong_password_is_refused_on_any_server_without_being_checked(servers):
    first, second = servers
    answers = [sign_in(first if n % 2 == 0 else second, "wrong password") for n in range(5)]
    assert [answer.status for answer in answers] == [200, 200, 200, 200, 429]  # the fifth locks the name out
    assert "Please enter the correct username and password" in answers[0].body
    locked = sign_in(second, PASSWORD)  # the right password, after five wrong ones
    assert locked.status == 429
    assert "Sign-in paused" in locked.body
    assert sign_in(first, PASSWORD).status == 429


def reads_today(site: Site) -> int:
    output = site.manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.db.models import Sum; from articles.search.models import ArticleReadCount; "
        "from articles.search import read_buffer; read_buffer.flush(); "
        "print(ArticleReadCount.objects.aggregate(n=Sum('count'))['n'] or 0)",
    )
    return int(output.strip())


def sign_in(server: Server, password: str) -> Response:
    """One sign-in as a browser makes it: the form with its CSRF cookie and token, then the POST.

    The cookie is sent by hand: production settings mark it Secure, and these
    servers speak plain HTTP on loopback.
    """
    page = server.get("/admin/login/")
    cookie = re.search(r"csrftoken=([^;]+)", page.headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "editor", "password": password, "next": "/admin/"}
    ).encode()
    return server.request("/admin/login/", data=form, headers={"Cookie": f"csrftoken={cookie}"})
