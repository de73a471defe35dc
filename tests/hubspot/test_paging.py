"""Listings are followed page by page to their end: with HubSpot answering one item per page,
relaydesk still sees every inbox, owner, channel and thread message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from hubspot_sandbox import RunningSandbox
from relaydesk.hubspot.api.app_client import HubSpotApp
from relaydesk.hubspot.api.client import HubSpotClient
from relaydesk.hubspot.connect.channel import CAPABILITIES

from .flows import recorded


async def control(sandbox: RunningSandbox, body: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        (await http.post("/_sandbox/faults", json=body)).raise_for_status()


@pytest_asyncio.fixture(loop_scope="session")
async def one_per_page(sandbox: RunningSandbox) -> AsyncIterator[RunningSandbox]:
    await control(sandbox, {"page_size": 1})
    yield sandbox
    await control(sandbox, {"page_size": None})


async def test_every_page_of_inboxes_and_owners(
    one_per_page: RunningSandbox, portal: HubSpotClient
) -> None:
    inboxes = await portal.list_inboxes()
    owners = await portal.list_owners()
    state = (await httpx.AsyncClient(base_url=one_per_page.base_url).get("/_sandbox/state")).json()
    assert sorted(i.id for i in inboxes) == sorted(i["id"] for i in state["inboxes"])
    assert sorted(o.id for o in owners) == sorted(o["id"] for o in state["owners"])
    assert len(inboxes) >= 2 and len(owners) >= 2
    followed = [r for r in await recorded(one_per_page) if "after" in r["query"]]
    assert followed, "no request asked for a later page"


async def test_every_page_of_channels(one_per_page: RunningSandbox, app: HubSpotApp) -> None:
    made = []
    for n in range(3):
        body = {"name": f"channel {n}", "webhookUrl": f"https://x.test/hubspot/channel/{n}"}
        made.append((await app.create_channel(body | {"capabilities": CAPABILITIES})).id)
    listed = [c.id for c in await app.list_channels()]
    assert set(made) <= set(listed)
