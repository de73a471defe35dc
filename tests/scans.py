"""Waiting on the worker's recurring scans (one outbox row per kind, put back in line after
each run): what a test needs before it may say "nothing was sent"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.models import OutboxJob

from .support import wait_for


async def scan_ran_after(
    sessions: async_sessionmaker[AsyncSession], kind: str, moment: datetime, timeout: float = 20
) -> None:
    """Wait until a run of the scan `kind` queued after `moment` has finished: the row is done
    with a later `run_after`, or was queued again after such a run."""
    started: list[datetime] = []

    async def finished() -> bool:
        async with sessions() as session:
            row = (
                await session.execute(
                    select(OutboxJob.state, OutboxJob.run_after).where(OutboxJob.dedupe_key == kind)
                )
            ).first()
        if row is None or row.run_after <= moment:
            return False
        if row.state == "done":
            return True
        if started and row.run_after > started[0]:
            return True  # queued again: the run queued at started[0] ended
        if not started:
            started.append(row.run_after)
        return False

    await wait_for(finished, timeout)
