"""Headless Chromium through Playwright, against a live server with the demo data.

Debian's /usr/bin/chromium is used (Playwright's own browser download cannot
run here). Locally, without Chromium, these tests skip and say why; in CI
(CI=true) a missing Chromium fails the run instead.

Every page runs under the site's Content-Security-Policy and
Permissions-Policy: the ``page`` fixture records each CSP violation the
browser reports (``securitypolicyviolation`` events and the console's
"Refused to …" errors) and each complaint about a policy header, and a test
that saw one fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.yaml"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    message = (
        f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package to run the browser tests."
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the fixtures make are still plain synchronous calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo_site(live_server, settings, transactional_db):
    # The live server serves static files through the finders, which do not
    # know the fingerprinted names of the production storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("import_helpcenter", str(DEMO), verbosity=0)
    return live_server


# Runs in every document before the page's own scripts, outside the CSP's reach.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " in " + (event.sourceFile || event.documentURI) + ":" + event.lineNumber);
});
"""
POLICY_PROBLEMS = ("Content Security Policy", "CSP violation", "Permissions-Policy", "Permissions Policy")


def policy_problems(page) -> list[str]:
    """Console messages about the CSP or the Permissions-Policy seen so far."""
    return [text for text in page.console_messages if any(word in text for word in POLICY_PROBLEMS)]


@pytest.fixture
def page(browser, demo_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.outside_requests = []
    page.console_messages = []

    def watch(request):
        if not request.url.startswith((demo_site.url, "data:", "blob:", "about:")):
            page.outside_requests.append(request.url)

    page.on("request", watch)
    page.on("console", lambda message: page.console_messages.append(f"{message.type}: {message.text}"))
    yield page
    context.close()
    assert policy_problems(page) == [], "the page broke the site's CSP or Permissions-Policy"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
