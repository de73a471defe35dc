"""Steps the sandbox tests share: the OAuth dance as a browser does it, an app's webhook
subscriptions, a channel and its account."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hubspot_sandbox import RunningSandbox, SandboxConfig
from relaydesk.hubspot.api.scopes import SCOPES as RELAYDESK_SCOPES

SCOPES = list(RELAYDESK_SCOPES)  # what relaydesk's app asks for
REDIRECT_URI = "http://127.0.0.1:9/hubspot/callback"
APP_EVENTS = ("conversation.newMessage", "conversation.propertyChange", "ticket.propertyChange")


async def authorize(client: httpx.AsyncClient, config: SandboxConfig, state: str = "s1") -> str:
    """Walks the consent page like a browser and returns the authorization code."""
    query = {
        "client_id": config.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": " ".join(SCOPES),
        "state": state,
    }
    page = await client.get("/oauth/authorize", params=query)
    assert page.status_code == 200 and "Connect app" in page.text
    form = {k: v for k, v in query.items() if k != "scope"} | {"decision": "approve"}
    body = "&".join(f"{k}={v}" for k, v in form.items()) + "".join(f"&scope={s}" for s in SCOPES)
    answer = await client.post(
        "/oauth/authorize",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 302
    location = urlparse(answer.headers["location"])
    params = parse_qs(location.query)
    assert params["state"] == [state]
    return params["code"][0]


async def exchange(
    client: httpx.AsyncClient, config: SandboxConfig, **fields: str
) -> httpx.Response:
    form = {"client_id": config.client_id, "client_secret": config.client_secret} | fields
    return await client.post("/oauth/v1/token", data=form)


@dataclass
class Received:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook endpoint on loopback that records requests and can be told to fail."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses for the next requests

    async def handle(self, request: Request) -> Response:
        self.received.append(
            Received(request.method, str(request.url), dict(request.headers), await request.body())
        )
        if self.failures:
            return Response("nope", status_code=self.failures.pop(0))
        return JSONResponse({"ok": True})


async def register_channel(
    client: httpx.AsyncClient, developer_params: dict[str, str], webhook_url: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "relaydesk widget",
        "capabilities": {
            "deliveryIdentifierTypes": ["CHANNEL_SPECIFIC_OPAQUE_ID", "HS_EMAIL_ADDRESS"],
            "threadingModel": "INTEGRATION_THREAD_ID",
            "allowOutgoingMessages": True,
            "outgoingAttachmentTypes": ["FILE"],
            "maxFileAttachmentCount": 5,
        },
    }
    if webhook_url:
        body["webhookUrl"] = webhook_url
    answer = await client.post(
        "/conversations/v3/custom-channels", params=developer_params, json=body
    )
    assert answer.status_code == 201, answer.text
    channel: dict[str, Any] = answer.json()
    return channel


async def connect_account(api: httpx.AsyncClient, channel_id: str) -> dict[str, Any]:
    inboxes = (await api.get("/conversations/v3/conversations/inboxes")).json()["results"]
    answer = await api.post(
        f"/conversations/v3/custom-channels/{channel_id}/channel-accounts",
        json={
            "name": "Website widget",
            "inboxId": inboxes[0]["id"],
            "authorized": True,
            "deliveryIdentifier": {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": "widget"},
        },
    )
    assert answer.status_code == 201, answer.text
    account: dict[str, Any] = answer.json()
    return account


def visitor_message(account_id: str, thread_key: str, text: str, key: str) -> dict[str, Any]:
    return {
        "channelAccountId": account_id,
        "integrationThreadId": thread_key,
        "integrationIdempotencyId": key,
        "messageDirection": "INCOMING",
        "text": text,
        "timestamp": "2026-09-01T10:15:30.000Z",
        "senders": [
            {
                "name": "Jane Doe",
                "deliveryIdentifier": {"type": "HS_EMAIL_ADDRESS", "value": "jane@example.com"},
            }
        ],
        "recipients": [
            {"deliveryIdentifier": {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": "widget"}}
        ],
        "attachments": [],
    }


async def subscribe(
    client: httpx.AsyncClient,
    sandbox: RunningSandbox,
    target: str,
    concurrency: int = 5,
    events: Sequence[str] = APP_EVENTS,
) -> None:
    """The app's target URL and subscriptions, set through the webhooks API as an app does."""
    params = {"hapikey": sandbox.config.developer_api_key}
    base = f"/webhooks/v3/{sandbox.config.app_id}"
    settings = {"targetUrl": target, "throttling": {"maxConcurrentRequests": concurrency}}
    assert (await client.put(f"{base}/settings", params=params, json=settings)).status_code == 200
    for event_type in events:
        created = await client.post(
            f"{base}/subscriptions", params=params, json={"eventType": event_type, "active": True}
        )
        assert created.status_code == 201, created.text
