"""The thread's whole life as HubSpot drives it: a ticket closed in HubSpot ends the chat, and a
thread reopened brings it back."""

from __future__ import annotations

import asyncio
from typing import Any

import websockets

from relaydesk.models import Conversation

from ..support import wait_for
from .test_rep_replies import next_frame
from .world import World

ENDED = "This conversation has ended."
REOPENED = "This conversation has been reopened."


async def state_is(world: World, state: str) -> Conversation:
    async def reached() -> Conversation | None:
        conversation = await world.conversation()
        return conversation if conversation.state == state else None

    return await wait_for(reached)


async def sandbox_requests(world: World, method: str, path_part: str) -> list[dict[str, Any]]:
    found = (await world.control("GET", "/_sandbox/requests"))["requests"]
    return [r for r in found if r["method"] == method and path_part in r["path"]]


# A ticket closed in HubSpot


async def test_a_ticket_moved_to_a_closed_stage_ends_the_chat(world: World) -> None:
    ticket = await world.portal.create_object(
        "tickets", {"subject": "Order", "hs_pipeline": "0", "hs_pipeline_stage": "1"}
    )
    async with world.rows() as session:
        conversation = await session.get(Conversation, world.visitor.conversation_id)
        assert conversation is not None
        conversation.hubspot_ticket_id = ticket.id
        await session.commit()
    pipeline_reads = len(await sandbox_requests(world, "GET", "/pipelines/tickets"))

    # "Waiting on contact" is an open stage: the chat goes on.
    await world.control("POST", f"/_sandbox/tickets/{ticket.id}",
                        json={"properties": {"hs_pipeline_stage": "2"}})  # fmt: skip

    async def recorded() -> dict[str, Any] | None:
        ticket_data = (await world.conversation()).custom_data.get("hubspot_ticket") or {}
        return ticket_data if ticket_data.get("hs_pipeline_stage") == "2" else None

    await wait_for(recorded)
    assert (await world.conversation()).state != "closed"

    # "Closed" is a stage whose metadata says CLOSED: the chat ends as when the thread closes.
    await world.control("POST", f"/_sandbox/tickets/{ticket.id}",
                        json={"properties": {"hs_pipeline_stage": "4"}})  # fmt: skip
    conversation = await state_is(world, "closed")
    assert conversation.closed_by == "agent"
    assert (await world.visitor.history())[-1]["text"] == ENDED
    # The stages were read once for the two events (cached per portal).
    reads = await sandbox_requests(world, "GET", "/pipelines/tickets")
    assert len(reads) - pipeline_reads <= 1
    rated = await world.http.post(
        f"/api/widget/v1/conversations/{conversation.id}/csat",
        json={"score": 4},
        headers=world.visitor.auth,
    )
    assert rated.status_code == 200 and rated.json()["csat_score"] == 4


# Reopened in HubSpot


async def test_a_thread_reopened_in_hubspot_reopens_the_conversation(world: World) -> None:
    await world.control("POST", f"/_sandbox/threads/{world.thread_id}/close")
    await state_is(world, "closed")

    url = f"{world.pair.server.ws_url}/api/widget/v1/ws?token={world.visitor.token}"
    async with websockets.connect(url) as ws:
        await next_frame(ws, "hello")
        await world.control("POST", f"/_sandbox/threads/{world.thread_id}/reopen")
        frame = await asyncio.wait_for(next_frame(ws, "conversation.updated"), 10)
    assert frame["conversation"]["state"] == "human"
    conversation = await state_is(world, "human")
    assert conversation.closed_at is None and conversation.closed_by is None
    assert [m["text"] for m in await world.visitor.history()][-2:] == [ENDED, REOPENED]

    # The visitor writes again: it reaches the rep on the same thread.
    sent = await world.visitor.send("Thanks for reopening, one more question")
    assert sent.status_code in (200, 201) and sent.json()["conversation_id"] == conversation.id

    async def on_the_thread() -> bool:
        state = await world.control("GET", "/_sandbox/state")
        [thread] = [t for t in state["threads"] if t["id"] == world.thread_id]
        return any(m["text"].startswith("Thanks for reopening") for m in thread["messages"])

    await wait_for(on_the_thread)
