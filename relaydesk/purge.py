"""Deleting whole conversations for good: their messages, files, handoff records, HubSpot sync
steps, the webhook deliveries that carried them and the outbox jobs about them. Erasure and
retention both end here; the caller commits and then lets the files go (`queue_file_removal`
writes the durable job that does it, in the same transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from . import events
from .jobs import FilesDelete, dump
from .models import (
    Attachment,
    Conversation,
    Handoff,
    HubSpotSyncStep,
    Message,
    OutboxJob,
    WebhookDelivery,
    new_id,
)
from .outbox import Wakeup, enqueue


@dataclass
class Purged:
    conversations: int = 0
    messages: int = 0
    jobs: int = 0
    storage_keys: list[str] = field(default_factory=list)  # files to remove after commit


async def purge_conversations(
    session: AsyncSession,
    conversations: Sequence[Conversation],
    *,
    visitor_id: str | None = None,
    tokens: Sequence[str] = (),
) -> Purged:
    """Delete the conversations and all that hangs on them; with `visitor_id` (an erasure),
    that visitor's own uploads too, and every job or delivery whose payload names the visitor,
    one of `tokens` (their email, say) or any of the conversations."""
    ids = [c.id for c in conversations]
    purged = Purged(conversations=len(ids))
    purged.storage_keys = await _delete_attachments(session, visitor_id, ids)
    # HubSpot speaks only of conversations that reached it (a retention batch searches those
    # alone; an erasure searches for all of them).
    synced = [c for c in conversations if visitor_id or c.hubspot_thread_id]
    threads = [c.hubspot_thread_id for c in synced if c.hubspot_thread_id]
    deliveries = await _delete_deliveries(session, [c.id for c in synced] + threads)
    named = [*tokens, visitor_id, *ids] if visitor_id else []
    purged.jobs = await _delete_jobs(session, ids, [*named, *deliveries])
    for table in (Handoff, HubSpotSyncStep):
        await session.execute(delete(table).where(table.conversation_id.in_(ids)))
    messages = await session.execute(delete(Message).where(Message.conversation_id.in_(ids)))
    purged.messages = int(messages.rowcount)  # type: ignore[attr-defined]
    await session.execute(delete(Conversation).where(Conversation.id.in_(ids)))
    return purged


async def queue_file_removal(session: AsyncSession, wakeup: Wakeup, keys: list[str]) -> None:
    """The durable half of removing files whose rows this transaction deletes."""
    if keys:
        key = f"{events.FILES_DELETE}:{new_id()}"
        await enqueue(
            session,
            wakeup,
            events.FILES_DELETE,
            dump(FilesDelete(keys)),
            ordering_key=key,
            dedupe_key=key,
        )


async def _delete_attachments(
    session: AsyncSession, visitor_id: str | None, conversation_ids: list[str]
) -> list[str]:
    """Every file of the conversations (reps' too) and the visitor's own uploads."""
    in_conversations = select(Message.id).where(Message.conversation_id.in_(conversation_ids))
    whose: ColumnElement[bool] = Attachment.message_id.in_(in_conversations)
    if visitor_id is not None:
        whose = or_(whose, Attachment.visitor_id == visitor_id)
    deleted = await session.execute(
        delete(Attachment).where(whose).returning(Attachment.storage_key)
    )
    return list(deleted.scalars())


def _mentions(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], tokens: Sequence[str]
) -> ColumnElement[bool]:
    """Rows whose JSON mentions one of the ids (an event names our conversation id as its
    integration thread id, HubSpot's thread id as its object)."""
    text = cast(column, Text)
    return or_(*(text.contains(token, autoescape=True) for token in tokens))


async def _delete_deliveries(session: AsyncSession, tokens: list[str]) -> list[str]:
    """HubSpot's webhook deliveries about these conversations: they carry the reps' words."""
    if not tokens:
        return []
    deleted = await session.execute(
        delete(WebhookDelivery)
        .where(_mentions(WebhookDelivery.payload, tokens))
        .returning(WebhookDelivery.id)
    )
    return list(deleted.scalars())


async def _delete_jobs(
    session: AsyncSession, conversation_ids: list[str], tokens: list[str]
) -> int:
    """Every outbox job of these conversations (their ordering keys) or naming one of the
    tokens, whatever its state."""
    keys = conversation_ids + [f"hubspot:status:{c}" for c in conversation_ids]
    whose: ColumnElement[bool] = OutboxJob.ordering_key.in_(keys)
    if tokens:
        whose = or_(whose, _mentions(OutboxJob.payload, tokens))
    deleted = await session.execute(delete(OutboxJob).where(whose).returning(OutboxJob.id))
    return len(list(deleted.scalars()))
