"""Rep-reply latency: the sandbox (HubSpot) is asked to send a rep's reply on the custom
channel webhook → the `message.created` frame arrives at the visitor's connected widget.

`relaydesk serve` runs in a subprocess of its own; the sandbox and 1,000 widget sockets live in
this process. Replies go to 1,000 handed-off conversations round robin, 50 per second. The clock
starts before the control call that makes the sandbox send the webhook, so the number includes
that call (an upper bound on webhook → frame).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import websockets
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hubspot_sandbox import RunningSandbox, SandboxConfig, start_sandbox_sync
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.hubspot.auth import OAuthGrant, StaticToken
from relaydesk.hubspot.channel import channel_webhook_url, delivery_value, ensure_channel
from relaydesk.hubspot.client import HubSpotClient
from relaydesk.hubspot.connections import store_grant
from relaydesk.hubspot.integration import HubSpot
from relaydesk.migrate import upgrade
from relaydesk.models import Conversation, HubSpotConnection
from relaydesk.organizations import create_organization
from relaydesk.settings import HubSpotSettings
from relaydesk.vault import Vault
from tests.sandbox.sandbox_flows import REDIRECT_URI, authorize

from .server import BenchServer, _free_port, _wait_ready
from .stats import summary_ms

SECRET_KEY = "bench-secret-key-for-relaydesk-0123456789abcdef"
CLIENT_SECRET = "bench-client-secret"


@dataclass
class Widget:
    token: str
    thread_id: str


def server_env(tmp: str, database_url: str, sandbox: RunningSandbox, port: int) -> dict[str, str]:
    config = sandbox.config
    return {
        **os.environ,
        "RELAYDESK_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RELAYDESK_DATABASE_URL": database_url,
        "RELAYDESK_DATA_DIR": tmp,
        "RELAYDESK_SECRET_KEY": SECRET_KEY,
        "RELAYDESK_LOG_LEVEL": "warning",
        "RELAYDESK_LIMITS__IP_REQUESTS_PER_MINUTE": "100000000",
        "RELAYDESK_HUBSPOT__CLIENT_ID": config.client_id,
        "RELAYDESK_HUBSPOT__CLIENT_SECRET": config.client_secret,
        "RELAYDESK_HUBSPOT__APP_ID": str(config.app_id),
        "RELAYDESK_HUBSPOT__DEVELOPER_API_KEY": config.developer_api_key,
        "RELAYDESK_HUBSPOT__BASE_URL": sandbox.base_url,
    }


def hubspot_for(sandbox: RunningSandbox) -> HubSpot:
    config = sandbox.config
    return HubSpot.build(
        HubSpotSettings(
            client_id=config.client_id,
            client_secret=config.client_secret,
            app_id=config.app_id,
            developer_api_key=config.developer_api_key,
            base_url=sandbox.base_url,
        )
    )


async def connected_org(
    rows: async_sessionmaker[AsyncSession], sandbox: RunningSandbox, base_url: str
) -> tuple[str, str, HubSpotClient, str, str]:
    """An organization connected to the sandbox: (org id, widget key, portal, channel, account)."""
    hubspot = hubspot_for(sandbox)
    async with httpx.AsyncClient(base_url=sandbox.base_url) as browser:
        code = await authorize(browser, sandbox.config)
    grant = OAuthGrant.issued(await hubspot.app.exchange_code(code, REDIRECT_URI))
    channel_id = await ensure_channel(rows, hubspot.app, channel_webhook_url(base_url))
    portal = hubspot.client(str(sandbox.config.portal_id), StaticToken(grant.access_token))
    vault = Vault(SECRET_KEY)
    async with rows() as session:
        organization = await create_organization(session, vault, "Bench")
        await commit(session)
    inbox = (await portal.list_inboxes())[0]
    value = delivery_value(organization.id)
    account = await portal.create_channel_account(
        channel_id,
        {
            "name": "Bench widget",
            "inboxId": inbox.id,
            "authorized": True,
            "deliveryIdentifier": {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": value},
        },
    )
    async with rows() as session:
        connection = HubSpotConnection(
            organization_id=organization.id,
            status="active",
            portal_id=str(sandbox.config.portal_id),
            inbox_id=inbox.id,
            channel_id=channel_id,
            channel_account_id=account.id,
        )
        store_grant(vault, connection, grant)
        session.add(connection)
        await commit(session)
    return organization.id, organization.widget_key, portal, channel_id, account.id


async def handed_off_widget(
    http: httpx.AsyncClient,
    rows: async_sessionmaker[AsyncSession],
    org: tuple[str, str, HubSpotClient, str, str],
) -> Widget:
    """A visitor whose conversation is a HubSpot thread (as the handoff sync leaves it)."""
    organization_id, widget_key, portal, channel_id, account_id = org
    started = (await http.post("/api/widget/v1/sessions", json={"widget_key": widget_key})).json()
    async with rows() as session:
        conversation = Conversation(
            organization_id=organization_id, visitor_id=started["visitor"]["id"], state="human"
        )
        session.add(conversation)
        await commit(session)
    who = {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": started["visitor"]["id"]}
    us = {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": delivery_value(organization_id)}
    published = await portal.publish_message(
        channel_id,
        {
            "channelAccountId": account_id,
            "integrationThreadId": conversation.id,
            "messageDirection": "INCOMING",
            "text": "I need a person",
            "timestamp": "2026-01-01T00:00:00Z",
            "attachments": [],
            "senders": [{"name": "Visitor", "deliveryIdentifier": who}],
            "recipients": [{"name": "relaydesk", "deliveryIdentifier": us}],
        },
    )
    async with rows() as session:
        row = await session.get(Conversation, conversation.id)
        assert row is not None
        row.hubspot_thread_id = published.conversations_thread_id
        await commit(session)
    return Widget(started["visitor_token"], str(published.conversations_thread_id))


async def measure(
    server: BenchServer, sandbox: RunningSandbox, database_url: str, widgets: int, rate: float,
    seconds: float,
) -> tuple[list[float], float]:  # fmt: skip
    rows = session_factory(create_engine(database_url))
    limits = httpx.Limits(max_connections=100)
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=30, limits=limits) as http,
        httpx.AsyncClient(base_url=sandbox.base_url, timeout=30, limits=limits) as control,
    ):
        org = await connected_org(rows, sandbox, server.base_url)
        crowd: list[Widget] = []
        while len(crowd) < widgets:
            batch = min(50, widgets - len(crowd))
            crowd += await asyncio.gather(
                *(handed_off_widget(http, rows, org) for _ in range(batch))
            )
        count = int(rate * seconds)
        arrived = Arrivals(count)
        connected = Arrivals(len(crowd))
        readers = [asyncio.create_task(_listen(server, w, arrived, connected)) for w in crowd]
        await connected.done.wait()
        sent: dict[str, float] = {}
        replies = []
        cpu_before = server.cpu_seconds()
        began = time.perf_counter()
        for n in range(count):
            await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
            widget = crowd[n % len(crowd)]
            replies.append(asyncio.create_task(_reply(control, widget, f"rep reply {n}", sent)))
        await asyncio.gather(*replies)
        with suppress(TimeoutError):
            await asyncio.wait_for(arrived.done.wait(), 30)
        cpu_s = server.cpu_seconds() - cpu_before
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    missing = count - len(arrived.at)
    if missing:
        print(f"rep reply: {missing} of {count} replies never reached their widget")
    return [arrived.at[text] - sent[text] for text in arrived.at if text in sent], cpu_s


async def _reply(control: httpx.AsyncClient, widget: Widget, text: str,
                 sent: dict[str, float]) -> None:  # fmt: skip
    sent[text] = time.perf_counter()
    answer = await control.post(f"/_sandbox/threads/{widget.thread_id}/reply", json={"text": text})
    answer.raise_for_status()


class Arrivals:
    """When each awaited thing arrived; `done` is set once all `expected` have."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.at: dict[str, float] = {}
        self.done = asyncio.Event()

    def mark(self, key: str) -> None:
        self.at[key] = time.perf_counter()
        if len(self.at) >= self.expected:
            self.done.set()


async def _listen(
    server: BenchServer, widget: Widget, arrived: Arrivals, connected: Arrivals
) -> None:
    url = f"{server.ws_url}/api/widget/v1/ws?token={widget.token}"
    async with websockets.connect(url, ping_interval=None) as ws:
        await ws.recv()  # hello
        connected.mark(widget.token)
        async for raw in ws:
            frame = json.loads(raw)
            if frame["type"] == "message.created" and frame["message"]["role"] == "agent":
                arrived.mark(frame["message"]["text"])


def run(
    widgets: int = 1000, rate: float = 50, seconds: float = 10, database_url: str | None = None
) -> list[float]:
    sandbox = start_sandbox_sync(
        SandboxConfig(client_secret=CLIENT_SECRET, rate_limit_per_10s=None,
                      search_rate_limit_per_s=None, webhook_retry_delays_s=(0.1, 0.5))
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        database_url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        upgrade(database_url)
        port = _free_port()
        log = Path(tmp) / "server.log"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "relaydesk.cli", "serve", "--port", str(port)],
                env=server_env(tmp, database_url, sandbox, port),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        server = BenchServer(f"http://127.0.0.1:{port}", process)
        try:
            _wait_ready(server)
            timings, cpu_s = asyncio.run(
                measure(server, sandbox, database_url, widgets, rate, seconds)
            )
            print(
                f"rep reply latency (sandbox sends the webhook -> frame at the widget), "
                f"{database_url.split('+')[0]}, {widgets} connected widgets, {rate:g} replies/s "
                f"for {seconds:g} s: {summary_ms(timings)}; "
                f"server CPU {cpu_s * 1000 / max(1, len(timings)):.1f} ms per reply"
            )
            return timings
        finally:
            process.terminate()
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
            sandbox.stop_sync()
            errors = log.read_text(errors="replace")
            if "Traceback" in errors:
                print("server errors during the benchmark:\n" + errors[-4000:], file=sys.stderr)
