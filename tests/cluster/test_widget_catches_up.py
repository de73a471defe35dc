"""The real widget (widget.js in Chromium) on a company page, served by the cluster: when Redis
restarts it catches up on the socket it has, with no change to the widget (the node sends its
hello again, and the widget fetches the history after the last `seq` it shows)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from ..chromium import CHROMIUM, CHROMIUM_ARGS
from ..services import unavailable
from ..support import wait_for
from .cluster import Cluster
from .processes import free_port
from .world import World

W = "relaydesk-widget"  # Playwright's CSS engine pierces the widget's open shadow root


@pytest.fixture(scope="module")
def company_site(cluster: Cluster, world: World) -> Iterator[str]:
    """The company's page, on an origin of its own, with the widget's script tag."""
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Shop help</h1>
<script src="{cluster.url}/static/loader.js" data-widget-key="{world.ai_only_key}" async></script>
</body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/help.html"
    httpd.shutdown()


@pytest.fixture(scope="module")
def chromium_installed() -> None:
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium is not installed at {CHROMIUM}")


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def chromium(chromium_installed: None) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def ask(page: Page, text: str) -> None:
    await page.locator(f"{W} textarea").fill(text)
    await page.locator(f"{W} textarea").press("Enter")


async def test_the_widget_catches_up_on_its_socket_after_redis_restarts(
    chromium: Browser, company_site: str, cluster: Cluster, world: World
) -> None:
    page = await chromium.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    await page.goto(company_site)
    await page.locator(f"{W} .launcher").click()
    await ask(page, "How long does shipping take?")
    answers = page.locator(f"{W} li.msg[data-role=ai]")
    await expect(answers).to_have_count(1)

    cluster.redis.stop()
    await ask(page, "Can I get a refund?")
    await expect(page.locator(f"{W} li.msg[data-role=visitor]")).to_have_count(2)
    token = await page.evaluate(f"localStorage.getItem('relaydesk:{world.ai_only_key}')")
    conversation = await page.locator(f"{W} li.msg").first.get_attribute("data-conversation")

    async def answered_twice() -> bool:
        answer = await world.http.get(
            f"/api/widget/v1/conversations/{conversation}/messages",
            headers={"authorization": f"Bearer {token}"},
        )
        return [m["role"] for m in answer.json()["messages"]].count("ai") == 2

    await wait_for(answered_twice)  # the worker answered; with Redis down, no frame carried it
    await expect(answers).to_have_count(1)

    await asyncio.to_thread(cluster.restart_redis)
    await expect(answers).to_have_count(2, timeout=20_000)
    seqs = [await li.get_attribute("data-seq") for li in await page.locator(f"{W} li.msg").all()]
    assert seqs == ["1", "2", "3", "4"]
    assert len(sockets) == 1  # caught up on the socket it had: no reconnect
    await page.close()
