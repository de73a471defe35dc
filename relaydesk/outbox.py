"""The transactional outbox: jobs written with the change that caused them, run by the worker.

Jobs of one `ordering_key` (a conversation) run strictly in order: a job is claimable only when
no earlier job of its key is pending, running or failed.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from .db import dialect_of, insert_or_skip, on_commit
from .models import OutboxJob, utcnow


class Wakeup:
    """Tells this process's worker that a job was just committed."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    async def notify(self) -> None:
        self.event.set()


async def enqueue(
    session: AsyncSession,
    wakeup: Wakeup,
    kind: str,
    payload: dict[str, Any],
    *,
    ordering_key: str,
    dedupe_key: str,
) -> None:
    """Add a job in the caller's transaction; a job with the same dedupe key is kept as is."""
    now = utcnow()
    values = dict(
        kind=kind,
        payload=payload,
        ordering_key=ordering_key,
        dedupe_key=dedupe_key,
        state="pending",
        run_after=now,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    await session.execute(
        insert_or_skip(dialect_of(session), OutboxJob.__table__, "dedupe_key"), values
    )
    on_commit(session, wakeup.notify)


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


async def claim(
    session: AsyncSession,
    *,
    limit: int,
    lease_s: float,
    kinds: Collection[str] | None = None,
    running: Collection[int] = (),
) -> list[ClaimedJob]:
    """Lease up to `limit` runnable jobs, of the given kinds if any, never one of the caller's
    `running` ones (the caller commits)."""
    now = utcnow()
    earlier = aliased(OutboxJob)
    blocked = exists().where(
        and_(
            earlier.ordering_key == OutboxJob.ordering_key,
            earlier.id < OutboxJob.id,
            earlier.state.in_(("pending", "running", "failed")),
        )
    )
    runnable = or_(
        and_(OutboxJob.state == "pending", OutboxJob.run_after <= now),
        and_(OutboxJob.state == "running", OutboxJob.locked_until < now),
    )
    if kinds is not None:
        runnable = and_(runnable, OutboxJob.kind.in_(list(kinds)))
    if running:
        runnable = and_(runnable, OutboxJob.id.not_in(list(running)))
    query = (
        select(OutboxJob)
        .where(runnable, ~blocked)
        .order_by(OutboxJob.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxJob)
    )
    jobs = (await session.scalars(query)).all()
    for job in jobs:
        job.state = "running"
        job.locked_until = now + timedelta(seconds=lease_s)
        job.attempts += 1
        job.updated_at = now
    return [ClaimedJob(j.id, j.kind, dict(j.payload), j.attempts) for j in jobs]


async def extend_lease(session: AsyncSession, job_id: int, lease_s: float) -> None:
    """A running job's lease, renewed while its handler is still at work."""
    await session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.state == "running")
        .values(locked_until=utcnow() + timedelta(seconds=lease_s))
    )


async def complete(session: AsyncSession, job_id: int) -> None:
    await session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id)
        .values(state="done", locked_until=None, last_error=None, updated_at=utcnow())
    )


async def fail(
    session: AsyncSession,
    job: ClaimedJob,
    error: str,
    *,
    max_attempts: int,
    max_backoff_s: float = 300.0,
    retry_after_s: float | None = None,
) -> None:
    """Record the error; retry later with jittered backoff, or park the job as failed."""
    now = utcnow()
    if job.attempts >= max_attempts:
        values: dict[str, Any] = dict(state="failed", locked_until=None)
    else:
        delay = (
            retry_after_s if retry_after_s is not None else backoff_s(job.attempts, max_backoff_s)
        )
        values = dict(state="pending", locked_until=None, run_after=now + timedelta(seconds=delay))
    await session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job.id)
        .values(last_error=error[:2000], updated_at=now, **values)
    )


def backoff_s(attempts: int, cap_s: float = 300.0) -> float:
    return float(min(cap_s, 0.5 * 2 ** (attempts - 1)) * random.uniform(0.5, 1.0))


async def retry_failed(session: AsyncSession, job_ids: list[int] | None = None) -> int:
    """Put failed jobs back in the queue (all of them, or the given ids)."""
    stmt = update(OutboxJob).where(OutboxJob.state == "failed")
    if job_ids is not None:
        stmt = stmt.where(OutboxJob.id.in_(job_ids))
    result = await session.execute(
        stmt.values(state="pending", attempts=0, run_after=utcnow(), updated_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def next_run_at(session: AsyncSession) -> datetime | None:
    query = select(OutboxJob.run_after).where(OutboxJob.state == "pending")
    return await session.scalar(query.order_by(OutboxJob.run_after).limit(1))
