"""The thread's whole life as HubSpot drives it: a ticket closed in HubSpot ends the chat, a thread
reopened (or a reply after the close) brings it back, replies that arrive out of order are shown
in the order the reps wrote them, and a reply that cannot be delivered is reported FAILED."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import datetime
from typing import Any

import httpx
import websockets
from sqlalchemy import select

from relaydesk.hubspot.connect.channel import delivery_value
from relaydesk.models import Conversation, HubSpotConnection, OutboxJob

from ...support import wait_for
from .test_rep_replies import PDF, next_frame
from .test_webhook_fixtures import app_key, as_ours
from .world import World, settled

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


async def sandbox_message(world: World, thread_id: str, message_id: str) -> dict[str, Any]:
    state = await world.control("GET", "/_sandbox/state")
    [thread] = [t for t in state["threads"] if t["id"] == thread_id]
    [message] = [m for m in thread["messages"] if m["id"] == message_id]
    return message


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


async def test_a_rep_reply_after_the_close_reopens_and_reaches_the_visitor(world: World) -> None:
    await world.control("POST", f"/_sandbox/threads/{world.thread_id}/close")
    await state_is(world, "closed")

    url = f"{world.pair.server.ws_url}/api/widget/v1/ws?token={world.visitor.token}"
    async with websockets.connect(url) as ws:
        await next_frame(ws, "hello")
        reply = await world.reply("One more thing: your refund went out today.")
        updated = await asyncio.wait_for(next_frame(ws, "conversation.updated"), 10)
        frame = await asyncio.wait_for(next_frame(ws, "message.created"), 10)
        while frame["message"]["role"] != "agent":
            frame = await asyncio.wait_for(next_frame(ws, "message.created"), 10)
    assert updated["conversation"]["state"] == "human"
    assert frame["message"]["text"] == "One more thing: your refund went out today."
    assert (await world.conversation()).state == "human"
    texts = [m["text"] for m in await world.visitor.history()]
    assert texts[-3:] == [ENDED, REOPENED, "One more thing: your refund went out today."]
    assert await wait_for(lambda: world.status_reports(reply["id"])) == ["SENT"]


async def test_a_close_that_arrives_after_a_later_reply_leaves_the_chat_open(world: World) -> None:
    reply = await world.reply("Reopening this: one more thing.")
    await wait_for(world.agent_messages)
    created_ms = int(datetime.fromisoformat(reply["createdAt"]).timestamp() * 1000)
    # HubSpot's close happened just before that reply, but its event is processed after it.
    payload = as_ours(world, "conversation.propertyChange__closed", occurredAt=created_ms - 500)
    assert (await world.post_signed(world.app_url, payload)).status_code == 200
    [delivery] = await settled(world, 1, external_id=app_key(payload[0]))
    assert delivery.error == "a rep replied after this close"
    assert (await world.conversation()).state == "human"


# Out of order


async def test_three_replies_arriving_out_of_order_are_shown_in_created_order(
    world: World,
) -> None:
    url = f"{world.pair.server.ws_url}/api/widget/v1/ws?token={world.visitor.token}"
    async with websockets.connect(url) as ws:
        await next_frame(ws, "hello")
        # Written one after the other; HubSpot's webhooks arrive second, third, first.
        delays = {"First": 600, "Second": 0, "Third": 300}
        sent = [
            await world.reply(f"{name} part of the answer", webhookDelayMs=delay)
            for name, delay in delays.items()
        ]
        assert [r["createdAt"] for r in sent] == sorted(r["createdAt"] for r in sent)
        for reply in sent:
            await settled(world, 1, external_id=f"channel:message:{reply['id']}")
        history = await world.agent_messages()
        # What the socket said, by message id: the latest frame of each is its place.
        expected = {m["id"]: m["seq"] for m in history}
        pushed: dict[str, int] = {}
        first: dict[str, Any] | None = None
        while pushed != expected:
            message = (await asyncio.wait_for(next_frame(ws, "message.created"), 10))["message"]
            first = first or message
            pushed[message["id"]] = message["seq"]

    assert [m["text"] for m in history] == [
        "First part of the answer",
        "Second part of the answer",
        "Third part of the answer",
    ]
    assert [m["seq"] for m in history] == sorted(m["seq"] for m in history)
    # The first to arrive was pushed at once; a widget resuming after it gets every reply.
    assert first is not None and first["text"] == "Second part of the answer"
    resumed = await world.visitor.history(after_seq=first["seq"])
    assert set(expected) <= {m["id"] for m in resumed}


async def test_a_reply_with_a_file_keeps_its_place_before_a_quicker_plain_one(
    world: World,
) -> None:
    upload = {"name": "label.pdf", "contentType": "application/pdf",
              "base64": base64.b64encode(PDF).decode()}  # fmt: skip
    with_file = await world.reply("Here is the label.", attachments=[upload])
    plain = await world.reply("Print it and stick it on the box.")
    for reply in (with_file, plain):
        await settled(world, 1, external_id=f"channel:message:{reply['id']}")
    history = await world.agent_messages()
    assert [m["text"] for m in history] == [
        "Here is the label.",
        "Print it and stick it on the box.",
    ]
    assert [a["name"] for a in history[0]["attachments"]] == ["label.pdf"]


# Undeliverable


async def test_a_reply_whose_file_is_gone_delivers_its_text_and_reports_failed(
    world: World,
) -> None:
    upload = {"name": "label.pdf", "contentType": "application/pdf",
              "base64": base64.b64encode(PDF).decode()}  # fmt: skip
    # The webhook is late, and by the time it arrives the file was deleted in HubSpot.
    reply = await world.reply("Here is your return label.", attachments=[upload],
                              webhookDelayMs=300)  # fmt: skip
    [file] = reply["attachments"]
    config = world.pair.sandbox.config
    async with httpx.AsyncClient(base_url=world.pair.sandbox.base_url) as http:
        deleted = await http.delete(
            f"/files/v3/files/{file['fileId']}",
            headers={"authorization": f"Bearer {config.private_app_token}"},
        )
    assert deleted.status_code == 204

    [message] = await wait_for(world.agent_messages)
    assert message["text"] == "Here is your return label."
    assert message["attachments"] == []
    status = await wait_for(lambda: _status_of(world, world.thread_id, reply["id"]))
    assert status["statusType"] == "FAILED"
    error = status["failureDetails"]["errorMessage"]
    assert "label.pdf" in error and "404" in error
    [delivery] = await world.deliveries(external_id=f"channel:message:{reply['id']}")
    assert delivery.state == "done" and "label.pdf" in (delivery.error or "")
    # Stays FAILED: the visitor coming back does not turn it into SENT or READ.
    await world.visitor.history()
    read = await world.http.post(
        f"/api/widget/v1/conversations/{world.visitor.conversation_id}/read",
        json={"up_to_seq": message["seq"]},
        headers=world.visitor.auth,
    )
    assert read.status_code == 204
    async with world.rows() as session:
        queued = await session.scalars(
            select(OutboxJob.dedupe_key).where(OutboxJob.dedupe_key.contains(message["id"]))
        )
        assert list(queued) == []  # no SENT or READ for it
    assert await world.status_reports(reply["id"]) == ["FAILED"]


async def _status_of(world: World, thread_id: str, message_id: str) -> dict[str, Any] | None:
    status: dict[str, Any] | None = (await sandbox_message(world, thread_id, message_id)).get(
        "status"
    )
    return status


async def test_a_reply_to_a_conversation_that_is_gone_is_reported_failed(world: World) -> None:
    # A thread on our channel whose conversation relaydesk no longer has.
    assert world.pair.channel_id is not None
    async with world.rows() as session:
        connection = await session.get(HubSpotConnection, world.connection_id)
        assert connection is not None
        account_id = connection.channel_account_id
    gone = uuid.uuid4().hex
    published = await world.portal.publish_message(
        world.pair.channel_id,
        {
            "channelAccountId": account_id,
            "integrationThreadId": gone,
            "integrationIdempotencyId": uuid.uuid4().hex,
            "messageDirection": "INCOMING",
            "text": "Hello from a deleted conversation",
            "timestamp": "2026-01-01T00:00:00Z",
            "attachments": [],
            "senders": [{"name": "Visitor", "deliveryIdentifier":
                         {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": uuid.uuid4().hex}}],
            "recipients": [{"name": "relaydesk", "deliveryIdentifier":
                            {"type": "CHANNEL_SPECIFIC_OPAQUE_ID",
                             "value": delivery_value(world.org.id)}}],
        },
    )  # fmt: skip
    thread_id = str(published.conversations_thread_id)
    reply = await world.control(
        "POST", f"/_sandbox/threads/{thread_id}/reply", json={"text": "Anyone there?"}
    )
    status = await wait_for(lambda: _status_of(world, thread_id, reply["id"]))
    assert status["statusType"] == "FAILED"
    assert "no longer exists" in status["failureDetails"]["errorMessage"]
    [delivery] = await world.deliveries(external_id=f"channel:message:{reply['id']}")
    assert delivery.state == "failed"
    assert json.dumps(await world.agent_messages()).find("Anyone there?") == -1
