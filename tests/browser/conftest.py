"""The browser tests' company website; Chromium itself (`browser`, `page`) comes from the
tests' root conftest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from .site import Site, serve_site

expect.set_options(timeout=10_000)


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """Each module's company website, on a port of its own."""
    site, httpd = serve_site()
    yield site
    httpd.shutdown()
