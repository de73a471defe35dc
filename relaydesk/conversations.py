"""Domain actions on conversations and messages (visitors: `visitors.py`); one function per verb,
never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from . import events, frames
from .conversation_sql import (
    CONVERSATION_DEFAULTS,
    HANDED_OFF,
    INSERT_CONVERSATION,
    LATEST_AND_SENT_BEFORE,
    LOCK_VISITOR,
    OPEN_STATES,
    append_to_latest,
)
from .db import dialect_of
from .errors import InvalidInput, NotFound
from .frames import Frame, push_on_commit
from .jobs import AiReply, PublishMessage, dump
from .messages import AlreadyAnswered as AlreadyAnswered  # the names callers import from here
from .messages import Effects as Effects
from .messages import Slot as Slot
from .messages import add_message as add_message
from .messages import append_message
from .messages import insert_message as insert_message
from .messages import next_slot as next_slot
from .models import (
    Attachment,
    Conversation,
    ConversationState,
    Message,
    Role,
    Visitor,
    new_id,
    utcnow,
)
from .outbox import enqueue
from .payloads import conversation_payload

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
    return await _new_conversation(session, visitor)


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

    def pushed() -> list[Frame]:
        return [frames.conversation_updated(conversation_payload(conversation))]

    push_on_commit(session, effects.hub, channel, pushed)


class Author(Protocol):
    """The visitor a message is from: a `Visitor`, or what the sending request read of it."""

    @property
    def id(self) -> str: ...
    @property
    def organization_id(self) -> str: ...
    @property
    def name(self) -> str | None: ...


class Answerer(Protocol):
    """Answers a visitor message in the caller's transaction when it can (`assistant/replies`);
    False: it wrote nothing, the `ai.reply` job is to answer. On PostgreSQL it may append the
    message itself (as `append_to_latest`), reading what it needs with it: `read`, or None."""

    async def answer_now(self, session: AsyncSession, message: Message, read: Any) -> bool: ...

    async def append_and_read(
        self, session: AsyncSession, effects: Effects, visitor_id: str, organization_id: str,
        text: str, fields: dict[str, Any],
    ) -> tuple[Any, tuple[Slot, Message] | None, Any] | None: ...  # fmt: skip


async def post_visitor_message(
    session: AsyncSession,
    effects: Effects,
    visitor: Author,
    *,
    client_id: str,
    text: str,
    attachment_ids: Sequence[str] = (),
    locked: bool = False,
    answerer: Answerer | None = None,
) -> tuple[Message, bool]:
    """Store a visitor message once per client id; while the AI leads, its answer by `answerer`
    in this transaction or else a queued job; its delivery to the HubSpot conversation once a
    person has taken over. `locked`: the caller's transaction holds the visitor's row already
    (`web.deps.LOCK_SENDER`)."""
    if not locked:
        await _lock_visitor(session, visitor)
    fields = {"client_id": client_id, "author_name": visitor.name}
    written: tuple[Slot, Message] | None = None
    read: Any = None
    if text.strip() and not attachment_ids and dialect_of(session) == "postgresql":
        org_id = visitor.organization_id
        args = (session, effects, visitor.id, org_id, text, fields)
        both = await answerer.append_and_read(*args) if answerer is not None else None
        latest, written, read = both if both is not None else (*await append_to_latest(*args), None)
    else:
        ids = {"visitor_id": visitor.id, "client_id": client_id}
        latest = await LATEST_AND_SENT_BEFORE.first(session, ids)
    if latest is not None and latest.sent_before is not None:
        return await session.get_one(Message, latest.sent_before), False
    if written is None:
        written = await _append(session, effects, visitor, latest, text, attachment_ids, fields)
    slot, message = written
    await _queue_answer(session, effects, slot.state, message, answerer, read)
    return message, True


async def _append(
    session: AsyncSession,
    effects: Effects,
    visitor: Author,
    latest: Any,
    text: str,
    attachment_ids: Sequence[str],
    fields: dict[str, Any],
) -> tuple[Slot, Message]:
    """The message in the `latest` conversation while it is open, else in a new one."""
    if not text.strip() and not attachment_ids:
        raise InvalidInput("a message needs text or an attachment", code="empty_message")
    attachments = await _visitor_attachments(session, visitor, attachment_ids)
    if latest is not None and latest.state in OPEN_STATES:
        return await append_message(
            session, effects, str(latest.id), Role.VISITOR, text, attachments=attachments, **fields
        )
    slot = await _first_slot(session, visitor)
    message = await insert_message(
        session, effects, slot, Role.VISITOR, text, attachments=attachments, **fields
    )
    return slot, message


async def _queue_answer(
    session: AsyncSession,
    effects: Effects,
    state: ConversationState,
    message: Message,
    answerer: Answerer | None,
    read: Any = None,
) -> None:
    """The AI's answer while the AI leads, the delivery to HubSpot once a person took over."""
    conversation_id = message.conversation_id
    if state == ConversationState.AI:
        if answerer is not None and await answerer.answer_now(session, message, read):
            return
        await enqueue(
            session,
            effects.wakeup,
            events.AI_REPLY,
            dump(AiReply(conversation_id, message.id)),
            ordering_key=conversation_id,
            dedupe_key=f"{events.AI_REPLY}:{message.id}",
            run_here=True,  # answered by this process's worker at once, without a claim
        )
    elif state in HANDED_OFF:
        await enqueue(
            session,
            effects.wakeup,
            events.HUBSPOT_PUBLISH,
            dump(PublishMessage(message.id)),
            ordering_key=conversation_id,
            dedupe_key=f"{events.HUBSPOT_PUBLISH}:{message.id}",
        )


async def _new_conversation(session: AsyncSession, visitor: Author) -> Conversation:
    conversation = Conversation(organization_id=visitor.organization_id, visitor_id=visitor.id)
    session.add(conversation)
    await session.flush()
    return conversation


async def _first_slot(session: AsyncSession, visitor: Author) -> Slot:
    """A new AI conversation of `visitor`, written with its first `seq` taken."""
    now, conversation_id = utcnow(), new_id()
    values = CONVERSATION_DEFAULTS | {
        "id": conversation_id,
        "organization_id": visitor.organization_id,
        "visitor_id": visitor.id,
        "state": ConversationState.AI,
        "custom_data": {},
        "last_seq": 1,
        "read_seq": 0,
        "mailed_seq": 0,
        "created_at": now,
        "updated_at": now,
    }
    await INSERT_CONVERSATION.rows(session, values)
    return Slot(conversation_id, visitor.id, 1, ConversationState.AI)


async def _lock_visitor(session: AsyncSession, visitor: Author) -> None:
    """Serialize a visitor's writes: a row lock on PostgreSQL, the write lock on SQLite.

    Taken first, so the duplicate check and the choice of conversation below see what a
    concurrent request of the same visitor committed.
    """
    now = utcnow()
    await LOCK_VISITOR.rows(session, {"visitor_id": visitor.id, "now": now})
    if isinstance(visitor, Visitor):
        set_committed_value(visitor, "last_seen_at", now)


async def _visitor_attachments(
    session: AsyncSession, visitor: Author, ids: Sequence[str]
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
