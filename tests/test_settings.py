"""Configuration comes from the environment; production refuses unsafe settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import helpcenter.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("key", ["django-insecure-" + "x" * 60, "short", "a" * 60])
def test_production_refuses_a_placeholder_secret_key(key):
    result = load_settings(DEBUG="0", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY looks like a placeholder" in result.stderr


def test_first_look_runs_on_sqlite_without_configuration():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_database_url_selects_postgresql():
    result = load_settings(DEBUG="1", DATABASE_URL="postgres://u@db.example:5432/help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_bad_boolean_is_named():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be" in result.stderr


def test_deploy_checks_are_clean_with_production_settings(tmp_path):
    # The browser tests allow sync ORM calls beside Playwright's event loop;
    # that switch must never reach a deployment, and the check says so.
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DEBUG="0",
        SECRET_KEY="p" + "q7Z-x_9LmN3vB8cR2tY6wK4sD1fG5hJ0aE" * 2,
        ALLOWED_HOSTS="help.example.com",
        SECURE_SSL_REDIRECT="1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RATE_LIMIT_SEARCH": "lots"}, "RATE_LIMIT_SEARCH must be a number of requests per period"),
        ({"RATE_LIMIT_LOGIN": "0/m"}, "RATE_LIMIT_LOGIN must be a number of requests per period"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be a whole number of at least 0"),
        ({"LOGIN_FAILURE_LIMIT": "0"}, "LOGIN_FAILURE_LIMIT must be a whole number of at least 1"),
        ({"SEARCH_LOG_RETENTION_DAYS": "ninety"}, "SEARCH_LOG_RETENTION_DAYS must be a whole number"),
    ],
)
def test_a_bad_limit_is_named(env, message):
    result = load_settings(DEBUG="1", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_limits_and_retention_come_from_the_environment():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL"} and not k.startswith(("RATE_LIMIT_", "LOGIN_"))
    }
    env.update(
        DEBUG="1",
        RATE_LIMIT_SEARCH="20/10m",
        TRUSTED_PROXY_COUNT="2",
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_LOCKOUT_MINUTES="30",
        SEARCH_LOG_RETENTION_DAYS="30",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import helpcenter.settings as s; print(s.RATE_LIMITS['search'], s.RATE_LIMITS['suggest'],"
            " s.TRUSTED_PROXY_COUNT, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.seconds,"
            " s.SEARCH_LOG_RETENTION_DAYS)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["20/10m", "240/m", "2", "3", "1800", "30"]
