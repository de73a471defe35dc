"""Webhooks the sandbox sends: a rep's reply to the channel, app subscriptions, retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from hubspot_sandbox import RunningSandbox
from tests.sandbox.sandbox_flows import (
    Receiver,
    connect_account,
    register_channel,
    subscribe,
    visitor_message,
)
from tests.support import wait_for


def valid_v3(secret: str, method: str, url: str, body: bytes, headers: dict[str, str]) -> bool:
    timestamp = headers["x-hubspot-request-timestamp"]
    source = f"{method}{url}".encode() + body + timestamp.encode()
    expected = base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest())
    fresh = abs(time.time() * 1000 - int(timestamp)) < 5 * 60 * 1000
    return fresh and hmac.compare_digest(expected.decode(), headers["x-hubspot-signature-v3"])


def all_delivered(client: httpx.AsyncClient) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        deliveries = (await client.get("/_sandbox/webhooks")).json()["deliveries"]
        return all(d["state"] == "delivered" for d in deliveries)

    return probe


async def start_thread(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    developer_params: dict[str, str],
    webhook_url: str | None,
) -> dict[str, Any]:
    channel = await register_channel(client, developer_params, webhook_url)
    account = await connect_account(api, channel["id"])
    url = f"/conversations/v3/custom-channels/{channel['id']}/messages"
    published = await api.post(url, json=visitor_message(account["id"], "session-7", "help", "m1"))
    message: dict[str, Any] = published.json()
    return message


async def test_rep_reply_reaches_the_channel_webhook_signed_v3(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    sandbox: RunningSandbox,
    developer_params: dict[str, str],
    receiver: Receiver,
) -> None:
    published = await start_thread(client, api, developer_params, receiver.url + "/channel?org=1")
    thread_id = published["conversationsThreadId"]
    reply = await client.post(
        f"/_sandbox/threads/{thread_id}/reply",
        json={"text": "Re-shipped it!", "agent": "alex.chen@sandbox.example"},
    )
    assert reply.status_code == 201

    hook = await wait_for(lambda: next((r for r in receiver.received if "/channel" in r.url), None))
    assert valid_v3(sandbox.config.client_secret, "POST", hook.url, hook.body, hook.headers)
    event = hook.json()
    assert event["type"] == "OUTGOING_CHANNEL_MESSAGE_CREATED"
    assert event["channelIntegrationThreadIds"] == ["session-7"]
    assert event["portalId"] == str(sandbox.config.portal_id)
    message = event["message"]
    assert message["text"] == "Re-shipped it!" and message["direction"] == "OUTGOING"
    assert message["conversationsThreadId"] == thread_id
    assert message["senders"][0]["name"] == "Alex Chen"
    assert message["senders"][0]["actorId"].startswith("A-")
    assert message["recipients"][0]["deliveryIdentifier"]["value"] == "jane@example.com"


async def test_tampered_body_fails_the_independent_check(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    sandbox: RunningSandbox,
    developer_params: dict[str, str],
    receiver: Receiver,
) -> None:
    published = await start_thread(client, api, developer_params, receiver.url + "/channel")
    await client.post(
        f"/_sandbox/threads/{published['conversationsThreadId']}/reply", json={"text": "hi"}
    )
    hook = await wait_for(lambda: receiver.received[:1])
    secret = sandbox.config.client_secret
    assert not valid_v3(secret, "POST", hook[0].url, hook[0].body + b" ", hook[0].headers)
    assert not valid_v3("other-secret", "POST", hook[0].url, hook[0].body, hook[0].headers)


async def test_app_subscriptions_arrive_as_signed_arrays(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    sandbox: RunningSandbox,
    developer_params: dict[str, str],
    receiver: Receiver,
) -> None:
    target = receiver.url + "/app-webhooks"
    app_id = sandbox.config.app_id
    await subscribe(client, sandbox, target)
    published = await start_thread(client, api, developer_params, None)
    thread_id = published["conversationsThreadId"]
    await client.post(f"/_sandbox/threads/{thread_id}/close")

    def app_events() -> list[dict[str, Any]]:
        return [e for r in receiver.received if r.url == target for e in r.json()]

    events = await wait_for(lambda: len(app_events()) >= 2 and app_events())
    by_type = {e["subscriptionType"]: e for e in events}
    new_message = by_type["conversation.newMessage"]
    assert new_message["objectId"] == int(thread_id)
    assert new_message["messageId"] == published["id"] and new_message["attemptNumber"] == 0
    change = by_type["conversation.propertyChange"]
    assert (change["propertyName"], change["propertyValue"]) == ("status", "CLOSED")
    assert change["portalId"] == sandbox.config.portal_id and change["appId"] == app_id
    for request in (r for r in receiver.received if r.url == target):
        assert valid_v3(
            sandbox.config.client_secret, "POST", request.url, request.body, request.headers
        )
        v1 = hashlib.sha256(sandbox.config.client_secret.encode() + request.body).hexdigest()
        assert request.headers["x-hubspot-signature"] == v1
        assert request.headers["x-hubspot-signature-version"] == "v1"


async def test_failed_delivery_is_retried_with_a_new_attempt_number(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    sandbox: RunningSandbox,
    developer_params: dict[str, str],
    receiver: Receiver,
) -> None:
    await subscribe(client, sandbox, receiver.url + "/app", concurrency=1)
    published = await start_thread(client, api, developer_params, receiver.url + "/channel")
    await wait_for(all_delivered(client))
    receiver.received.clear()
    receiver.failures.extend([503, 500])
    await client.post(
        f"/_sandbox/threads/{published['conversationsThreadId']}/assign",
        json={"agent": "sam.rivera@sandbox.example"},
    )

    app_calls = await wait_for(lambda: len(receiver.received) >= 3 and receiver.received)
    assert [r.json()[0]["attemptNumber"] for r in app_calls] == [0, 1, 2]
    assert app_calls[-1].json()[0]["propertyName"] == "assignedTo"

    async def delivered_change() -> dict[str, Any] | None:
        deliveries = (await client.get("/_sandbox/webhooks")).json()["deliveries"]
        return next(
            (
                d
                for d in deliveries
                if "conversation.propertyChange" in d["types"] and d["state"] == "delivered"
            ),
            None,
        )

    assigned = await wait_for(delivered_change)
    assert [a.get("status") for a in assigned["attempts"]] == [503, 500, 200]


async def test_delivery_gives_up_after_the_retry_schedule(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    developer_params: dict[str, str],
    receiver: Receiver,
) -> None:
    published = await start_thread(client, api, developer_params, receiver.url + "/channel")
    receiver.failures.extend([500] * 10)
    await client.post(
        f"/_sandbox/threads/{published['conversationsThreadId']}/reply", json={"text": "hello?"}
    )

    async def failed_delivery() -> dict[str, Any] | None:
        deliveries = (await client.get("/_sandbox/webhooks")).json()["deliveries"]
        return next((d for d in deliveries if d["state"] == "failed"), None)

    failed = await wait_for(failed_delivery)
    assert len(failed["attempts"]) == 4  # the first attempt and three retries
    assert len(receiver.received) == 4


async def test_no_subscription_means_no_app_event(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    sandbox: RunningSandbox,
    developer_params: dict[str, str],
    receiver: Receiver,
) -> None:
    """HubSpot pre-seeds nothing: a target URL alone receives no event until the app subscribes."""
    params = {"hapikey": sandbox.config.developer_api_key}
    base = f"/webhooks/v3/{sandbox.config.app_id}"
    assert (await client.get(f"{base}/subscriptions", params=params)).json()["results"] == []
    settings = {"targetUrl": receiver.url + "/bare", "throttling": {"maxConcurrentRequests": 5}}
    await client.put(f"{base}/settings", params=params, json=settings)
    published = await start_thread(client, api, developer_params, None)
    await client.post(f"/_sandbox/threads/{published['conversationsThreadId']}/close")
    await wait_for(all_delivered(client))
    assert [r for r in receiver.received if r.url.endswith("/bare")] == []
    assert (await client.get("/_sandbox/webhooks")).json()["deliveries"] == []
