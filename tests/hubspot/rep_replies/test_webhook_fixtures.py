"""Recorded HubSpot payloads (tests/fixtures/hubspot/<event>__<variant>.json), one test each,
signed with the test app's secret so the real verification runs. Each test gives the payload
this test's identity (thread, event and message ids); the file gives the shape."""

from __future__ import annotations

import itertools
import json
import random
import time
import uuid
from typing import Any

from relaydesk.models import Conversation

from ...support import wait_for
from .world import World, fixture, settled

RECORDED_THREAD = "8412345678"
_event_ids = itertools.count(random.randrange(10**9, 2 * 10**9))


def as_ours(world: World, name: str, **values: Any) -> Any:
    payload = json.loads(json.dumps(fixture(name)).replace(RECORDED_THREAD, world.thread_id))
    for event in payload if isinstance(payload, list) else [payload]:
        if "message" in event:
            event["message"]["id"] = uuid.uuid4().hex
        if "eventId" in event:
            event["eventId"] = next(_event_ids)
        if "objectId" in event and event.get("subscriptionType", "").startswith("conversation"):
            event["objectId"] = int(world.thread_id)
        event.update(values)
    return payload


async def test_rep_message_single_object(world: World) -> None:
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    answer = await world.post_signed(world.channel_url, payload)
    assert answer.status_code == 200 and answer.json()["received"] == 1
    [message] = await wait_for(world.agent_messages)
    assert message["author_name"] == "Sam Rep"
    assert message["text"] == "Hi Jane, I've re-shipped your order."


async def test_rep_message_array(world: World) -> None:
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__array")
    answer = await world.post_signed(world.channel_url, payload)
    assert answer.status_code == 200 and answer.json()["received"] == 1
    [message] = await wait_for(world.agent_messages)
    assert message["text"] == "Sent as an array, as some integrators see it."


async def test_a_delivery_reads_back_as_the_event_sent(world: World) -> None:
    """A one-object body is stored as HubSpot's own text (escapes, spacing and all), an array's
    events one by one: each delivery's payload reads back as the event."""
    single = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    single["message"]["text"] = 'Ça marche 😀, "quoted" \\ \t tab'
    body = json.dumps(single, indent=1).encode()  # \u escapes, a surrogate pair among them
    answer = await world.http.post(
        world.channel_url, content=body, headers=world.signed(world.channel_url, body)
    )
    assert answer.status_code == 200 and answer.json()["received"] == 1
    array = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__array")
    assert (await world.post_signed(world.channel_url, array)).json()["received"] == 1
    for event in (single, *array):
        [delivery] = await world.deliveries(external_id=f"channel:message:{event['message']['id']}")
        assert delivery.payload == event
    texts = {message["text"] for message in await wait_for(world.agent_messages)}
    assert single["message"]["text"] in texts


async def test_rep_message_echo_of_our_message(world: World) -> None:
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__echo_of_our_message")
    answer = await world.post_signed(world.channel_url, payload)
    assert answer.status_code == 200
    [delivery] = await settled(world, 1, external_id=f"channel:message:{payload['message']['id']}")
    assert delivery.state == "done" and delivery.error == "our own message, echoed back"
    assert await world.agent_messages() == []


def app_key(event: dict[str, Any]) -> str:
    """How a delivery of an app event is keyed: per portal and HubSpot's event id."""
    return f"app:{event['portalId']}:{event['eventId']}"


async def test_conversation_property_change_assigned(world: World) -> None:
    owner = (await world.control("GET", "/_sandbox/state"))["owners"][0]
    payload = as_ours(world, "conversation.propertyChange__assigned",
                      propertyValue=str(owner["userId"]))  # fmt: skip
    assert (await world.post_signed(world.app_url, payload)).status_code == 200

    async def joined() -> list[dict[str, Any]]:
        return [m for m in await world.visitor.history() if m["role"] == "system"]

    [message] = await wait_for(joined)
    name = f"{owner['firstName']} {owner['lastName']}"
    assert message["text"] == f"{name} joined the conversation"
    assert (await world.conversation()).assignee == name


async def test_conversation_property_change_closed(world: World) -> None:
    payload = as_ours(world, "conversation.propertyChange__closed")
    assert (await world.post_signed(world.app_url, payload)).status_code == 200

    async def closed() -> bool:
        return (await world.conversation()).state == "closed"

    await wait_for(closed)
    assert (await world.conversation()).closed_by == "agent"
    assert (await world.visitor.history())[-1]["text"] == "This conversation has ended."


async def test_conversation_new_message_internal_note(world: World) -> None:
    payload = as_ours(world, "conversation.newMessage__internal_note")
    assert (await world.post_signed(world.app_url, payload)).status_code == 200
    [delivery] = await settled(world, 1, external_id=app_key(payload[0]))
    assert delivery.state == "done"
    assert [m for m in await world.visitor.history() if m["role"] in ("agent", "system")] == []


async def test_ticket_property_change_priority(world: World) -> None:
    payload = as_ours(world, "ticket.propertyChange__priority")
    async with world.rows() as session:
        conversation = await session.get(Conversation, world.visitor.conversation_id)
        assert conversation is not None
        conversation.hubspot_ticket_id = str(payload[0]["objectId"] + random.randrange(10**6))
        payload[0]["objectId"] = int(conversation.hubspot_ticket_id)
        await session.commit()
    assert (await world.post_signed(world.app_url, payload)).status_code == 200

    async def copied() -> dict[str, Any] | None:
        return (await world.conversation()).custom_data.get("hubspot_ticket")

    assert await wait_for(copied) == {"hs_ticket_priority": "HIGH"}


async def test_conversation_creation_unhandled(world: World) -> None:
    payload = as_ours(world, "conversation.creation__unhandled")
    answer = await world.post_signed(world.app_url, payload)
    assert answer.status_code == 200
    assert answer.json()["ignored"] == 1 and "ignored" in answer.json()["status"]
    [delivery] = await world.deliveries(external_id=app_key(payload[0]))
    assert delivery.state == "unknown" and delivery.event_type == "conversation.creation"


# Refusals: nothing forged, altered or stale is stored or delivered.


async def refused(world: World, answer: Any, message_id: str) -> None:
    assert answer.status_code == 401, answer.text
    assert await world.deliveries(external_id=f"channel:message:{message_id}") == []
    metrics = (await world.http.get("/metrics")).text
    assert 'relaydesk_hubspot_webhooks_refused_total{endpoint="channel"}' in metrics
    assert await world.agent_messages() == []


async def test_a_forged_signature_is_refused(world: World) -> None:
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    answer = await world.post_signed(world.channel_url, payload, secret="not-the-app-secret")
    await refused(world, answer, payload["message"]["id"])


async def test_an_altered_body_is_refused(world: World) -> None:
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    body = json.dumps(payload).encode()
    headers = world.signed(world.channel_url, body)
    altered = body.replace(b"re-shipped", b"refunded")
    answer = await world.http.post(world.channel_url, content=altered, headers=headers)
    await refused(world, answer, payload["message"]["id"])


async def test_a_stale_timestamp_is_refused(world: World) -> None:
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    six_minutes_ago = int(time.time() * 1000) - 6 * 60 * 1000
    answer = await world.post_signed(world.channel_url, payload, at_ms=six_minutes_ago)
    await refused(world, answer, payload["message"]["id"])


async def test_an_unknown_app_webhook_url_is_refused(world: World) -> None:
    payload = as_ours(world, "conversation.propertyChange__closed")
    url = f"{world.pair.server.base_url}/hubspot/webhooks/not-a-token"
    assert (await world.post_signed(url, payload)).status_code == 401
    assert (await world.conversation()).state != "closed"


async def test_the_same_delivery_twice_shows_the_message_once(world: World) -> None:
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    first = await world.post_signed(world.channel_url, payload)
    again = await world.post_signed(world.channel_url, payload)
    assert first.json()["received"] == 1
    assert again.status_code == 200 and again.json() == {"received": 0, "duplicates": 1}
    await settled(world, 1, external_id=f"channel:message:{payload['message']['id']}")
    assert len(await world.agent_messages()) == 1


async def test_the_earlier_per_organization_url_keeps_working(world: World) -> None:
    payload = as_ours(world, "conversation.propertyChange__closed")
    assert (await world.post_signed(world.organization_url, payload)).status_code == 200

    async def closed() -> bool:
        return (await world.conversation()).state == "closed"

    await wait_for(closed)


async def test_an_event_of_another_portal_naming_our_thread_changes_nothing(world: World) -> None:
    payload = as_ours(world, "conversation.propertyChange__closed", portalId=987654321)
    assert (await world.post_signed(world.app_url, payload)).status_code == 200
    [delivery] = await settled(world, 1, external_id=app_key(payload[0]))
    assert delivery.error == "no conversation for this thread"
    assert (await world.conversation()).state != "closed"
