"""Playwright on Debian's chromium against pytest-django's live server.

Screenshots go to test-artifacts/screenshots/ (not committed) so a person can look at them after a run.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import require_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# The sync Playwright API runs an event loop in this thread; the ORM calls the tests make around it are
# ordinary synchronous calls, so let Django allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def choose_language(context, base_url: str, language: str) -> None:
    """Give the context the language cookie that pressing the language switch sets (the pages ignore the
    browser's own language)."""
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])


@pytest.fixture(scope="session")
def _playwright_browser():
    require_service(Path(CHROMIUM).exists(), "Debian's chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(_playwright_browser):
    """A fresh context (cookies, language) per test; 1280 px wide, Vietnamese like a Hanoi browser."""
    contexts = []

    def make(*, width: int = 1280, height: int = 900, locale: str = "vi-VN", **kwargs):
        ctx = _playwright_browser.new_context(viewport={"width": width, "height": height}, locale=locale, **kwargs)
        # Map tiles come from the internet, which this machine cannot reach: answer them with an empty 204
        # instead of letting chromium wait for a timeout.
        ctx.route("**/tile.openstreetmap.org/**", lambda route: route.fulfill(status=204, body=b""))
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(browser_context, live_server, hanoi_data):
    """A page in a fresh context; `page.goto(live_server.url + '/')`."""
    return browser_context().new_page()


@pytest.fixture
def screenshot():
    """screenshot(page, "name") writes test-artifacts/screenshots/name.png (full page) and returns the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
