"""A handed-off conversation to reply to: the org connected to the sandbox over OAuth, its
channel account, the visitor's thread in the sandbox, and helpers to act as the rep."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hubspot_sandbox import RunningSandbox
from hubspot_sandbox.signatures import sign_v3
from relaydesk.db import commit
from relaydesk.hubspot.api.auth import OAuthGrant, StaticToken
from relaydesk.hubspot.api.client import HubSpotClient
from relaydesk.hubspot.api.integration import HubSpot
from relaydesk.hubspot.connect.app_webhooks import app_webhook_url, ensure_legacy_webhooks
from relaydesk.hubspot.connect.channel import channel_webhook_url, delivery_value, ensure_channel
from relaydesk.hubspot.connect.connections import store_grant, webhook_url
from relaydesk.hubspot.inbound.store import job_key
from relaydesk.models import (
    Conversation,
    HubSpotConnection,
    Message,
    OutboxJob,
    WebhookDelivery,
)
from relaydesk.vault import Vault

from ...orgs import Org, make_org
from ...sandbox.sandbox_flows import REDIRECT_URI, authorize
from ...support import SECRET, RunningServer, WidgetClient, wait_for

FIXTURES = Path(__file__).parent.parent / "fixtures"


@dataclass
class Pair:
    sandbox: RunningSandbox
    server: RunningServer
    hubspot: HubSpot | None = None
    channel_id: str | None = None


@dataclass
class World:
    pair: Pair
    rows: async_sessionmaker[AsyncSession]
    org: Org
    visitor: WidgetClient
    http: httpx.AsyncClient
    portal: HubSpotClient
    connection_id: str
    webhook_token: str
    thread_id: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def secret(self) -> str:
        return self.pair.sandbox.config.client_secret

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.pair.sandbox.base_url, timeout=10) as http:
            answer = await http.request(method, path, **kwargs)
        assert answer.status_code < 300, answer.text
        return answer.json()

    async def reply(self, text: str, **extra: Any) -> dict[str, Any]:
        """A rep answers in the sandbox's inbox (HubSpot sends the channel webhook)."""
        body = {"text": text, **extra}
        reply: dict[str, Any] = await self.control(
            "POST", f"/_sandbox/threads/{self.thread_id}/reply", json=body
        )
        return reply

    async def status_reports(self, hubspot_message_id: str) -> list[str]:
        """The delivery statuses relaydesk sent HubSpot for one message, in order."""
        requests = (await self.control("GET", "/_sandbox/requests"))["requests"]
        return [
            r["body"]["statusType"]
            for r in requests
            if r["method"] == "PATCH" and r["path"].endswith(f"/messages/{hubspot_message_id}")
        ]

    async def deliveries(self, **where: Any) -> list[WebhookDelivery]:
        async with self.rows() as session:
            query = select(WebhookDelivery).where(
                *(getattr(WebhookDelivery, k) == v for k, v in where.items())
            )
            return list(await session.scalars(query))

    async def processing_jobs(self, delivery: WebhookDelivery) -> list[OutboxJob]:
        """The `hubspot.inbound` jobs written for a delivery (none when written at once)."""
        async with self.rows() as session:
            query = select(OutboxJob).where(OutboxJob.dedupe_key == job_key(delivery.id))
            return list(await session.scalars(query))

    async def agent_messages(self) -> list[dict[str, Any]]:
        return [m for m in await self.visitor.history() if m["role"] == "agent"]

    async def conversation(self) -> Conversation:
        async with self.rows() as session:
            found = await session.get(Conversation, self.visitor.conversation_id)
            assert found is not None
            return found

    def signed(
        self, url: str, body: bytes, *, secret: str | None = None, at_ms: int | None = None
    ) -> dict[str, str]:
        timestamp = at_ms if at_ms is not None else int(time.time() * 1000)
        signature = sign_v3(secret or self.secret, "POST", url, body, timestamp)
        return {
            "content-type": "application/json",
            "X-HubSpot-Signature-v3": signature,
            "X-HubSpot-Request-Timestamp": str(timestamp),
        }

    @property
    def channel_url(self) -> str:
        return channel_webhook_url(self.pair.server.base_url)

    @property
    def app_url(self) -> str:
        return app_webhook_url(self.pair.server.base_url)

    @property
    def organization_url(self) -> str:
        """The per-organization URL earlier versions handed out; it keeps working."""
        return webhook_url(self.pair.server.base_url, self.webhook_token)

    async def post_signed(self, url: str, payload: Any, **sign: Any) -> httpx.Response:
        body = json.dumps(payload).encode()
        return await self.http.post(url, content=body, headers=self.signed(url, body, **sign))


def fixture(name: str) -> Any:
    """A recorded payload (`<event>__<variant>.json`)."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


async def _connect(pair: Pair, rows: async_sessionmaker[AsyncSession]) -> HubSpot:
    if pair.hubspot is None:
        pair.hubspot = HubSpot.build(pair.server.settings.hubspot)
        webhook = channel_webhook_url(pair.server.base_url)
        pair.channel_id = await ensure_channel(rows, pair.hubspot.app, webhook)
        # This pair's sandbox app is a legacy public app: relaydesk subscribes through the API.
        hooks = await ensure_legacy_webhooks(pair.hubspot.app, pair.server.base_url)
        assert hooks.ready, hooks
    return pair.hubspot


async def connected_org(
    pair: Pair, rows: async_sessionmaker[AsyncSession]
) -> tuple[Org, HubSpotClient, HubSpotConnection, str]:
    """An organization connected to the sandbox over OAuth, with its channel account."""
    hubspot = await _connect(pair, rows)
    assert pair.channel_id is not None
    # A grant of its own: a refresh rotates the refresh token, so orgs must not share one.
    async with httpx.AsyncClient(base_url=pair.sandbox.base_url) as browser:
        code = await authorize(browser, pair.sandbox.config)
    grant = OAuthGrant.issued(await hubspot.app.exchange_code(code, REDIRECT_URI))
    portal = hubspot.client(str(pair.sandbox.config.portal_id), StaticToken(grant.access_token))
    org = await make_org(rows, sample_kb=False)
    inbox = (await portal.list_inboxes())[0]
    account = await portal.create_channel_account(
        pair.channel_id,
        {
            "name": f"Widget {org.id[:6]}",
            "inboxId": inbox.id,
            "authorized": True,
            "deliveryIdentifier": {
                "type": "CHANNEL_SPECIFIC_OPAQUE_ID",
                "value": delivery_value(org.id),
            },
        },
    )
    async with rows() as session:
        connection = HubSpotConnection(
            organization_id=org.id,
            mode="oauth",
            status="active",
            portal_id=str(pair.sandbox.config.portal_id),
            inbox_id=inbox.id,
            channel_id=pair.channel_id,
            channel_account_id=account.id,
        )
        store_grant(Vault(SECRET), connection, grant)
        session.add(connection)
        await commit(session)
    return org, portal, connection, account.id


async def handed_off_world(pair: Pair, rows: async_sessionmaker[AsyncSession]) -> World:
    org, portal, connection, account_id = await connected_org(pair, rows)
    assert pair.channel_id is not None
    http = httpx.AsyncClient(base_url=pair.server.base_url, timeout=10)
    visitor = WidgetClient(http, org.widget_key)
    started = await visitor.start()
    first = (await visitor.send("Hello there")).json()
    published = await portal.publish_message(
        pair.channel_id,
        {
            "channelAccountId": account_id,
            "integrationThreadId": first["conversation_id"],
            "integrationIdempotencyId": first["id"],
            "messageDirection": "INCOMING",
            "text": first["text"],
            "attachments": [],
            "timestamp": first["created_at"],
            "senders": [  # as the handoff publishes the visitor: by their id
                {
                    "name": "Visitor",
                    "deliveryIdentifier": {
                        "type": "CHANNEL_SPECIFIC_OPAQUE_ID",
                        "value": started["visitor"]["id"],
                    },
                }
            ],
            "recipients": [
                {
                    "name": "relaydesk",
                    "deliveryIdentifier": {
                        "type": "CHANNEL_SPECIFIC_OPAQUE_ID",
                        "value": delivery_value(org.id),
                    },
                }
            ],
        },
    )
    await visitor.wait_for_reply()
    thread_id = str(published.conversations_thread_id)
    await _hand_off(rows, first["conversation_id"], first["id"], thread_id, published.id)
    return World(
        pair, rows, org, visitor, http, portal, connection.id, connection.webhook_token, thread_id
    )


async def _hand_off(
    rows: async_sessionmaker[AsyncSession],
    conversation_id: str,
    message_id: str,
    thread_id: str,
    hubspot_message_id: str,
) -> None:
    """What the handoff and its sync leave behind: pending_human, thread and message ids."""
    async with rows() as session:
        conversation = await session.get(Conversation, conversation_id)
        message = await session.get(Message, message_id)
        assert conversation is not None and message is not None
        conversation.state = "pending_human"
        conversation.hubspot_thread_id = thread_id
        message.hubspot_message_id = hubspot_message_id
        await commit(session)


async def settled(world: World, count: int, **where: Any) -> list[WebhookDelivery]:
    """Wait until `count` deliveries matching `where` were processed."""

    async def probe() -> list[WebhookDelivery] | None:
        found = [d for d in await world.deliveries(**where) if d.state != "received"]
        return found if len(found) >= count else None

    return await wait_for(probe, 10)
