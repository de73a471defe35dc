"""In Chromium: the rep's reply shows in the widget with the rep's name, the rep's file opens,
the widget reports READ once the visitor sees it, and the rep closing brings the CSAT card."""

from __future__ import annotations

import base64
from typing import Any

from playwright.async_api import Page, expect

from ..rep_replies.conftest import pair, pairs, rows, world  # noqa: F401 (fixtures)
from ..rep_replies.world import World
from ..support import wait_for

W = "relaydesk-widget"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


async def widget_for(page: Page, world: World) -> None:  # noqa: F811
    """The company page, with the visitor's browser already holding the handed-off session."""
    server = world.pair.server
    html = (
        f'<!doctype html><html><head><meta charset="utf-8"></head><body><h1>Shop</h1>'
        f'<script src="{server.base_url}/static/loader.js" '
        f'data-widget-key="{world.org.widget_key}" async></script></body></html>'
    )
    await page.route(f"{server.base_url}/shop.html", lambda route: route.fulfill(
        body=html, content_type="text/html"))  # fmt: skip
    key, token = f"relaydesk:{world.org.widget_key}", world.visitor.token
    await page.add_init_script(f"localStorage.setItem({key!r}, {token!r})")
    await page.goto(f"{server.base_url}/shop.html")


async def test_rep_reply_name_file_read_receipt_close_and_csat_in_the_widget(
    page: Page,
    world: World,  # noqa: F811
    backend: str,
) -> None:
    await widget_for(page, world)
    await page.locator(f"{W} .launcher").click()
    upload = {"name": "label.png", "contentType": "image/png",
              "base64": base64.b64encode(PNG).decode()}  # fmt: skip
    reply = await world.reply("Here is your label", attachments=[upload])

    agent = page.locator(f"{W} li.msg[data-role=agent]")
    await expect(agent).to_have_count(1)
    await expect(agent.locator(".author")).to_have_text(reply["senders"][0]["name"])
    await expect(agent.locator(".text")).to_have_text("Here is your label")
    href = await agent.locator("a.file").get_attribute("href")
    assert href is not None
    opened = await page.request.get(href)
    assert opened.ok and await opened.body() == PNG

    async def read() -> list[str] | None:
        reports = await world.status_reports(reply["id"])
        return reports if "READ" in reports else None

    assert await wait_for(read) == ["SENT", "READ"]

    await world.control("POST", f"/_sandbox/threads/{world.thread_id}/close")
    card = page.locator(f"{W} li.csat")
    await expect(card).to_be_visible()
    await card.locator("[data-score='4']").click()
    await card.locator("button.rate").click()

    async def rated() -> Any:
        return (await world.conversation()).csat_score

    assert await wait_for(rated) == 4
