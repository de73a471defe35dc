"""How long each organization keeps its conversations, and the daily job that deletes the rest.

An organization keeps conversations `retention_days` after their last message, and those the AI
handled alone (no handoff) `retention_ai_only_days`, a shorter time; unset keeps them. Files,
handoff records, webhook deliveries and job payloads go with their conversation (`purge.py`).
Never deleted: a conversation a person has (`pending_human`, `human`: open until closed), and one
still syncing with HubSpot (an outbox job of it pending, running or failed). An AI conversation
nobody wrote in for the whole period counts as ended: nothing closes an abandoned chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, false, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import InvalidInput
from .models import (
    Attachment,
    Conversation,
    ConversationState,
    Handoff,
    JobState,
    Message,
    Organization,
    OutboxJob,
    Visitor,
)

MAX_DAYS = 36500
WITH_A_PERSON = (ConversationState.PENDING_HUMAN, ConversationState.HUMAN)
SYNCING = (JobState.PENDING, JobState.RUNNING, JobState.FAILED)


def set_retention(organization: Organization, days: int | None, ai_only_days: int | None) -> None:
    """Keep conversations `days` after their last message, AI-only ones `ai_only_days`
    (None: keep them); the AI-only time may not be the longer one."""
    for value in (days, ai_only_days):
        if value is not None and not 1 <= value <= MAX_DAYS:
            raise InvalidInput(f"keep conversations between 1 and {MAX_DAYS} days, or forever")
    if days is not None and ai_only_days is not None and ai_only_days > days:
        raise InvalidInput("AI-only conversations cannot be kept longer than the others")
    organization.retention_days = days
    organization.retention_ai_only_days = ai_only_days


def expired(organization: Organization, now: datetime) -> ColumnElement[bool]:
    """Conversations of the organization past their time, ended, and done syncing."""
    days, ai_days = (
        organization.retention_days,
        organization.retention_ai_only_days or (organization.retention_days),
    )
    handed_off = exists().where(Handoff.conversation_id == Conversation.id)
    past = [
        and_(~handed_off, Conversation.updated_at < now - timedelta(days=ai_days))
        if ai_days is not None
        else false(),
        and_(handed_off, Conversation.updated_at < now - timedelta(days=days))
        if days is not None
        else false(),
    ]
    status_key = literal("hubspot:status:").concat(Conversation.id)
    syncing = exists().where(
        OutboxJob.ordering_key.in_([Conversation.id, status_key]), OutboxJob.state.in_(SYNCING)
    )
    return and_(
        Conversation.organization_id == organization.id,
        Conversation.state.not_in(WITH_A_PERSON),
        or_(*past),
        ~syncing,
    )


async def expired_batch(
    session: AsyncSession, organization: Organization, now: datetime, limit: int
) -> list[Conversation]:
    query = select(Conversation).where(expired(organization, now)).limit(limit)
    return list(await session.scalars(query.with_for_update(skip_locked=True)))


async def forget_idle_visitors(
    session: AsyncSession, organization: Organization, now: datetime, limit: int
) -> int:
    """Visitors with nothing left (no conversation, no upload) who have not been seen for the
    longest time the organization keeps anything: their name and email go too."""
    kept = [d for d in (organization.retention_days, organization.retention_ai_only_days) if d]
    if not kept:
        return 0
    chosen = (
        select(Visitor.id)
        .where(
            Visitor.organization_id == organization.id,
            Visitor.last_seen_at < now - timedelta(days=max(kept)),
            ~exists().where(Conversation.visitor_id == Visitor.id),
            ~exists().where(Attachment.visitor_id == Visitor.id),
        )
        .limit(limit)
    )
    deleted = await session.execute(
        delete(Visitor).where(Visitor.id.in_(chosen.scalar_subquery())).returning(Visitor.id)
    )
    return len(list(deleted.scalars()))


@dataclass(frozen=True)
class Preview:
    """What a run at a given time would delete."""

    conversations: int
    ai_only: int
    files: int


async def preview(session: AsyncSession, organization: Organization, now: datetime) -> Preview:
    ids = select(Conversation.id).where(expired(organization, now))
    handed_off = select(Handoff.conversation_id).where(Handoff.conversation_id.in_(ids))
    count = func.count()
    total = await session.scalar(select(count).where(Conversation.id.in_(ids)))
    with_person = await session.scalar(select(count).select_from(handed_off.subquery()))
    files = await session.scalar(
        select(count)
        .select_from(Attachment)
        .join(Message, Message.id == Attachment.message_id)
        .where(Message.conversation_id.in_(ids))
    )
    total = int(total or 0)
    return Preview(total, total - int(with_person or 0), int(files or 0))
