"""In Chromium, end to end: a visitor asks for a person, the handoff opens a sandbox thread,
and the rep's reply shows in the widget with the rep's name, the rep's file opens,
the widget reports READ once the visitor sees it, and the rep closing brings the CSAT card."""

from __future__ import annotations

import base64
from typing import Any

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.csat_report import csat_report
from relaydesk.models import Conversation

from ...support import wait_for
from .world import Pair, World, connected_org

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
    page: Page,  # noqa: F811
    world: World,
    backend: str,
) -> None:
    await widget_for(page, world)
    await page.locator(f"{W} .launcher").click()
    upload = {"name": "label.png", "contentType": "image/png",
              "base64": base64.b64encode(PNG).decode()}  # fmt: skip
    reply = await world.reply("Here is your label", attachments=[upload])

    agent = page.locator(f"{W} li.msg[data-role=agent]")
    await wait_for(world.agent_messages)  # stored on the server
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


async def test_visitor_asks_for_a_person_and_the_reps_reply_reaches_the_widget(
    page: Page,  # noqa: F811
    pair: Pair,
    rows: async_sessionmaker[AsyncSession],
    backend: str,
) -> None:
    org, portal, connection, _ = await connected_org(pair, rows)
    server = pair.server
    html = (
        f'<!doctype html><html><head><meta charset="utf-8"></head><body><h1>Shop</h1>'
        f'<script src="{server.base_url}/static/loader.js" '
        f'data-widget-key="{org.widget_key}" async></script></body></html>'
    )
    await page.route(f"{server.base_url}/help.html", lambda route: route.fulfill(
        body=html, content_type="text/html"))  # fmt: skip
    await page.goto(f"{server.base_url}/help.html")
    await page.locator(f"{W} .launcher").click()
    await page.locator(f"{W} textarea.input").fill("I want to talk to a person, please")
    await page.locator(f"{W} button.send").click()

    async def handed_off() -> Conversation | None:
        async with rows() as session:
            return await session.scalar(
                select(Conversation).where(
                    Conversation.organization_id == org.id,
                    Conversation.hubspot_thread_id.is_not(None),
                )
            )

    conversation = await wait_for(handed_off, 30)
    state = await pair_control(pair, "GET", "/_sandbox/state")
    assert conversation.hubspot_thread_id in [t["id"] for t in state["threads"]]

    thread = conversation.hubspot_thread_id
    reply = await pair_control(pair, "POST", f"/_sandbox/threads/{thread}/reply",
                               json={"text": "Hi, Sam here. How can I help?"})  # fmt: skip
    agent = page.locator(f"{W} li.msg[data-role=agent]")
    await expect(agent.locator(".author")).to_have_text(reply["senders"][0]["name"])
    await expect(agent.locator(".text")).to_have_text("Hi, Sam here. How can I help?")

    await pair_control(pair, "POST", f"/_sandbox/threads/{thread}/close")
    card = page.locator(f"{W} li.csat")
    await expect(card).to_be_visible()
    await card.locator("[data-score='5']").click()
    await card.locator("button.rate").click()

    async def rated() -> Any:
        async with rows() as session:
            found = await session.get(Conversation, conversation.id)
            return found.csat_score if found else None

    assert await wait_for(rated) == 5
    async with rows() as session:  # what the admin's CSAT page shows
        assert (await csat_report(session, org.id)).distribution[5] == 1


async def pair_control(running: Pair, method: str, path: str, **kwargs: Any) -> Any:
    async with httpx.AsyncClient(base_url=running.sandbox.base_url, timeout=10) as http:
        answer = await http.request(method, path, **kwargs)
    assert answer.status_code < 300, answer.text
    return answer.json()


async def test_a_reopened_chat_and_replies_put_back_in_order_in_the_widget(
    page: Page,  # noqa: F811
    world: World,
    backend: str,
) -> None:
    """The rep reopens a closed chat: the CSAT card goes and the chat goes on. Two replies
    reach relaydesk out of the order the rep wrote them: the widget shows them in it."""
    await widget_for(page, world)
    await page.locator(f"{W} .launcher").click()
    await world.control("POST", f"/_sandbox/threads/{world.thread_id}/close")
    await expect(page.locator(f"{W} li.csat")).to_be_visible()
    await world.control("POST", f"/_sandbox/threads/{world.thread_id}/reopen")

    async def reopened() -> bool:
        return (await world.conversation()).state == "human"

    await wait_for(reopened)
    await expect(page.locator(f"{W} li.csat")).to_have_count(0)
    await expect(page.locator(f"{W} .panel")).to_have_attribute("data-state", "human")

    await world.reply("First, written first", webhookDelayMs=1500)
    await world.reply("Second, written second")
    agent = page.locator(f"{W} li.msg[data-role=agent] .text")
    await expect(agent).to_have_text(["First, written first", "Second, written second"])
