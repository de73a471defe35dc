"""`WorkerSettings.kind_limits`: at most so many jobs of a kind run at once in one worker. Rep
replies faster than HubSpot's rate limit queue status reports that wait on it; without a
limit they took every slot, and an AI reply or a handoff waited behind all of them."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import hot_sql
from relaydesk.outbox import Wakeup
from relaydesk.settings import WorkerSettings
from relaydesk.worker import Worker

from .support import wait_for
from .test_outbox import jobs_of, put


async def test_a_kind_at_its_limit_leaves_the_other_slots_to_other_kinds(
    db: async_sessionmaker[AsyncSession],
) -> None:
    tag = uuid.uuid4().hex[:6]
    waiting, urgent = f"test.waiting.{tag}", f"test.urgent.{tag}"
    released = asyncio.Event()
    running: list[int] = []
    most = 0

    async def waits(payload: dict[str, Any]) -> None:  # as a report waits on the rate limit
        nonlocal most
        running.append(payload["n"])
        most = max(most, len(running))
        await released.wait()
        running.remove(payload["n"])

    async def answers(payload: dict[str, Any]) -> None:
        pass

    wakeup = Wakeup()
    limits = {waiting: 2}
    settings = WorkerSettings(concurrency=8, poll_interval_s=0.2, kind_limits=limits)
    worker = Worker(db, wakeup, {waiting: waits, urgent: answers}, settings)
    for n in range(12):  # older than the urgent job: claims take the oldest first
        await put(db, waiting, f"k{n}", n, wakeup=wakeup, run_here=True)
    task = asyncio.create_task(worker.run())
    try:
        await wait_for(lambda: _states(db, waiting, "running", 2))
        assert not worker.has_room(waiting) and worker.has_room(urgent)
        await put(db, urgent, "u", 0, wakeup=wakeup)  # claimed past the ten pending before it
        assert await wait_for(lambda: _states(db, urgent, "done", 1), timeout=5)
        assert (
            sorted(j.state for j in await jobs_of(db, waiting))
            == ["pending"] * 10 + ["running"] * 2
        )
        released.set()  # the rate limit lets them through: the rest run, two at a time
        assert await wait_for(lambda: _states(db, waiting, "done", 12), timeout=10)
    finally:
        worker.stop()
        released.set()
        await task
    assert most == 2


@pytest.mark.parametrize(("limit", "conversations"), [(2, 20), (2, 4), (8, 20)])
async def test_a_backlog_of_a_kind_at_its_limit_is_claimed_half_a_limit_at_a_time(
    db: async_sessionmaker[AsyncSession], limit: int, conversations: int
) -> None:
    """Jobs of a kind at its limit that end free its room, and once half of it is free one
    claim takes that many jobs of the backlog (one per job with a limit of 2, four with 8),
    while the rest still run. A claim of only the other kinds, which would walk the whole
    backlog to find nothing, runs again only once a job of theirs may have come (a commit's
    wake-up): not when an ended job held back the next of its conversation, a job of its own
    kind."""
    tag = uuid.uuid4().hex[:6]
    waiting, urgent = f"test.backlog.{tag}", f"test.other.{tag}"
    started = ended = 0
    permits = asyncio.Semaphore(0)  # one at a time: each job of the backlog ends on its own
    answered = asyncio.Event()

    async def waits(payload: dict[str, Any]) -> None:  # as a report waits on the rate limit
        nonlocal started, ended
        started += 1
        await permits.acquire()
        ended += 1

    async def answers(payload: dict[str, Any]) -> None:
        answered.set()

    wakeup = Wakeup()
    settings = WorkerSettings(concurrency=16, poll_interval_s=30, kind_limits={waiting: limit})
    worker = Worker(db, wakeup, {waiting: waits, urgent: answers}, settings)
    jobs, batch = 20, limit // 2
    for n in range(jobs):
        await put(db, waiting, f"k{n % conversations}", n)
    claims = _Claims(db)
    task = asyncio.create_task(worker.run())
    try:
        for n in range(jobs):  # after n ended, the limit's jobs run less those not yet claimed
            running = min(limit - n % batch, jobs - n)
            await wait_for(lambda n=n, running=running: ended == n and started - n == running)
            if n == jobs // 2:  # while the backlog waits, a job of another kind comes
                await put(db, urgent, "u", 0, wakeup=wakeup)
                await asyncio.wait_for(answered.wait(), 5)
            permits.release()
        await wait_for(lambda: _states(db, waiting, "done", jobs))
    finally:
        worker.stop()
        for _ in range(jobs):
            permits.release()
        await task
        claims.stop()
    # One claim per `batch` jobs, plus the first claim's pass for run-out leases, the first
    # claim of the other kinds, and the one the other kind's commit woke. Claiming the other
    # kinds again after each job took two per job.
    assert len(claims.seen) <= jobs // batch + 4, claims.seen


class _Claims:
    """The claim statements this event loop's worker runs on `db`: the pending claim runs on the
    driver (`hot_sql`), the pass for run-out leases through SQLAlchemy. (The test server's
    worker runs its claims in a thread and loop of its own.)"""

    def __init__(self, db: async_sessionmaker[AsyncSession]) -> None:
        self.seen: list[str] = []
        self.loop = asyncio.get_running_loop()
        self.engine = db.kw["bind"].sync_engine
        hot_sql.listeners.append(self.ran)
        event.listen(self.engine, "before_cursor_execute", self.executed)

    def ran(self, sql: str) -> None:
        if sql.startswith("UPDATE outbox_jobs SET state") and "attempts" in sql:
            with contextlib.suppress(RuntimeError):  # no running loop: not this one's
                if asyncio.get_running_loop() is self.loop:
                    self.seen.append(sql)

    def executed(self, connection: Any, cursor: Any, sql: str, *rest: Any) -> None:
        self.ran(sql)

    def stop(self) -> None:
        hot_sql.listeners.remove(self.ran)
        event.remove(self.engine, "before_cursor_execute", self.executed)


async def _states(
    db: async_sessionmaker[AsyncSession], kind: str, state: str, count: int
) -> bool | None:
    jobs = await jobs_of(db, kind)
    return True if sum(j.state == state for j in jobs) == count else None


def test_a_limit_below_one_is_refused() -> None:
    """A kind limited to no job at all would never run: the setting is refused at start-up."""
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        WorkerSettings(kind_limits={"hubspot.message_status": 0})
