"""Real-browser tests: Playwright driving Debian's Chromium against Django's live server.

Each test starts its own Chromium (about a third of a second) and gets fresh contexts (cookies,
viewport, JavaScript on or off) from it. Without /usr/bin/chromium every test here is skipped with
a reason that says how to install it, and the run ends with a line saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("PROCEED_CHROMIUM", "/usr/bin/chromium"))
INSTALL_HINT = "apt-get update && apt-get install -y chromium"
SKIP_REASON = f"browser tests need Debian's Chromium at {CHROMIUM}: install it with `{INSTALL_HINT}`"
PHONE = {"width": 390, "height": 844}
BROWSER_DIR = Path(__file__).resolve().parent


def chromium_present() -> bool:
    return CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)


def _in_browser_package(item) -> bool:
    return BROWSER_DIR in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config, items):
    if chromium_present():
        return
    if os.environ.get("PROCEED_REQUIRE_BROWSER") and any(_in_browser_package(item) for item in items):
        raise pytest.UsageError(f"PROCEED_REQUIRE_BROWSER is set but {SKIP_REASON}")
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if _in_browser_package(item):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if str(report.nodeid).startswith("tests/browser/")
    ]
    if not chromium_present() and skipped:
        terminalreporter.write_line(
            f"BROWSER TESTS SKIPPED ({len(skipped)}): no Chromium at {CHROMIUM}. Install it with: {INSTALL_HINT}",
            yellow=True,
            bold=True,
        )


@pytest.fixture
def browser(monkeypatch):
    """Chromium for one test. Playwright's sync API runs an event loop in this thread while it is
    started, so it is stopped after each test: the database set-up and clean-up of the next test, and
    every test outside this package (some run asyncio themselves), run with no loop in the thread.
    Django refuses database calls from a thread with a running loop unless told it is safe: the test
    makes them between browser steps, never at the same time as the browser's."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
            headless=True,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """A factory for pages in fresh contexts, at phone size unless told otherwise, all closed at the end."""
    contexts = []

    def make(*, viewport=PHONE, **options):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A phone-sized page with touch and JavaScript, as most patients have."""
    return new_page(has_touch=True, is_mobile=True, device_scale_factor=2)
