"""Rep-reply latency: the sandbox (HubSpot) sends a rep's reply on the custom channel webhook
→ the `message.created` frame arrives at the visitor's connected widget.

`relaydesk serve` and the sandbox each run in a subprocess of their own; the 1,000 widget sockets
live in this process. Replies go to 1,000 handed-off conversations round robin, 50 per second.
The clock starts when the sandbox starts sending the webhook (it stamps each attempt) and stops
when the frame is read here; both sides read the same wall clock. The time from the control call
that asks for the reply is printed beside it. Measuring starts after `warm_up_s` seconds of
replies at the same rate, whose latencies are printed apart.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import websockets
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.db import commit, create_engine, session_factory
from relaydesk.hubspot.api.auth import OAuthGrant, StaticToken
from relaydesk.hubspot.api.client import HubSpotClient
from relaydesk.hubspot.api.integration import HubSpot
from relaydesk.hubspot.connect.channel import channel_webhook_url, delivery_value, ensure_channel
from relaydesk.hubspot.connect.connections import store_grant
from relaydesk.migrate import upgrade
from relaydesk.models import Conversation, HubSpotConnection
from relaydesk.organizations import create_organization
from relaydesk.settings import HubSpotSettings
from relaydesk.vault import Vault
from tests.sandbox.sandbox_flows import REDIRECT_URI, authorize

from .arrivals import Arrivals
from .sandbox_process import SandboxProcess, sandbox_process
from .server import BenchServer, _free_port, _wait_ready
from .stats import Steal, summary_ms

SECRET_KEY = "bench-secret-key-for-relaydesk-0123456789abcdef"
CLIENT_SECRET = "bench-client-secret"


@dataclass
class Widget:
    token: str
    thread_id: str


def server_env(tmp: str, database_url: str, sandbox: SandboxProcess, port: int) -> dict[str, str]:
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


def hubspot_for(sandbox: SandboxProcess) -> HubSpot:
    config = sandbox.config
    return HubSpot.build(
        HubSpotSettings(
            client_id=config.client_id,
            client_secret=config.client_secret,
            app_id=config.app_id,
            developer_api_key=config.developer_api_key,
            base_url=sandbox.base_url,
            rate_limit_per_10s=1_000_000,  # setting up: the bench's sandbox has no limit
        )
    )


async def connected_org(
    rows: async_sessionmaker[AsyncSession], sandbox: SandboxProcess, base_url: str
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


async def handed_off_crowd(
    http: httpx.AsyncClient,
    rows: async_sessionmaker[AsyncSession],
    org: tuple[str, str, HubSpotClient, str, str],
    count: int,
) -> list[Widget]:
    """Visitors whose conversations are HubSpot threads (as the handoff sync leaves them)."""
    organization_id, widget_key, portal, channel_id, account_id = org
    started: list[dict[str, Any]] = []
    while len(started) < count:
        batch = min(50, count - len(started))
        answers = await asyncio.gather(
            *(http.post("/api/widget/v1/sessions", json={"widget_key": widget_key})
              for _ in range(batch))
        )  # fmt: skip
        started += [answer.json() for answer in answers]
    conversations = [
        Conversation(organization_id=organization_id, visitor_id=s["visitor"]["id"], state="human")
        for s in started
    ]
    async with rows() as session:
        session.add_all(conversations)
        await commit(session)
    us = {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": delivery_value(organization_id)}

    async def publish(conversation: Conversation) -> str:
        who = {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": conversation.visitor_id}
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
        return str(published.conversations_thread_id)

    threads: list[str] = []
    for first in range(0, count, 50):
        threads += await asyncio.gather(*(publish(c) for c in conversations[first : first + 50]))
    async with rows() as session:
        for conversation, thread_id in zip(conversations, threads, strict=True):
            await session.execute(
                update(Conversation)
                .where(Conversation.id == conversation.id)
                .values(hubspot_thread_id=thread_id)
            )
        await commit(session)
    return [Widget(s["visitor_token"], t) for s, t in zip(started, threads, strict=True)]


@dataclass
class Timings:
    webhook_to_frame: list[float]  # the sandbox sends the webhook → the frame arrives
    control_to_frame: list[float]  # the bench asks the sandbox to reply → the frame arrives
    warm_up: list[float]  # webhook → frame for the warm-up replies, not counted above
    cpu_s: float
    steal: str = ""  # the host's steal over the measured replies, as `Steal.line` words it


async def measure(
    server: BenchServer, sandbox: SandboxProcess, database_url: str, widgets: int, rate: float,
    seconds: float, warm_up_s: float,
) -> Timings:  # fmt: skip
    rows = session_factory(create_engine(database_url))
    limits = httpx.Limits(max_connections=100)
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=30, limits=limits) as http,
        httpx.AsyncClient(base_url=sandbox.base_url, timeout=30, limits=limits) as control,
    ):
        org = await connected_org(rows, sandbox, server.base_url)
        crowd = await handed_off_crowd(http, rows, org, widgets)
        warm, count = int(rate * warm_up_s), int(rate * seconds)
        arrived = Arrivals(warm)
        connected = Arrivals(len(crowd))
        readers = [asyncio.create_task(_listen(server, w, arrived, connected)) for w in crowd]
        await connected.done.wait()
        asked: dict[str, float] = {}
        # The first replies meet a cold server (statements not yet compiled, code paths not yet
        # run, the set-up's objects not yet through a full collection): they are sent first at
        # the same rate, and reported apart.
        await send_replies(control, crowd, rate, [f"warm-up reply {n}" for n in range(warm)],
                           asked, arrived)  # fmt: skip
        # The bench's own full collections (a tenth of a second with 1,000 sockets) would count
        # as frame latency: what set-up built is frozen out of them.
        gc.collect()
        gc.freeze()
        arrived.expect(warm + count)
        cpu_before, steal = server.cpu_seconds(), Steal()
        await send_replies(control, crowd, rate, [f"rep reply {n}" for n in range(count)], asked,
                           arrived)  # fmt: skip
        cpu_s = server.cpu_seconds() - cpu_before
        stolen = steal.line()
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        sent = await webhook_sent_at(control)
    missing = warm + count - len(arrived.at)
    if missing:
        print(f"rep reply: {missing} of {warm + count} replies never reached their widget")

    def latencies(since: dict[str, float], prefix: str) -> list[float]:
        return [
            at - since[t] for t, at in arrived.at.items() if t in since and t.startswith(prefix)
        ]

    return Timings(
        latencies(sent, "rep reply"), latencies(asked, "rep reply"), latencies(sent, "warm-up"),
        cpu_s, stolen,
    )  # fmt: skip


async def send_replies(
    control: httpx.AsyncClient, crowd: list[Widget], rate: float, texts: list[str],
    asked: dict[str, float], arrived: Arrivals,
) -> None:  # fmt: skip
    """Ask the sandbox for one rep reply per text, `rate` per second round robin over the crowd,
    and wait (up to 30 s) until every frame so far has arrived."""
    replies = []
    began = time.perf_counter()
    for n, text in enumerate(texts):
        await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
        widget = crowd[n % len(crowd)]
        replies.append(asyncio.create_task(_reply(control, widget, text, asked)))
    await asyncio.gather(*replies)
    with suppress(TimeoutError):
        await asyncio.wait_for(arrived.done.wait(), 30)


async def webhook_sent_at(control: httpx.AsyncClient) -> dict[str, float]:
    """When the sandbox sent (first attempt) the channel webhook of each reply, by its text."""
    deliveries = (await control.get("/_sandbox/webhooks")).json()["deliveries"]
    return {
        d["payload"]["message"]["text"]: d["attempts"][0]["sentAtMs"] / 1000
        for d in deliveries
        if d["kind"] == "channel" and d["attempts"]
    }


async def _reply(control: httpx.AsyncClient, widget: Widget, text: str,
                 asked: dict[str, float]) -> None:  # fmt: skip
    asked[text] = time.time()
    answer = await control.post(f"/_sandbox/threads/{widget.thread_id}/reply", json={"text": text})
    answer.raise_for_status()


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
    widgets: int = 1000, rate: float = 50, seconds: float = 20, database_url: str | None = None,
    warm_up_s: float = 5,
) -> Timings:  # fmt: skip
    with (
        sandbox_process(
            client_secret=CLIENT_SECRET, rate_limit_per_10s=None, search_rate_limit_per_s=None,
            webhook_retry_delays_s=[0.1, 0.5],
            openapi_dir=None,  # HubSpot's schemas are checked by the tests, not on this clock
        ) as sandbox,
        tempfile.TemporaryDirectory() as tmp,
    ):  # fmt: skip
        database_url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        with serving(tmp, database_url, sandbox) as server:
            timings = asyncio.run(
                measure(server, sandbox, database_url, widgets, rate, seconds, warm_up_s)
            )
            replies = len(timings.webhook_to_frame)
            print(
                f"rep reply latency (sandbox sends the webhook -> frame at the widget), "
                f"{database_url.split('+')[0]}, {widgets} connected widgets, {rate:g} replies/s "
                f"for {seconds:g} s: {summary_ms(timings.webhook_to_frame)}; "
                f"from the control call that asks for the reply: "
                f"{summary_ms(timings.control_to_frame)}; "
                f"server CPU {timings.cpu_s * 1000 / max(1, replies):.2f} ms per reply"
                f"{timings.steal}; "
                f"after {len(timings.warm_up)} warm-up replies at the same rate, not counted: "
                f"{summary_ms(timings.warm_up)}"
            )
            return timings


@contextmanager
def serving(tmp: str, database_url: str, sandbox: SandboxProcess) -> Iterator[BenchServer]:
    """`relaydesk serve` in a subprocess on a migrated `database_url`, connected to the sandbox,
    ready; stopped after, with the traceback it logged, if any, printed."""
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
        yield server
    finally:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        errors = log.read_text(errors="replace")
        if "Traceback" in errors:
            print("server errors during the benchmark:\n" + errors[-4000:], file=sys.stderr)
