"""Domain actions on conversations and messages (visitors: `visitors.py`); one function per verb,
never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from . import events
from .attachment_urls import AttachmentSigner
from .db import on_commit
from .errors import InvalidInput, NotFound
from .models import Attachment, Conversation, Message, Visitor, utcnow
from .outbox import Wakeup, enqueue
from .payloads import conversation_payload, message_payload
from .realtime import Hub

OPEN_STATES = ("ai", "pending_human", "human")
HANDED_OFF = ("pending_human", "human")


@dataclass(frozen=True)
class Effects:
    """What domain actions need to reach after commit: the real-time hub and the worker."""

    hub: Hub
    wakeup: Wakeup
    attachment_urls: AttachmentSigner  # pushed messages carry their visitor's file URLs


# Conversations -------------------------------------------------------------------------------


async def latest_conversation(session: AsyncSession, visitor: Visitor) -> Conversation | None:
    return await session.scalar(
        select(Conversation)
        .where(Conversation.visitor_id == visitor.id)
        .order_by(Conversation.created_at.desc(), Conversation.id.desc())
        .limit(1)
    )


async def session_conversation(
    session: AsyncSession, visitor: Visitor, reopened_id: str | None
) -> Conversation | None:
    """What a widget session shows: the conversation a reply email's link reopens (when it is
    this visitor's), else the visitor's latest."""
    if reopened_id is not None:
        wanted = await session.get(Conversation, reopened_id)
        if wanted is not None and wanted.visitor_id == visitor.id:
            return wanted
    return await latest_conversation(session, visitor)


async def open_conversation(session: AsyncSession, visitor: Visitor) -> Conversation:
    """The visitor's open conversation, or a fresh AI conversation after the last one closed."""
    latest = await latest_conversation(session, visitor)
    if latest is not None and latest.state in OPEN_STATES:
        return latest
    conversation = Conversation(organization_id=visitor.organization_id, visitor_id=visitor.id)
    session.add(conversation)
    await session.flush()
    return conversation


async def visitor_conversation(
    session: AsyncSession, visitor: Visitor, conversation_id: str
) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.visitor_id != visitor.id:
        raise NotFound("no such conversation")
    return conversation


def announce_state(session: AsyncSession, effects: Effects, conversation: Conversation) -> None:
    """Tell the visitor's widgets about the conversation's new state, after commit."""
    channel = events.visitor_channel(conversation.visitor_id)

    async def push() -> None:
        frame = {
            "type": events.CONVERSATION_UPDATED,
            "conversation": conversation_payload(conversation),
        }
        await effects.hub.publish(channel, frame)

    on_commit(session, push)


# Messages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A `seq` allocated in a conversation; holding it locks the conversation until commit."""

    conversation_id: str
    visitor_id: str
    seq: int
    state: str  # the conversation's state when the slot was taken


async def next_slot(
    session: AsyncSession, conversation_id: str, *, only_in_state: str | None = None
) -> Slot | None:
    """Allocate the conversation's next `seq` (None if it is not in `only_in_state`)."""
    stmt = (
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(last_seq=Conversation.last_seq + 1, updated_at=utcnow())
        .returning(Conversation.last_seq, Conversation.visitor_id, Conversation.state)
    )
    if only_in_state is not None:
        stmt = stmt.where(Conversation.state == only_in_state)
    row = (await session.execute(stmt)).first()
    return Slot(conversation_id, row.visitor_id, row.last_seq, row.state) if row else None


async def add_message(
    session: AsyncSession,
    effects: Effects,
    conversation: Conversation,
    role: str,
    text: str,
    *,
    attachments: Sequence[Attachment] = (),
    **fields: Any,
) -> Message:
    """Append a message with the conversation's next `seq`; push it to the visitor after commit."""
    slot = await next_slot(session, conversation.id)
    assert slot is not None
    return await insert_message(
        session, effects, slot, role, text, attachments=attachments, **fields
    )


async def insert_message(
    session: AsyncSession,
    effects: Effects,
    slot: Slot,
    role: str,
    text: str,
    *,
    attachments: Sequence[Attachment] = (),
    **fields: Any,
) -> Message:
    message = Message(
        conversation_id=slot.conversation_id, seq=slot.seq, role=role, text=text, **fields
    )
    session.add(message)
    await session.flush()
    for attachment in attachments:
        attachment.message_id = message.id
    channel = events.visitor_channel(slot.visitor_id)

    async def push() -> None:
        links = effects.attachment_urls.for_visitor(slot.visitor_id)
        payload = message_payload(message, attachments, links)
        await effects.hub.publish(channel, {"type": events.MESSAGE_CREATED, "message": payload})

    on_commit(session, push)
    return message


async def post_visitor_message(
    session: AsyncSession,
    effects: Effects,
    visitor: Visitor,
    *,
    client_id: str,
    text: str,
    attachment_ids: Sequence[str] = (),
) -> tuple[Message, bool]:
    """Store a visitor message once per client id; queue the AI's answer while the AI leads,
    or its delivery to the HubSpot conversation once a person has taken over."""
    await _lock_visitor(session, visitor)
    existing = await session.scalar(
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.visitor_id == visitor.id, Message.client_id == client_id)
    )
    if existing is not None:
        return existing, False
    if not text.strip() and not attachment_ids:
        raise InvalidInput("a message needs text or an attachment", code="empty_message")
    conversation = await open_conversation(session, visitor)
    attachments = await _visitor_attachments(session, visitor, attachment_ids)
    message = await add_message(
        session,
        effects,
        conversation,
        "visitor",
        text,
        attachments=attachments,
        client_id=client_id,
        author_name=visitor.name,
    )
    if conversation.state == "ai":
        await enqueue(
            session,
            effects.wakeup,
            events.AI_REPLY,
            {"conversation_id": conversation.id, "message_id": message.id},
            ordering_key=conversation.id,
            dedupe_key=f"{events.AI_REPLY}:{message.id}",
        )
    elif conversation.state in HANDED_OFF:
        await enqueue(
            session,
            effects.wakeup,
            events.HUBSPOT_PUBLISH,
            {"message_id": message.id},
            ordering_key=conversation.id,
            dedupe_key=f"{events.HUBSPOT_PUBLISH}:{message.id}",
        )
    return message, True


async def _lock_visitor(session: AsyncSession, visitor: Visitor) -> None:
    """Serialize a visitor's writes: a row lock on PostgreSQL, the write lock on SQLite.

    Taken first, so the duplicate check and the choice of conversation below see what a
    concurrent request of the same visitor committed.
    """
    now = utcnow()
    await session.execute(update(Visitor).where(Visitor.id == visitor.id).values(last_seen_at=now))
    visitor.last_seen_at = now


async def _visitor_attachments(
    session: AsyncSession, visitor: Visitor, ids: Sequence[str]
) -> list[Attachment]:
    if not ids:
        return []
    found = (
        await session.scalars(
            select(Attachment).where(
                Attachment.id.in_(list(ids)),
                Attachment.visitor_id == visitor.id,
                Attachment.message_id.is_(None),
            )
        )
    ).all()
    if len(found) != len(set(ids)):
        raise InvalidInput("unknown or already used attachment", code="invalid_attachment")
    return list(found)


async def messages_after(
    session: AsyncSession, conversation: Conversation, after_seq: int, limit: int = 500
) -> list[Message]:
    rows = await session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.seq > after_seq)
        .order_by(Message.seq)
        .limit(limit)
    )
    return list(rows)


async def attachments_of(
    session: AsyncSession, messages: Sequence[Message]
) -> dict[str, list[Attachment]]:
    if not messages:
        return {}
    rows = await session.scalars(
        select(Attachment)
        .where(Attachment.message_id.in_([m.id for m in messages]))
        .order_by(Attachment.created_at)
    )
    grouped: dict[str, list[Attachment]] = {}
    for attachment in rows:
        grouped.setdefault(attachment.message_id or "", []).append(attachment)
    return grouped
