"""A worker that stops: running jobs get a grace period, then are handed back, on both
databases. A process must not wait minutes for its exit behind HubSpot's rate limit."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import outbox
from relaydesk.db import commit
from relaydesk.models import JobState, OutboxJob, utcnow
from relaydesk.outbox import Wakeup
from relaydesk.settings import WorkerSettings
from relaydesk.worker import Handler, Worker


async def queued(sessions: async_sessionmaker[AsyncSession], kind: str) -> None:
    async with sessions() as session:
        await outbox.enqueue(session, Wakeup(), kind, {}, ordering_key=kind, dedupe_key=kind)
        await commit(session)


async def job_of(sessions: async_sessionmaker[AsyncSession], kind: str) -> OutboxJob:
    async with sessions() as session:
        return (await session.scalars(select(OutboxJob).where(OutboxJob.kind == kind))).one()


def worker(
    sessions: async_sessionmaker[AsyncSession], kind: str, handler: Handler, grace_s: float
) -> Worker:
    settings = WorkerSettings(poll_interval_s=30, lease_s=30, stop_grace_s=grace_s)
    return Worker(sessions, Wakeup(), {kind: handler}, settings)


async def test_a_job_still_running_when_the_grace_ends_is_handed_back_for_the_next_worker(
    db: async_sessionmaker[AsyncSession],
) -> None:
    kind = f"test.stop.{uuid.uuid4().hex[:6]}"
    started = asyncio.Event()

    async def waits_on_the_rate_limit(payload: dict[str, Any]) -> None:
        started.set()
        await asyncio.Event().wait()  # never given a token

    first = worker(db, kind, waits_on_the_rate_limit, grace_s=0.2)
    await queued(db, kind)
    running = asyncio.create_task(first.run())
    await asyncio.wait_for(started.wait(), 5)
    first.stop()
    await asyncio.wait_for(running, 5)  # not held behind the job

    job = await job_of(db, kind)
    assert (job.state, job.locked_until, job.attempts) == (JobState.PENDING, None, 0)
    assert job.run_after <= utcnow()  # due at once, not after its lease

    ran = asyncio.Event()

    async def runs(payload: dict[str, Any]) -> None:
        ran.set()

    second = worker(db, kind, runs, grace_s=10)
    running = asyncio.create_task(second.run())
    await asyncio.wait_for(ran.wait(), 5)  # its first claim, not the 30 s poll
    second.stop()
    await running
    job = await job_of(db, kind)
    assert (job.state, job.attempts) == (JobState.DONE, 1)


async def test_a_job_that_ends_within_the_grace_is_completed_not_handed_back(
    db: async_sessionmaker[AsyncSession],
) -> None:
    kind = f"test.stop.{uuid.uuid4().hex[:6]}"
    started, ended = asyncio.Event(), asyncio.Event()

    async def slow(payload: dict[str, Any]) -> None:
        started.set()
        await asyncio.sleep(0.3)
        ended.set()

    only = worker(db, kind, slow, grace_s=10)
    await queued(db, kind)
    running = asyncio.create_task(only.run())
    await asyncio.wait_for(started.wait(), 5)
    only.stop()
    await asyncio.wait_for(running, 5)
    assert ended.is_set()
    job = await job_of(db, kind)
    assert (job.state, job.attempts) == (JobState.DONE, 1)
