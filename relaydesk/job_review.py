"""Failed background jobs as an organization's admins see them, and putting them back in line.

A job belongs to an organization when its `ordering_key` is one of the organization's
conversations, or when it names the organization itself (a mail); other jobs of no conversation
are not shown in any organization's console.
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .db import on_commit
from .errors import NotFound
from .models import Conversation, JobState, OutboxJob
from .outbox import Wakeup, retry_failed

MAX_SHOWN = 200


def _of_organization(organization_id: str) -> Select[OutboxJob]:
    of_conversation = select(Conversation.id).where(Conversation.organization_id == organization_id)
    return select(OutboxJob).where(
        OutboxJob.state == JobState.FAILED,
        or_(
            OutboxJob.organization_id == organization_id,
            OutboxJob.ordering_key.in_(of_conversation),
        ),
    )


async def failed_jobs(session: AsyncSession, organization_id: str) -> list[OutboxJob]:
    query = _of_organization(organization_id).order_by(OutboxJob.id.desc()).limit(MAX_SHOWN)
    return list(await session.scalars(query))


async def retry_job(
    session: AsyncSession, wakeup: Wakeup, organization_id: str, job_id: int
) -> None:
    job = await session.scalar(_of_organization(organization_id).where(OutboxJob.id == job_id))
    if job is None:
        raise NotFound("no such failed job")
    await retry_failed(session, [job.id])
    on_commit(session, wakeup.notify)


async def retry_all(session: AsyncSession, wakeup: Wakeup, organization_id: str) -> int:
    ids = [job.id for job in await failed_jobs(session, organization_id)]
    on_commit(session, wakeup.notify)
    return await retry_failed(session, ids) if ids else 0
