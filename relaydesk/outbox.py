"""The transactional outbox: jobs written with the change that caused them, run by the worker.

Jobs of one `ordering_key` (a conversation) run strictly in order: a job is claimable only when
no earlier job of its key is pending, running or failed.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Collection
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from .db import dialect_of, on_commit
from .models import JobState, OutboxJob, utcnow
from .outbox_sql import COMPLETE, PENDING_INSERT, claim_statement, leased_insert, pending_claim


class Runner(Protocol):
    """This process's running worker, as `enqueue` sees it: a job written with `run_here` is
    handed to it after commit, already leased, instead of waiting to be claimed."""

    @property
    def lease_s(self) -> float: ...

    def has_room(self, kind: str) -> bool: ...

    def at_limit(self, kind: str) -> bool: ...

    def adopt(self, job: ClaimedJob) -> None: ...


class Wakeup:
    """Tells this process's worker that a job was just committed (`runner`: the worker, while
    one runs in this process)."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.runner: Runner | None = None

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
    organization_id: str | None = None,
    run_here: bool = False,
) -> None:
    """Add a job in the caller's transaction; a job with the same dedupe key is kept as is.
    `organization_id` shows a job of no conversation on that organization's failed-jobs page.

    `run_here`: when this process's worker has room, the job is written already leased to it
    (unless an earlier job of its ordering key is waiting) and handed to it after commit; no
    claim, no poll. Should this process die first, the lease runs out and any worker claims it.
    """
    now = utcnow()
    values = dict(
        kind=kind,
        payload=payload,
        ordering_key=ordering_key,
        dedupe_key=dedupe_key,
        organization_id=organization_id,
        state=JobState.PENDING,
        run_after=now,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    runner = wakeup.runner
    if run_here and runner is not None and runner.has_room(kind):
        values["until"] = now + timedelta(seconds=runner.lease_s)
        written = await leased_insert(dialect_of(session)).first(session, values)
        if written is not None and written.state == JobState.RUNNING:
            return hand_over(session, runner, ClaimedJob(written.id, kind, payload, 1))
    else:
        await PENDING_INSERT[dialect_of(session)].rows(session, values)
    wake_after_commit(session, wakeup, kind)


def hand_over(session: AsyncSession, runner: Runner, job: ClaimedJob) -> None:
    """A job written leased to this process's worker starts there once the caller commits."""

    async def adopt() -> None:
        runner.adopt(job)

    on_commit(session, adopt)


def wake_after_commit(session: AsyncSession, wakeup: Wakeup, kind: str) -> None:
    """A job written pending: the worker looks for it once the caller commits, unless its kind
    is at its limit (it is claimed as one of them ends)."""
    runner = wakeup.runner
    if runner is None or not runner.at_limit(kind):
        on_commit(session, wakeup.notify)


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


@dataclass
class JobRun:
    """The job a worker's task is running; `completed` once a handler marked it done in its own
    transaction (`complete_current`) and that transaction committed (`followed`: what
    `complete` returned)."""

    job: ClaimedJob
    completed: bool = False
    followed: str | None = None


CURRENT: ContextVar[JobRun | None] = ContextVar("outbox_current_job", default=None)


async def claim(
    session: AsyncSession,
    *,
    limit: int,
    lease_s: float,
    kinds: Collection[str] | None = None,
    running: Collection[int] = (),
    expired: bool = True,
) -> list[ClaimedJob]:
    """Lease up to `limit` runnable jobs, of the given kinds if any (the caller commits): with
    `expired`, first those whose lease ran out, whose process died (never one of the caller's
    `running` ones), then pending ones that are due, each oldest first."""
    shape = None if kinds is None else tuple(sorted(kinds))
    if shape == ():
        return []
    now = utcnow()
    values: dict[str, Any] = {"now": now, "until": now + timedelta(seconds=lease_s)}
    rows: list[Any] = []
    if expired:
        values |= {"limit": limit, "running": list(running)}
        leased = claim_statement(shape, bool(running), True)
        rows += (await session.execute(leased, values)).all()
    if len(rows) < limit:
        values["limit"] = limit - len(rows)
        rows += await pending_claim(shape).rows(session, values)
    return sorted(
        (ClaimedJob(row.id, row.kind, dict(row.payload), row.attempts) for row in rows),
        key=lambda job: job.id,
    )


async def extend_lease(session: AsyncSession, job_id: int, lease_s: float) -> None:
    """A running job's lease, renewed while its handler is still at work."""
    await session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.state == JobState.RUNNING)
        .values(locked_until=utcnow() + timedelta(seconds=lease_s))
    )


async def hand_back(session: AsyncSession, job_id: int) -> None:
    """A running job this process stopped before it ended: pending and due at once, its claim
    not counted as an attempt, so the next worker starts it without waiting out its lease. A
    job that ended meanwhile is left as it is."""
    now = utcnow()
    await session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.state == JobState.RUNNING)
        .values(
            state=JobState.PENDING,
            locked_until=None,
            run_after=now,
            attempts=OutboxJob.attempts - 1,
            updated_at=now,
        )
    )


async def complete(session: AsyncSession, job_id: int) -> str | None:
    """Mark the job done; the kind of the next pending job of its ordering key, if any (this one
    may have been what held it back)."""
    row = await COMPLETE[dialect_of(session)].first(session, {"job_id": job_id, "now": utcnow()})
    return row.followed if row is not None else None


async def complete_current(session: AsyncSession) -> None:
    """Mark the job this task runs done in the caller's transaction, with the work it did: the
    worker then writes no transaction of its own for it. Outside a job, nothing."""
    run = CURRENT.get()
    if run is None:
        return
    followed = await complete(session, run.job.id)

    async def done() -> None:
        run.completed, run.followed = True, followed

    on_commit(session, done)


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
        values: dict[str, Any] = dict(state=JobState.FAILED, locked_until=None)
    else:
        delay = (
            retry_after_s if retry_after_s is not None else backoff_s(job.attempts, max_backoff_s)
        )
        values = dict(
            state=JobState.PENDING, locked_until=None, run_after=now + timedelta(seconds=delay)
        )
    await session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job.id)
        .values(last_error=error[:2000], updated_at=now, **values)
    )


def backoff_s(attempts: int, cap_s: float = 300.0) -> float:
    return float(min(cap_s, 0.5 * 2 ** (attempts - 1)) * random.uniform(0.5, 1.0))


async def retry_failed(session: AsyncSession, job_ids: list[int] | None = None) -> int:
    """Put failed jobs back in the queue (all of them, or the given ids)."""
    stmt = update(OutboxJob).where(OutboxJob.state == JobState.FAILED)
    if job_ids is not None:
        stmt = stmt.where(OutboxJob.id.in_(job_ids))
    result = await session.execute(
        stmt.values(state=JobState.PENDING, attempts=0, run_after=utcnow(), updated_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def enqueue_recurring(session: AsyncSession, wakeup: Wakeup, kind: str) -> None:
    """A recurring job (a scan) as one row, keyed by its kind: written the first time, put back
    in line once it ended (done, or failed: the next interval tries again); while pending or
    running it is left as it is. Frequent scans so leave no trail of rows, and however many
    workers queue it, one runs at a time."""
    await enqueue(session, wakeup, kind, {}, ordering_key=kind, dedupe_key=kind)
    now = utcnow()
    await session.execute(
        update(OutboxJob)
        .where(OutboxJob.dedupe_key == kind, OutboxJob.state.in_((JobState.DONE, JobState.FAILED)))
        .values(state=JobState.PENDING, run_after=now, attempts=0, updated_at=now)
    )
