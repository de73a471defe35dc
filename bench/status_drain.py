"""Status-report drain: the server's CPU per SENT report while a backlog of them drains at
HubSpot's rate limit (100 per 10 s per portal, the default), as the reports of a stream of rep
replies do.

`relaydesk serve` and the sandbox each run in a subprocess of their own. The bench queues
`reports` SENT reports of distinct conversations for messages the sandbox knows, after measuring
the idle server's CPU over `seconds`; once the drain has run `settle_s`, it measures the server's
CPU and the reports done over `seconds`. Per report: that CPU, and that CPU less the idle one.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import events
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.hubspot.api.client import HubSpotClient
from relaydesk.hubspot.connect.channel import delivery_value
from relaydesk.jobs import MessageStatus, dump
from relaydesk.models import JobState, OutboxJob
from relaydesk.outbox import Wakeup, enqueue

from .rep_reply import CLIENT_SECRET, connected_org, serving
from .sandbox_process import SandboxProcess, sandbox_process
from .server import BenchServer


@dataclass
class Drain:
    reports: int  # done within the window
    cpu_s: float  # the server's, over the window
    idle_cpu_s: float  # the idle server's, over a window as long

    def line(self, database: str, seconds: float) -> str:
        per = self.cpu_s * 1000 / max(1, self.reports)
        net = (self.cpu_s - self.idle_cpu_s) * 1000 / max(1, self.reports)
        return (
            f"status drain, {database}: {self.reports} SENT reports in {seconds:g} s; "
            f"server CPU {per:.2f} ms per report ({net:.2f} ms less the idle server's "
            f"{self.idle_cpu_s * 1000:.0f} ms per {seconds:g} s)"
        )


async def hubspot_messages(
    portal: HubSpotClient, channel_id: str, account_id: str, organization_id: str, count: int
) -> list[str]:
    """`count` messages on the channel, each in a thread of its own: what the reports name."""
    us = {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": delivery_value(organization_id)}

    async def publish(n: int) -> str:
        who = {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": f"visitor-{n}"}
        published = await portal.publish_message(
            channel_id,
            {
                "channelAccountId": account_id,
                "integrationThreadId": f"bench-thread-{n}",
                "messageDirection": "INCOMING",
                "text": "I need a person",
                "timestamp": "2026-01-01T00:00:00Z",
                "attachments": [],
                "senders": [{"name": "Visitor", "deliveryIdentifier": who}],
                "recipients": [{"name": "relaydesk", "deliveryIdentifier": us}],
            },
        )
        return str(published.id)

    ids: list[str] = []
    for first in range(0, count, 50):
        ids += await asyncio.gather(*(publish(n) for n in range(first, min(count, first + 50))))
    return ids


async def queue_reports(
    rows: async_sessionmaker[AsyncSession], organization_id: str, hubspot_ids: list[str]
) -> None:
    """One SENT report per message, each of a conversation of its own, in one transaction (the
    server's worker finds them on its next poll)."""
    async with rows() as session:
        for hubspot_id in hubspot_ids:
            message_id = str(uuid.uuid4())
            job = MessageStatus("SENT", message_id, organization_id, hubspot_id)
            await enqueue(
                session, Wakeup(), events.HUBSPOT_MESSAGE_STATUS, dump(job),
                ordering_key=f"hubspot:status:{message_id}",
                dedupe_key=f"{events.HUBSPOT_MESSAGE_STATUS}:SENT:{message_id}",
            )  # fmt: skip
        await commit(session)


async def reports_done(rows: async_sessionmaker[AsyncSession]) -> int:
    async with rows() as session:
        done = await session.scalar(
            select(func.count()).where(
                OutboxJob.kind == events.HUBSPOT_MESSAGE_STATUS, OutboxJob.state == JobState.DONE
            )
        )
    return int(done or 0)


async def measure(
    server: BenchServer, sandbox: SandboxProcess, database_url: str, reports: int,
    seconds: float, settle_s: float,
) -> Drain:  # fmt: skip
    rows = session_factory(create_engine(database_url))
    org = await connected_org(rows, sandbox, server.base_url)
    organization_id, _, portal, channel_id, account_id = org
    hubspot_ids = await hubspot_messages(portal, channel_id, account_id, organization_id, reports)
    cpu = server.cpu_seconds()
    await asyncio.sleep(seconds)
    idle_cpu_s = server.cpu_seconds() - cpu
    await queue_reports(rows, organization_id, hubspot_ids)
    await asyncio.sleep(settle_s)
    done, cpu = await reports_done(rows), server.cpu_seconds()
    await asyncio.sleep(seconds)
    cpu_s = server.cpu_seconds() - cpu
    return Drain(await reports_done(rows) - done, cpu_s, idle_cpu_s)


def run(
    database_url: str | None = None, reports: int = 400, seconds: float = 20, settle_s: float = 3
) -> Drain:
    with (
        sandbox_process(
            client_secret=CLIENT_SECRET, rate_limit_per_10s=None, search_rate_limit_per_s=None,
            openapi_dir=None,
        ) as sandbox,
        tempfile.TemporaryDirectory() as tmp,
    ):  # fmt: skip
        database_url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        with serving(tmp, database_url, sandbox) as server:
            drain = asyncio.run(measure(server, sandbox, database_url, reports, seconds, settle_s))
            print(drain.line(database_url.split("+")[0], seconds))
            return drain
