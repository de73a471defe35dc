"""On PostgreSQL a plain rep reply is written by one statement outside any transaction: with no
lookup before it when the event names the conversation and its visitor (`reply_unlooked`), else
after the lookup (`reply_at_once`); whatever it cannot write whole goes the usual way. The
outcome is the same on both databases: the message and its frames, the conversation the rep's,
the delivery settled, SENT reported."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets
from sqlalchemy import select

from relaydesk import hot_sql
from relaydesk.db import commit
from relaydesk.hubspot.inbound.delivery_status import SENT, dedupe_key
from relaydesk.jobs import MessageStatus, dump
from relaydesk.models import OutboxJob, WebhookDelivery

from ...support import wait_for
from .test_webhook_fixtures import as_ours
from .world import World


async def _frames(ws: Any, count: int) -> list[dict[str, Any]]:
    """The next `count` message and state frames."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] in ("message.created", "conversation.updated"):
            found.append(frame)
    return found


def _reply_statements(ran: list[str]) -> list[str]:
    """The statements of the reply's write: not the worker's claims and ends, nor the SENT
    job's read of the connection."""
    tables = ("conversations", "messages", "webhook_deliveries")
    return [sql for sql in ran if any(table in sql for table in tables)]


def _reply_to(world: World, visitor_id: str) -> dict[str, Any]:
    """A rep's reply as HubSpot sends it on a thread we published: it names our conversation,
    and its recipient is the visitor, by the opaque id their messages were published with."""
    ours = [world.visitor.conversation_id]
    payload: dict[str, Any] = as_ours(
        world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single", channelIntegrationThreadIds=ours
    )
    [recipient] = payload["message"]["recipients"]
    recipient["deliveryIdentifier"]["value"] = visitor_id
    return payload


async def _post_recording(world: World, payload: Any) -> tuple[Any, list[str]]:
    """The webhook's answer, and the statements of the reply's write it ran."""
    ran: list[str] = []
    hot_sql.listeners.append(ran.append)
    try:
        answer = await world.post_signed(world.channel_url, payload)
    finally:
        hot_sql.listeners.remove(ran.append)
    return answer, _reply_statements(ran)


async def test_a_first_reply_after_the_handoff_takes_one_statement(
    backend: str, world: World
) -> None:
    payload = _reply_to(world, (await world.conversation()).visitor_id)
    url = f"{world.pair.server.ws_url}/api/widget/v1/ws?token={world.visitor.token}"
    async with websockets.connect(url) as ws:
        await asyncio.wait_for(ws.recv(), 10)  # hello
        answer, statements = await _post_recording(world, payload)
        assert answer.status_code == 200 and answer.json()["received"] == 1
        created, updated = await _frames(ws, 2)
    if backend == "postgresql":  # no lookup before it: the statement checks for itself
        assert len(statements) == 1 and statements[0].startswith("WITH slot AS")
    else:  # the slot with the lookup's checks, the delivery, the message, the conversation the
        # rep's
        assert len(statements) == 4 and statements[0].startswith("UPDATE conversations")
    [message] = await world.agent_messages()
    assert created["type"] == "message.created" and created["message"]["id"] == message["id"]
    assert updated["type"] == "conversation.updated"
    assert updated["conversation"]["state"] == "human"
    assert updated["conversation"]["assignee"] == message["author_name"] == "Sam Rep"
    conversation = await world.conversation()
    assert conversation.state == "human" and conversation.assignee == "Sam Rep"
    assert message["seq"] == conversation.last_seq
    [delivery] = await world.deliveries(external_id=f"channel:message:{payload['message']['id']}")
    assert delivery.state == "done" and delivery.processed_at is not None
    assert delivery.payload == payload
    assert await world.processing_jobs(delivery) == []
    reported = await wait_for(lambda: world.status_reports(payload["message"]["id"]))
    assert reported == ["SENT"]
    async with world.rows() as session:  # the job as written, whichever statement wrote it
        job = await session.scalar(
            select(OutboxJob).where(OutboxJob.dedupe_key == dedupe_key(SENT, message["id"]))
        )
    assert job is not None and job.state == "done"
    assert job.payload == dump(
        MessageStatus(SENT, message["id"], world.org.id, payload["message"]["id"])
    )


async def test_a_redelivery_writes_nothing_and_a_later_reply_is_not_announced_again(
    world: World,
) -> None:
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    first = await world.post_signed(world.channel_url, payload)
    again = await world.post_signed(world.channel_url, payload)
    assert first.json() == {"received": 1, "duplicates": 0}
    assert again.json() == {"received": 0, "duplicates": 1}
    url = f"{world.pair.server.ws_url}/api/widget/v1/ws?token={world.visitor.token}"
    async with websockets.connect(url) as ws:
        await asyncio.wait_for(ws.recv(), 10)  # hello
        await world.reply("And one more thing.")
        [created] = await _frames(ws, 1)
        assert created["message"]["text"] == "And one more thing."
        await world.reply("Last one.")  # a state frame would come before this one's message
        [following] = await _frames(ws, 1)
    assert following["type"] == "message.created"
    assert [m["text"] for m in await world.agent_messages()][-2:] == [
        "And one more thing.",
        "Last one.",
    ]
    assert len(await world.agent_messages()) == 3


async def test_the_same_reply_delivered_twice_at_once_is_written_once(world: World) -> None:
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    answers = await asyncio.gather(
        *(world.post_signed(world.channel_url, payload) for _ in range(4))
    )
    assert all(answer.status_code == 200 for answer in answers)
    assert sum(answer.json()["received"] for answer in answers) == 1
    assert sum(answer.json()["duplicates"] for answer in answers) == 3
    [message] = await world.agent_messages()
    assert message["seq"] == (await world.conversation()).last_seq


async def test_a_reply_for_another_visitor_than_the_conversations_is_looked_up(
    backend: str, world: World
) -> None:
    """A recipient that is not the conversation's visitor: the one statement writes nothing,
    and the reply goes the usual way (the lookup, then its write), written once all the same."""
    payload = _reply_to(world, "someone-else")
    answer, statements = await _post_recording(world, payload)
    assert answer.status_code == 200 and answer.json()["received"] == 1
    if backend == "postgresql":
        assert len(statements) == 3 and statements[0].startswith("WITH slot AS")
        assert statements[1].startswith("SELECT") and statements[2].startswith("WITH slot AS")
    else:  # the slot refused by its checks, then the lookup and the usual writes
        assert statements[0].startswith("UPDATE conversations") and len(statements) == 6
        assert statements[1].startswith("SELECT")
    [message] = await world.agent_messages()
    assert message["text"] == payload["message"]["text"]
    conversation = await world.conversation()
    assert message["seq"] == conversation.last_seq and conversation.state == "human"


async def test_a_reply_whose_delivery_was_stored_and_not_yet_written_is_a_duplicate(
    backend: str, world: World
) -> None:
    """Its delivery stored before, its job still to run: this delivery writes nothing and
    counts as a duplicate, and the conversation's `seq` is as it was (on SQLite the statement
    that took one with the lookup's checks gives it back)."""
    payload = _reply_to(world, (await world.conversation()).visitor_id)
    async with world.rows() as session:
        session.add(WebhookDelivery(
            external_id=f"channel:message:{payload['message']['id']}", source="channel",
            event_type=payload["type"], payload=payload, state="received",
        ))  # fmt: skip
        await commit(session)
    before = (await world.conversation()).last_seq
    answer, statements = await _post_recording(world, payload)
    assert answer.json() == {"received": 0, "duplicates": 1}
    assert (await world.conversation()).last_seq == before
    assert await world.agent_messages() == []
    if backend == "sqlite":  # taken, given back, then the usual way's lookup and delivery
        assert statements[0].startswith("UPDATE conversations SET last_seq=(conversations.last")
        assert "last_seq - " in statements[2] and statements[3].startswith("SELECT")
