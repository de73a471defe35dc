"""`WorkerSettings.kind_limits`: at most so many jobs of a kind run at once in one worker. Rep
replies faster than HubSpot's rate limit queue status reports that wait on it; without a
limit they took every slot, and an AI reply or a handoff waited behind all of them."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


async def _states(
    db: async_sessionmaker[AsyncSession], kind: str, state: str, count: int
) -> bool | None:
    jobs = await jobs_of(db, kind)
    return True if sum(j.state == state for j in jobs) == count else None


def test_a_limit_below_one_is_refused() -> None:
    """A kind limited to no job at all would never run: the setting is refused at start-up."""
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        WorkerSettings(kind_limits={"hubspot.message_status": 0})
