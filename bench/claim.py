"""`python -m bench claim`: what one claim costs the worker under a backlog of pending jobs.

A SQLite database with 18,000 finished jobs and 2,000 pending ones, each of a conversation of its
own (as the SENT reports of 1,000 conversations pile up behind HubSpot's rate limit). One claim
of one job, rolled back, 200 times.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from relaydesk import outbox
from relaydesk.db import create_engine, session_factory
from relaydesk.migrate import upgrade
from relaydesk.models import OutboxJob, utcnow

from .stats import summary_ms

DONE, PENDING, CLAIMS = 18_000, 2_000, 200


async def _claims(url: str) -> list[float]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    now = utcnow()
    rows = [
        {
            "kind": "hubspot.message_status", "payload": {}, "ordering_key": f"status:{n % 1000}",
            "dedupe_key": f"status:{n}", "state": "done" if n < DONE else "pending",
            "run_after": now, "created_at": now, "updated_at": now,
        }
        for n in range(DONE + PENDING)
    ]  # fmt: skip
    async with sessions() as session:
        await session.execute(insert(OutboxJob), rows)
        await session.commit()
    timings = []
    for _ in range(CLAIMS):
        async with sessions() as session:
            started = time.perf_counter()
            [_job] = await outbox.claim(session, limit=1, lease_s=30)
            timings.append(time.perf_counter() - started)
            await session.rollback()
    await engine.dispose()
    return timings


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'claim.db'}"
        upgrade(url)
        timings = asyncio.run(_claims(url))
    print(f"claim under a backlog ({PENDING} pending, {DONE} done, SQLite): {summary_ms(timings)}")


if __name__ == "__main__":
    run()
