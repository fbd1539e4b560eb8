"""Mail settings come from the environment: EMAIL_URL or EMAIL_HOST/PORT; a bad EMAIL_URL stops the start."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.servers import ROOT

PRINT = (
    "import helpcenter.settings as s; print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
    "s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, getattr(s, 'EMAIL_BACKEND', 'smtp'))"
)


def load(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("EMAIL_") and k not in {"DEBUG", "DATABASE_URL"}
    }
    clean.update(DEBUG="1", **env)
    return subprocess.run(  # noqa: S603 - our own settings module
        [sys.executable, "-c", PRINT], cwd=ROOT, env=clean, capture_output=True, text=True, check=False
    )


def test_email_url_names_the_server_its_login_and_its_tls():
    result = load(EMAIL_URL="smtp+tls://mailer%40example.com:p%3Ass@smtp.example.com")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "smtp.example.com",
        "587",
        "mailer@example.com",
        "p:ss",
        "True",
        "False",
        "smtp",
    ]
    # No login: the two empty values print as nothing.
    assert load(EMAIL_URL="smtps://smtp.example.com").stdout.split() == [
        "smtp.example.com",
        "465",
        "False",
        "True",
        "smtp",
    ]


def test_email_host_and_port_work_without_a_url():
    result = load(EMAIL_HOST="relay.example.com", EMAIL_PORT="2525")
    assert result.stdout.split()[:2] == ["relay.example.com", "2525"]
    assert result.stdout.split()[-1] == "smtp"


def test_a_first_look_without_a_mail_server_prints_mails_on_the_console():
    assert load().stdout.split()[-1] == "django.core.mail.backends.console.EmailBackend"


def test_a_malformed_email_url_stops_the_start_with_what_is_wrong():
    result = load(EMAIL_URL="http://smtp.example.com")
    assert result.returncode != 0
    assert "EMAIL_URL must look like smtp://user:password@host:port" in result.stderr
