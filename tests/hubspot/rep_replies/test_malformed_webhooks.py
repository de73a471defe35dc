"""Correctly signed webhooks with bodies no event has (text PostgreSQL cannot store, an id too
long for the delivery's key, nesting deep enough to exhaust the parser) are a 400, never a 500,
and nothing of them is stored."""

from __future__ import annotations

import json

import pytest

from .test_webhook_fixtures import as_ours
from .world import World


async def test_unstorable_text_and_an_overlong_id_are_refused(world: World) -> None:
    nul = as_ours(world, "conversation.propertyChange__closed", eventId="4\u00002")
    long_id = as_ours(world, "conversation.propertyChange__closed", eventId="9" * 300)
    surrogate = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    surrogate["message"]["text"] = "broken \ud800 text"
    for url, payload in ((world.app_url, nul), (world.app_url, long_id),
                         (world.channel_url, surrogate)):  # fmt: skip
        answer = await world.post_signed(url, payload)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "malformed_event"
    assert (await world.conversation()).state != "closed"
    assert await world.agent_messages() == []


@pytest.mark.parametrize("url", ["app_url", "channel_url"])
async def test_deep_nesting_is_refused(world: World, url: str) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    target = getattr(world, url)
    answer = await world.http.post(target, content=body, headers=world.signed(target, body))
    assert answer.status_code in (400, 413), answer.text


async def test_a_lone_surrogate_sent_as_raw_bytes_is_refused(world: World) -> None:
    """Not only as a `\\ud800` escape: JSON's decoder lets UTF-8-encoded surrogates through."""
    payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    payload["message"]["text"] = "broken SURROGATE text"
    body = json.dumps(payload, ensure_ascii=False).encode().replace(b"SURROGATE", b"\xed\xa0\x80")
    target = world.channel_url
    answer = await world.http.post(target, content=body, headers=world.signed(target, body))
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "malformed_event"
    assert await world.agent_messages() == []
