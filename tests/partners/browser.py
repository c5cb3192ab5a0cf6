"""A real server and a real browser for the OAuth pages (tests/partners/test_consent_browser.py, the example app).

- ``live_server``: the API (``create_app`` with the test settings, on the test Neo4j) served by uvicorn in a thread
  on a free 127.0.0.1 port, its issuer (``oauth_issuer``) being that address, so discovery and every redirect
  point at it.
- ``browser``: Debian's ``chromium`` driven by Playwright through ``executable_path`` (Playwright's own browser
  download is not used). When it is not installed the fixture FAILS and names it: ``make tools``
  (scripts/ensure-tools.sh) installs it.
- ``axe_violations(page)``: the accessibility check (axe-core, through axe-playwright-python): the violations of
  the page as a readable report, "" when there are none.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright
from starlette.applications import Starlette

from api.app import create_app
from core.settings import Settings

#: Chromium flags for a container without a display, a sandbox or network beyond the test server: without the
#: last four it spends seconds on its own calls home, which are refused here.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The axe rule sets run: WCAG 2.0-2.2 A and AA, and axe's best practices.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}
_axe = Axe()


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:<port>, also the issuer
    app: Starlette
    settings: Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(test_settings: Settings, graph) -> Iterator[LiveServer]:
    """The API on a real socket (uvicorn in a thread), on the test Neo4j; stopped at the end of the module."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = test_settings.model_copy(
        update={"oauth_issuer": url, "migrate_on_start": False, "payment_reconcile_interval_seconds": 0}
    )
    application = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_config=None, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="live-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url, application, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def chromium_path() -> str:
    """Debian's Chromium, or a failure that says how to get it (never a skip: CI must run the browser tests)."""
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "the browser tests need Debian's `chromium` on PATH: run `make tools` as root "
            "(scripts/ensure-tools.sh: apt-get install chromium), or install it yourself",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium, one per test module; each test opens its own context (fresh cookies)."""
    executable = chromium_path()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            yield launched
        finally:
            await launched.close()


async def axe_violations(page: Page) -> str:
    """axe-core's violations on ``page`` as a readable report; "" when there are none."""
    results = await _axe.run(page, options=AXE_OPTIONS)
    return results.generate_report() if results.violations_count else ""


async def fits_320_pixels(page: Page) -> bool:
    """Whether the page reads at 320 CSS pixels wide without scrolling sideways (WCAG 1.4.10 reflow)."""
    await page.set_viewport_size({"width": 320, "height": 640})
    width = await page.evaluate("document.documentElement.scrollWidth")
    return bool(width <= 320)
