"""Browser journeys: Playwright (Python) driving Debian's Chromium against ``live_server``.

Never downloads a browser: the ``chromium`` on the PATH is used, and its absence is a
failure (``make test`` installs it through apt-get), not a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.journeys import CHROMIUM_ARGS

# Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise
# refuse to run from it (SynchronousOnlyOperation) in fixtures and assertions.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

TIMEOUT_MS = 10_000


# Module scope, not session: only one sync Playwright may run in a thread at a time, so each
# module's browser is closed before the next module (which may start its own) begins.
@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "No `chromium` on the PATH. Install Debian's package (`apt-get install chromium`, "
            "or run `make test`, which does); the browser tests never download one.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db) -> Iterator:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def screenshot(page, screenshot_dir, request):
    """Call at the end of a journey: saves the final page for a human to look at."""

    def take() -> None:
        target = screenshot_dir / f"{request.node.name}.png"
        page.screenshot(path=str(target), full_page=True)
        print(f"screenshot: {target}")

    return take
