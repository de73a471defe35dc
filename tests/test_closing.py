"""The visitor ends a conversation and rates it; the next message starts the AI afresh."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.models import Conversation, OutboxJob

from .orgs import Org
from .support import WidgetClient


async def close(client: httpx.AsyncClient, visitor: WidgetClient) -> httpx.Response:
    return await client.post(
        f"/api/widget/v1/conversations/{visitor.conversation_id}/close", headers=visitor.auth
    )


async def rate(client: httpx.AsyncClient, visitor: WidgetClient, **body: object) -> httpx.Response:
    return await client.post(
        f"/api/widget/v1/conversations/{visitor.conversation_id}/csat",
        json=body,
        headers=visitor.auth,
    )


async def test_visitor_closes_rates_and_starts_afresh(
    client: httpx.AsyncClient, org: Org, db: async_sessionmaker[AsyncSession]
) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    await visitor.send("How long does shipping take?")
    await visitor.wait_for_reply()
    first = visitor.conversation_id

    early = await rate(client, visitor, score=5)
    assert early.status_code == 422 and early.json()["error"]["code"] == "not_closed"
    closed = await close(client, visitor)
    assert closed.json()["state"] == "closed" and closed.json()["closed_by"] == "visitor"
    assert (await close(client, visitor)).status_code == 200  # closing twice is harmless
    history = await visitor.history()
    assert [m["role"] for m in history][-1] == "system"
    assert len([m for m in history if m["role"] == "system"]) == 1

    assert (await rate(client, visitor, score=0)).status_code == 422
    rated = await rate(client, visitor, score=2, comment="  Took too long  ")
    assert rated.json()["csat_score"] == 2
    again = await rate(client, visitor, score=5)
    assert again.json()["error"]["code"] == "already_rated"
    async with db() as session:
        row = await session.get(Conversation, first)
        assert row is not None
        assert (row.csat_score, row.csat_comment, row.closed_by) == (2, "Took too long", "visitor")
        # Not handed off: nothing to close in HubSpot (and the embedded brain's answer was
        # written with the message, no job either).
        jobs = await session.scalars(select(OutboxJob.kind).where(OutboxJob.ordering_key == first))
        assert list(jobs) == []

    await visitor.send("Which payment methods do you accept?")
    assert visitor.conversation_id != first
    [reply] = await visitor.wait_for_reply()
    assert "PayPal" in reply["text"]
    assert (await visitor.start())["conversation"]["id"] == visitor.conversation_id


async def test_the_ai_ends_the_chat_once_the_visitor_says_it_is_settled(
    client: httpx.AsyncClient, org: Org, db: async_sessionmaker[AsyncSession]
) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    await visitor.send("How long does shipping take?")
    await visitor.wait_for_reply()
    await visitor.send("Thanks, but it still hasn't arrived")
    await visitor.wait_for_reply(2)
    async with db() as session:
        row = await session.get(Conversation, visitor.conversation_id)
        assert row is not None and row.state == "ai"  # not settled: the chat goes on

    await visitor.send("Thanks, that solved it!")
    [*_, goodbye] = await visitor.wait_for_reply(3)
    assert goodbye["text"].startswith("Glad I could help")
    history = await visitor.history()
    assert history[-1]["role"] == "system"  # the end, after the goodbye
    async with db() as session:
        row = await session.get(Conversation, visitor.conversation_id)
        assert row is not None and (row.state, row.closed_by) == ("closed", "ai")
    rated = await rate(client, visitor, score=5)
    assert rated.status_code == 200 and rated.json()["csat_score"] == 5
