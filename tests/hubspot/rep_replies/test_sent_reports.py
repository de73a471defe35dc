"""HubSpot hears SENT for a reply written while the visitor's widget is connected: from the
process that received the reply, which writes the report's job leased to itself and runs it at
once (no claim), or, should that process die first, from any worker once the lease ran out."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import websockets
from sqlalchemy import select, update

from relaydesk.db import commit
from relaydesk.hubspot.api.errors import ReconnectRequired
from relaydesk.hubspot.connect.connections import clear_tokens
from relaydesk.hubspot.connect.portal_clients import PortalClients
from relaydesk.hubspot.inbound.delivery_status import READ, SENT, StatusJob, dedupe_key, report
from relaydesk.jobs import MessageStatus, dump
from relaydesk.models import HubSpotConnection, Message, OutboxJob, utcnow
from relaydesk.outbox import Wakeup
from relaydesk.vault import Vault

from ...support import SECRET, DiedRunner, wait_for
from .test_rep_replies import next_frame
from .test_webhook_fixtures import as_ours
from .world import World, settled


async def sent_job(world: World, message_id: str) -> OutboxJob | None:
    async with world.rows() as session:
        query = select(OutboxJob).where(OutboxJob.dedupe_key == dedupe_key(SENT, message_id))
        return await session.scalar(query)


async def test_the_receiving_process_reports_sent_without_claiming_the_job(world: World) -> None:
    """The job is running, leased, its first attempt, the moment HubSpot has its 2xx, and was
    never touched by a claim (a claim stamps `updated_at`); HubSpot answers slowly here, so
    the report is still on its way then."""
    await world.control("POST", "/_sandbox/faults", json={"latency_ms": 1500})
    try:
        url = f"{world.pair.server.ws_url}/api/widget/v1/ws?token={world.visitor.token}"
        async with websockets.connect(url) as ws:
            await next_frame(ws, "hello")
            payload = as_ours(world, "OUTGOING_CHANNEL_MESSAGE_CREATED__single")
            answer = await world.post_signed(world.channel_url, payload)
            assert answer.status_code == 200
            frame = await next_frame(ws, "message.created")
            job = await sent_job(world, frame["message"]["id"])
            assert job is not None and (job.state, job.attempts) == ("running", 1)
            assert job.locked_until is not None and job.updated_at == job.created_at
            reports = await wait_for(lambda: world.status_reports(payload["message"]["id"]))
    finally:
        await world.control("POST", "/_sandbox/faults", json={"latency_ms": 0})
    assert reports == ["SENT"]
    done = await wait_for(lambda: _done(world, frame["message"]["id"]))
    assert done.attempts == 1


async def _done(world: World, message_id: str) -> OutboxJob | None:
    job = await sent_job(world, message_id)
    return job if job is not None and job.state == "done" else None


async def test_a_sent_report_left_by_a_process_that_died_is_made_by_a_worker(
    world: World,
) -> None:
    """The receiving process wrote the report leased to itself and died before running it:
    once the lease ran out, the server's worker claims it and HubSpot hears SENT."""
    reply = await world.reply("Still there?")
    await settled(world, 1, external_id=f"channel:message:{reply['id']}")
    async with world.rows() as session:
        message = await session.scalar(
            select(Message).where(Message.hubspot_message_id == reply["id"])
        )
        assert message is not None
    assert await sent_job(world, message.id) is None  # the visitor is offline: none queued
    async with world.rows() as session:
        wakeup = Wakeup()
        wakeup.runner = DiedRunner(lease_s=0.5)
        await report(session, wakeup, message, SENT, world.org.id, run_here=True)
        await commit(session)
    job = await sent_job(world, message.id)
    assert job is not None and (job.state, job.attempts) == ("running", 1)
    assert await wait_for(lambda: world.status_reports(reply["id"])) == ["SENT"]
    done = await wait_for(lambda: _done(world, message.id))
    assert done.attempts == 2  # leased here first, then claimed by the server's worker


def status_job(world: World) -> StatusJob:
    """The status job as the server's worker runs it, in this process."""
    assert world.pair.hubspot is not None
    return StatusJob(world.rows, PortalClients(world.pair.hubspot, world.rows, Vault(SECRET)))


async def token_calls(world: World) -> int:
    requests = (await world.control("GET", "/_sandbox/requests"))["requests"]
    return sum(r["path"].startswith("/oauth/") and r["path"].endswith("/token") for r in requests)


async def expire_the_grant(world: World) -> None:
    async with world.rows() as session:
        await session.execute(
            update(HubSpotConnection)
            .where(HubSpotConnection.id == world.connection_id)
            .values(token_expires_at=utcnow() - timedelta(minutes=1))
        )
        await commit(session)


async def test_reports_at_once_with_an_expired_grant_refresh_it_once(world: World) -> None:
    """The reports of one organization share its client: the first refreshes the grant, the
    others wait for it rather than each asking HubSpot for a token of its own."""
    replies = [await world.reply(f"Reply {n}") for n in range(4)]
    for reply in replies:  # the server is done with them (it calls HubSpot with the grant too)
        await settled(world, 1, external_id=f"channel:message:{reply['id']}")
    await expire_the_grant(world)
    job, before = status_job(world), await token_calls(world)
    await asyncio.gather(
        *(job(dump(MessageStatus(SENT, None, world.org.id, r["id"]))) for r in replies)
    )
    assert await token_calls(world) == before + 1
    assert [await world.status_reports(r["id"]) for r in replies] == [["SENT"]] * 4


async def test_a_report_after_a_disconnect_is_not_sent_with_the_old_tokens(world: World) -> None:
    reply = await world.reply("Before the disconnect")
    job = status_job(world)
    await job(dump(MessageStatus(SENT, None, world.org.id, reply["id"])))
    async with world.rows() as session:
        connection = await session.get(HubSpotConnection, world.connection_id)
        assert connection is not None
        clear_tokens(connection)
        await commit(session)
    with pytest.raises(ReconnectRequired):
        await job(dump(MessageStatus(READ, None, world.org.id, reply["id"])))
    assert await world.status_reports(reply["id"]) == ["SENT"]
