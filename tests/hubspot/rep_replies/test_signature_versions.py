"""Signature v1 signs neither the URL nor a time, so a captured request could be replayed: the
channel (which HubSpot signs with v3 only) and a project app's webhook URL refuse it."""

from __future__ import annotations

import json

from hubspot_sandbox.signatures import v1_headers

from .test_webhook_fixtures import as_ours
from .world import World


async def post_v1(world: World, url: str, payload: object) -> int:
    body = json.dumps(payload).encode()
    headers = {"content-type": "application/json"} | v1_headers(world.secret, body)
    return (await world.http.post(url, content=body, headers=headers)).status_code


async def test_the_channel_refuses_a_v1_signature(world: World) -> None:
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    assert await post_v1(world, world.channel_url, payload) == 401
    assert await world.deliveries(external_id=f"channel:message:{payload['message']['id']}") == []
    assert await world.agent_messages() == []


async def test_a_project_apps_webhook_url_refuses_a_v1_signature(world: World) -> None:
    payload = as_ours(world, "conversation.propertyChange__closed")
    assert await post_v1(world, world.app_url, payload) == 401
    assert (await world.conversation()).state != "closed"
