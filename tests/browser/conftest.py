"""Real Chromium (Debian's package) for every browser test, driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from ..services import in_ci
from .site import Site, serve_site

CHROMIUM = os.environ.get("RELAYDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # A test page is routed by Playwright, so Chromium cannot tell it is local and would block
    # its WebSocket to 127.0.0.1 (Local Network Access); the widget would fall back to HTTP.
    "--disable-features=LocalNetworkAccessChecks",
]

expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists() or in_ci():  # under CI a missing Chromium fails the tests
        return
    skip = pytest.mark.skip(reason=f"Chromium is not installed at {CHROMIUM}")
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(skip)


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh visitor: a browser context of its own (empty localStorage)."""
    context = await browser.new_context()
    yield await context.new_page()
    await context.close()


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """Each module's company website, on a port of its own."""
    site, httpd = serve_site()
    yield site
    httpd.shutdown()
