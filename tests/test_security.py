"""A site strangers cannot abuse: security headers, admin sign-in throttling, rate limits, client addresses."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from articles.search import log_buffer
from articles.search.models import SearchClick, SearchQueryLog
from articles.throttle import client_ip
from tests.conftest import make_article
from tests.servers import missing_service, redis_url

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


# Security headers -----------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/acme/", "/acme/guide/", "/search/?q=gmail", "/robots.txt", "/no-such-page/", LOGIN]
)
def test_every_response_carries_the_csp_permissions_policy_and_todays_headers(client, acme, path):
    make_article(acme, "guide")
    response = client.get(path)
    assert csp_directives(response) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    policy = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
    assert {"camera", "microphone", "geolocation", "payment", "usb"} <= policy.keys()
    assert set(policy.values()) == {"()"}
    assert "clipboard-write" not in policy  # the copy buttons use it
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_templates_hold_no_inline_script_style_or_event_handler():
    # A <script> without src, a <style> block, a style="" or on…="" attribute, a javascript: URL.
    inline = re.compile(
        r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE
    )
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group()}"
        for path in TEMPLATES.rglob("*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert found == []


# Admin sign-in throttling ---------------------------------------------------


@pytest.fixture
def editor(db) -> User:
    return User.objects.create_user("editor", "editor@example.com", PASSWORD, is_staff=True)


@pytest.fixture
def password_checks(monkeypatch) -> list[str]:
    """Every password the site checks against a stored hash, in order."""
    checked: list[str] = []
    original = AbstractBaseUser.check_password

    def counting(user, raw_password):
        checked.append(raw_password)
        return original(user, raw_password)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counting)
    return checked


def sign_in(client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra)


def test_the_sixth_attempt_is_refused_without_its_password_being_checked(client, editor, password_checks):
    answers = [sign_in(client, "editor", f"wrong-{n}").status_code for n in range(1, 6)]
    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks the name out
    assert password_checks == [f"wrong-{n}" for n in range(1, 6)]
    sixth = sign_in(client, "editor", "wrong-6")
    assert sixth.status_code == 429
    right = sign_in(client, "editor", PASSWORD)
    assert right.status_code == 429  # even the right password, during the lockout
    assert password_checks == [f"wrong-{n}" for n in range(1, 6)]  # neither was checked
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_how_long_and_what_to_do(client, editor):
    for n in range(5):
        response = sign_in(client, "editor", f"wrong-{n}")
    html = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == "900"
    assert "Sign-in paused" in html and "“editor”" in html
    assert "for 15 minutes after the last attempt" in html
    assert "manage.py axes_reset_username" in html
    assert "Safelist Help Center" in html  # the admin's own header, not Django's


def test_the_lockout_is_per_user_name_and_address(client, editor, password_checks):
    User.objects.create_user("other", "other@example.com", PASSWORD, is_staff=True)
    for n in range(5):
        sign_in(client, "editor", f"wrong-{n}")
    assert sign_in(client, "other", PASSWORD).status_code == 302  # another name from the same address
    client.logout()
    elsewhere = sign_in(client, "editor", PASSWORD, REMOTE_ADDR="198.51.100.20")
    assert elsewhere.status_code == 302  # the same name from another address


def test_the_lockout_ends_after_the_cool_off_and_by_the_reset_command(client, editor, settings):
    for n in range(5):
        sign_in(client, "editor", f"wrong-{n}")
    assert sign_in(client, "editor", PASSWORD).status_code == 429
    call_command("axes_reset_username", "editor", verbosity=0)
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    for n in range(5):
        sign_in(client, "editor", f"wrong-{n}")
    assert AccessAttempt.objects.get(username="editor").failures_since_start == 5
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME
    )
    assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_a_right_password_resets_the_count_of_failures(client, editor):
    for n in range(4):
        sign_in(client, "editor", f"wrong-{n}")
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    assert [sign_in(client, "editor", "wrong").status_code for _ in range(4)] == [200] * 4


def test_test_clients_force_login_still_works(admin_client, client, editor):
    assert admin_client.get("/admin/").status_code == 200
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


# Rate limits ----------------------------------------------------------------


@pytest.fixture
def tight_limits(settings):
    settings.RATE_LIMITS = {"search": "3/m", "suggest": "3/m", "click": "3/m", "login": "3/m"}


def test_search_over_the_limit_gets_429_with_retry_after_and_a_short_page(client, tight_limits, acme):
    assert [client.get("/search/", {"q": f"acme {n}"}).status_code for n in range(3)] == [200] * 3
    response = client.get("/search/", {"q": "acme"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert "<h1>Too many requests</h1>" in html and f"wait {response['Retry-After']} second" in html
    log_buffer.flush()
    assert SearchQueryLog.objects.count() == 3  # the refused search was not logged


def test_suggestions_over_the_limit_get_429_in_json(client, tight_limits, acme):
    url = reverse("articles:search_suggest")
    for _ in range(3):
        assert client.get(url, {"q": "ac"}).status_code == 200
    response = client.get(url, {"q": "ac"})
    assert response.status_code == 429 and response["Content-Type"] == "application/json"
    assert response.json()["retry_after"] == int(response["Retry-After"]) >= 1
    assert "Too many requests" in response.json()["error"]


def test_clicks_over_the_limit_get_429_and_count_nothing(client, tight_limits, acme):
    article = make_article(acme, "guide")
    html = client.get("/search/", {"q": "guide"}).content.decode()
    token = html.split('data-click-token="')[1].split('"')[0]
    url = reverse("articles:search_click")
    data = {"token": token, "article": article.pk, "position": 1}
    assert [client.post(url, data).status_code for _ in range(3)] == [204] * 3
    log_buffer.flush()
    assert SearchClick.objects.count() == 1
    SearchClick.objects.all().delete()
    response = client.post(url, data)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    log_buffer.flush()
    assert not SearchClick.objects.exists()


def test_sign_in_posts_are_limited_per_address_across_user_names(
    client, tight_limits, editor, password_checks
):
    assert [sign_in(client, f"name-{n}", "guess").status_code for n in range(3)] == [200] * 3
    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert password_checks == []  # unknown names: no stored hash was checked; the 4th never got there
    assert client.get(LOGIN).status_code == 200  # the form itself is not limited


def test_a_limit_counts_each_address_on_its_own(client, tight_limits, acme):
    for _ in range(3):
        client.get("/search/", {"q": "acme"})
    assert client.get("/search/", {"q": "acme"}).status_code == 429
    assert client.get("/search/", {"q": "acme"}, REMOTE_ADDR="198.51.100.1").status_code == 200
    assert client.get("/search/", {"q": "acme"}, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_one_ipv6_network_of_64_counts_as_one_client(client, tight_limits, acme):
    for host in range(1, 4):
        client.get("/search/", {"q": "acme"}, REMOTE_ADDR=f"2001:db8:1:2::{host}")
    assert client.get("/search/", {"q": "acme"}, REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 429
    assert client.get("/search/", {"q": "acme"}, REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_pages_other_than_search_are_not_limited(client, tight_limits, acme):
    make_article(acme, "guide")
    assert {client.get("/acme/guide/").status_code for _ in range(10)} == {200}


def test_limits_are_counted_in_the_shared_cache(client, tight_limits, acme, settings):
    """With Redis as the cache, a count made by one app server holds for another."""
    redis = pytest.importorskip("redis")
    url = redis_url(15)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        missing_service("no Redis at 127.0.0.1:6379 to share the counts through")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "test-throttle",
        }
    }
    from django.core.cache import cache

    cache.delete_pattern("*")  # this test's keys only (KEY_PREFIX), not the whole Redis database
    try:
        for _ in range(3):
            client.get("/search/", {"q": "acme"})
        # Another thread has a connection of its own to Redis, as another app server has.
        answers = []
        other_server = threading.Thread(target=lambda: answers.append(client.get("/search/", {"q": "acme"})))
        other_server.start()
        other_server.join()
        assert answers[0].status_code == 429
    finally:
        cache.delete_pattern("*")


# Who the client is ----------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),  # no proxy: X-Forwarded-For is the client's to write
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the proxy appended what it saw; the rest is forged
        (2, "6.6.6.6, 203.0.113.9, 198.51.100.5", "203.0.113.9"),
        (2, "203.0.113.9", "192.0.2.1"),  # fewer entries than proxies: not believed
        (1, "not-an-address", "192.0.2.1"),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_comes_from_the_trusted_proxies_only(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_a_proxy_limits_and_sign_in_failures_follow_the_forwarded_address(
    client, settings, tight_limits, acme, editor
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        client.get("/search/", {"q": "acme"}, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 203.0.113.9")
    assert client.get("/search/", {"q": "acme"}, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert client.get("/search/", {"q": "acme"}, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200
    sign_in(client, "editor", "wrong", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.77")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.77"
