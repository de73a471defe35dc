"""The widget keeps its file links working although attachment URLs expire: before they do, it
fetches fresh ones from the history; real Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import FilePayload, Page, expect

from ..orgs import Org
from ..support import RunningServer, start_on_fresh_database, wait_for
from .site import Site, org_embedded_on
from .test_widget import W, company_page, tiny_png

TTL_S = 3


@pytest.fixture(scope="module")
def short_links(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """Attachment URLs that work for three seconds."""
    running = start_on_fresh_database(
        tmp_path_factory.mktemp("browser-links"), attachment_url_ttl_s=TTL_S
    )
    yield running
    running.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def shop(short_links: RunningServer, site: Site) -> Org:
    return await org_embedded_on(short_links, site)


async def test_a_file_link_is_renewed_before_its_url_expires(
    page: Page, site: Site, short_links: RunningServer, shop: Org
) -> None:
    await page.goto(site.publish("links.html", company_page(short_links, shop)))
    await page.locator(f"{W} .launcher").click()
    photo: FilePayload = {"name": "photo.png", "mimeType": "image/png", "buffer": tiny_png()}
    await page.locator(f"{W} input[type=file]").set_input_files([photo])
    link = page.locator(f"{W} li.msg[data-role=visitor] a.file")
    await expect(link.locator("img")).to_have_attribute("alt", "photo.png")
    first = await link.get_attribute("href")
    assert first and "exp=" in first

    async with httpx.AsyncClient(timeout=10) as http:

        async def expired() -> bool:
            return (await http.get(first)).status_code == 403

        await wait_for(expired, timeout=TTL_S + 5, interval=0.2)
        # By now the widget has put a fresh URL in the link, and it opens the file.
        await expect(link).not_to_have_attribute("href", first)
        fresh = await link.get_attribute("href")
        assert fresh
        opened = await http.get(fresh)
        assert opened.status_code == 200 and opened.content == tiny_png()
    # The image shown stays shown.
    assert await link.locator("img").evaluate("img => img.naturalWidth") == 1
