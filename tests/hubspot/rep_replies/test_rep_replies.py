"""A rep's reply typed in HubSpot (the sandbox) reaches the visitor's widget, with the rep's
name and files, once and in order; HubSpot hears SENT, then READ."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import websockets

from ...support import wait_for
from .test_webhook_fixtures import as_ours
from .world import World, settled

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def next_frame(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await ws.recv())
        if frame["type"] == kind:
            return frame


async def test_a_rep_reply_reaches_the_connected_widget_with_the_reps_name(world: World) -> None:
    url = f"{world.pair.server.ws_url}/api/widget/v1/ws?token={world.visitor.token}"
    async with websockets.connect(url) as ws:
        await next_frame(ws, "hello")
        reply = await world.reply("Hi, I'm looking at your order now.")
        frame = await next_frame(ws, "message.created")
    message = frame["message"]
    assert message["role"] == "agent"
    assert message["text"] == "Hi, I'm looking at your order now."
    assert message["author_name"] == reply["senders"][0]["name"]
    assert (await world.conversation()).state == "human"
    assert await wait_for(lambda: world.status_reports(reply["id"])) == ["SENT"]


async def test_the_first_reply_after_the_handoff_makes_the_conversation_the_reps(
    world: World,
) -> None:
    """The widget hears that a person took over, with their name, after the reply itself."""
    assert (await world.conversation()).state == "pending_human"
    url = f"{world.pair.server.ws_url}/api/widget/v1/ws?token={world.visitor.token}"
    async with websockets.connect(url) as ws:
        await next_frame(ws, "hello")
        reply = await world.reply("Hello, Sam here.")
        updated = await asyncio.wait_for(next_frame(ws, "conversation.updated"), 10)
    name = reply["senders"][0]["name"]
    assert updated["conversation"]["state"] == "human"
    assert updated["conversation"]["assignee"] == name
    conversation = await world.conversation()
    assert conversation.state == "human" and conversation.assignee == name
    assert updated["conversation"]["id"] == conversation.id


async def test_a_plain_reply_is_written_and_pushed_before_hubspot_gets_its_answer(
    world: World,
) -> None:
    url = f"{world.pair.server.ws_url}/api/widget/v1/ws?token={world.visitor.token}"
    async with websockets.connect(url) as ws:
        await next_frame(ws, "hello")
        payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
        answer = await world.post_signed(world.channel_url, payload)
        assert answer.status_code == 200 and answer.json()["received"] == 1
        # Already there when the 2xx arrives: no waiting, and no processing job was needed.
        [message] = await world.agent_messages()
        [delivery] = await world.deliveries(
            external_id=f"channel:message:{payload['message']['id']}"
        )
        assert delivery.state == "done" and delivery.processed_at is not None
        assert await world.processing_jobs(delivery) == []
        frame = await asyncio.wait_for(next_frame(ws, "message.created"), 5)
    assert frame["message"]["id"] == message["id"]
    assert message["author_name"] == "Sam Rep"
    again = await world.post_signed(world.channel_url, payload)
    assert again.json() == {"received": 0, "duplicates": 1}
    assert [m["id"] for m in await world.agent_messages()] == [message["id"]]


async def test_a_reply_without_the_reps_name_is_named_from_hubspots_actors(world: World) -> None:
    owner = (await world.control("GET", "/_sandbox/state"))["owners"][1]
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    actor = f"A-{owner['userId']}"
    payload["message"]["createdBy"] = actor
    payload["message"]["senders"] = [{"actorId": actor}]
    assert (await world.post_signed(world.channel_url, payload)).status_code == 200
    [message] = await wait_for(world.agent_messages)
    assert message["author_name"] == f"{owner['firstName']} {owner['lastName']}"


async def test_a_visitor_offline_during_three_replies_sees_them_once_in_order(
    world: World,
) -> None:
    sent = [await world.reply(f"Reply number {n}") for n in (1, 2, 3)]
    for reply in sent:
        await settled(world, 1, external_id=f"channel:message:{reply['id']}")
    for reply in sent:
        assert await world.status_reports(reply["id"]) == []  # nobody was there to receive it

    # The visitor comes back: the widget reconnects and fetches what it missed.
    messages = await world.agent_messages()
    assert [m["text"] for m in messages] == ["Reply number 1", "Reply number 2", "Reply number 3"]
    assert [m["seq"] for m in messages] == sorted(m["seq"] for m in messages)
    for reply in sent:

        async def sent_once(r: dict[str, Any] = reply) -> list[str]:
            return await world.status_reports(r["id"])

        assert await wait_for(sent_once) == ["SENT"]

    read = await world.http.post(
        f"/api/widget/v1/conversations/{world.visitor.conversation_id}/read",
        json={"up_to_seq": messages[-1]["seq"]},
        headers=world.visitor.auth,
    )
    assert read.status_code == 204
    for reply in sent:

        async def both(r: dict[str, Any] = reply) -> list[str] | None:
            reports = await world.status_reports(r["id"])
            return reports if len(reports) == 2 else None

        assert await wait_for(both) == ["SENT", "READ"]
    assert [m["id"] for m in await world.agent_messages()] == [m["id"] for m in messages]


async def test_a_rep_attachment_is_fetched_from_hubspot_and_opens_in_the_widget(
    world: World,
) -> None:
    upload = {"name": "label.pdf", "contentType": "application/pdf",
              "base64": base64.b64encode(PDF).decode()}  # fmt: skip
    reply = await world.reply("Here is your return label.", attachments=[upload])
    messages = await wait_for(world.agent_messages)
    # A file needs HubSpot's file API: its delivery is processed by its outbox job.
    [delivery] = await world.deliveries(external_id=f"channel:message:{reply['id']}")
    assert len(await world.processing_jobs(delivery)) == 1
    [attachment] = messages[0]["attachments"]
    assert attachment["name"] == "label.pdf"
    assert attachment["content_type"] == "application/pdf"
    opened = await world.http.get(attachment["url"])
    assert opened.status_code == 200 and opened.content == PDF


async def test_an_internal_note_never_reaches_the_widget(world: World) -> None:
    await world.control(
        "POST", f"/_sandbox/threads/{world.thread_id}/comment", json={"text": "VIP, be nice"}
    )

    async def processed_note() -> list[Any]:
        found = await world.deliveries(event_type="conversation.newMessage")
        return [d for d in found if d.payload["messageType"] == "COMMENT" and d.state == "done"]

    await wait_for(processed_note)
    assert all("VIP" not in m["text"] for m in await world.visitor.history())


async def test_the_rep_joins_then_closes_and_the_visitor_rates_it(world: World) -> None:
    await world.control("POST", f"/_sandbox/threads/{world.thread_id}/assign", json={})
    owners = (await world.control("GET", "/_sandbox/state"))["owners"]
    await world.control(
        "POST", f"/_sandbox/threads/{world.thread_id}/assign", json={"agent": owners[0]["email"]}
    )

    async def joined() -> list[dict[str, Any]]:
        return [
            m
            for m in await world.visitor.history()
            if m["text"].endswith("joined the conversation")
        ]

    [system] = await wait_for(joined)
    assert system["role"] == "system"
    await world.control("POST", f"/_sandbox/threads/{world.thread_id}/close")

    async def closed() -> bool:
        return (await world.conversation()).state == "closed"

    await wait_for(closed)
    conversation = await world.conversation()
    assert conversation.closed_by == "agent"
    assert (await world.visitor.history())[-1]["text"] == "This conversation has ended."
    rated = await world.http.post(
        f"/api/widget/v1/conversations/{conversation.id}/csat",
        json={"score": 5},
        headers=world.visitor.auth,
    )
    assert rated.status_code == 200 and rated.json()["csat_score"] == 5
