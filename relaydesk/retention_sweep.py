"""The daily `retention.sweep` job: every organization's conversations past their retention
(`retention.py`) are deleted in batches, each batch in its own transaction with the
`files.delete` job for its files, then visitors with nothing left; one audit entry per
organization counts what went. The worker queues the job once per UTC day (its dedupe key names
the day), however many workers run; running it twice is harmless."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import events
from .audit import record
from .db import commit
from .models import Organization, OutboxJob, utcnow
from .outbox import Wakeup, enqueue
from .purge import purge_conversations, queue_file_removal
from .retention import expired_batch, forget_idle_visitors

DAY_S = 86400.0
BATCH = 200
EXPIRED = "conversations.expired"


def day_key(now_s: float) -> str:
    return f"{events.RETENTION_SWEEP}:{int(now_s // DAY_S)}"


async def next_run(session: AsyncSession, now: datetime) -> datetime:
    """When the sweep runs next: at the start of tomorrow (UTC) once today's was queued, else on
    the worker's next turn."""
    today = day_key(now.timestamp())
    if await session.scalar(select(OutboxJob.id).where(OutboxJob.dedupe_key == today)) is None:
        return now
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)


@dataclass
class Swept:
    conversations: int = 0
    messages: int = 0
    files: int = 0
    job_payloads: int = 0
    visitors: int = 0


class RetentionSweep:
    every_s = DAY_S

    def __init__(self, sessions: async_sessionmaker[AsyncSession], wakeup: Wakeup) -> None:
        self.sessions = sessions
        self.wakeup = wakeup

    async def schedule(self, session: AsyncSession) -> None:
        """Queue today's sweep, unless another worker already did."""
        key = day_key(time.time())
        await enqueue(
            session, self.wakeup, events.RETENTION_SWEEP, {}, ordering_key=key, dedupe_key=key
        )

    async def sweep(self, payload: dict[str, Any]) -> None:
        """The `retention.sweep` job, for every organization that limits retention."""
        now = utcnow()
        async with self.sessions() as session:
            ids = list(
                await session.scalars(
                    select(Organization.id).where(
                        or_(
                            Organization.retention_days.is_not(None),
                            Organization.retention_ai_only_days.is_not(None),
                        )
                    )
                )
            )
        for organization_id in ids:
            await self.sweep_organization(organization_id, now)

    async def sweep_organization(self, organization_id: str, now: datetime) -> Swept:
        swept = Swept()
        while await self._batch(organization_id, now, swept):
            pass
        if swept.conversations or swept.visitors:
            async with self.sessions() as session:
                details = {
                    "conversations": swept.conversations, "messages": swept.messages,
                    "files": swept.files, "job_payloads": swept.job_payloads,
                    "visitors": swept.visitors,
                }  # fmt: skip
                subject = f"{swept.conversations} conversations"
                await record(session, organization_id, "retention", EXPIRED, subject, details)
                await commit(session)
        return swept

    async def _batch(self, organization_id: str, now: datetime, swept: Swept) -> bool:
        """One batch in one transaction; True while a full batch suggests more are waiting."""
        async with self.sessions() as session:
            organization = await session.get(Organization, organization_id)
            if organization is None:
                return False
            batch = await expired_batch(session, organization, now, BATCH)
            purged = await purge_conversations(session, batch)
            visitors = await forget_idle_visitors(session, organization, now, BATCH)
            await queue_file_removal(session, self.wakeup, purged.storage_keys)
            await commit(session)
        swept.conversations += purged.conversations
        swept.messages += purged.messages
        swept.files += len(purged.storage_keys)
        swept.job_payloads += purged.jobs
        swept.visitors += visitors
        return len(batch) == BATCH or visitors == BATCH
