"""Appending messages to a conversation: the next `seq` under the conversation's lock, the row,
and the push to the visitor's widgets after commit. Domain functions; they never commit.

The statements are built once (building one costs more than running it) and run as Core
statements with bound values: no ORM bookkeeping for a row nobody reads back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CTE, Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import configure_mappers

from . import events, frames
from .attachment_urls import AttachmentSigner
from .db import conflict_target, dialect_of, hot_insert_or_skip
from .frames import Frame, push_on_commit
from .hot_sql import Hot
from .models import Attachment, Conversation, ConversationState, Message, Role, new_id, utcnow
from .outbox import Wakeup
from .payloads import written_message_payload
from .realtime import Hub

CONVERSATIONS = cast(Table, Conversation.__table__)
MESSAGES = cast(Table, Message.__table__)
_TAKE_SLOT = (
    update(CONVERSATIONS)
    .where(CONVERSATIONS.c.id == bindparam("conversation_id"))
    .values(last_seq=CONVERSATIONS.c.last_seq + 1, updated_at=bindparam("now"))
    .returning(CONVERSATIONS.c.last_seq, CONVERSATIONS.c.visitor_id, CONVERSATIONS.c.state)
)
TAKE_SLOT = Hot(_TAKE_SLOT)
TAKE_SLOT_IN_STATE = Hot(_TAKE_SLOT.where(CONVERSATIONS.c.state == bindparam("state")))
# Every column given: `Hot` runs no column defaults.
INSERT_MESSAGE = Hot(insert(MESSAGES).values({c.name: bindparam(c.name) for c in MESSAGES.c}))
INSERT_ANSWER = hot_insert_or_skip(MESSAGES, "reply_to_id", returning=MESSAGES.c.id)


def written_after(slot: CTE, *, unless_exists: str | None = None) -> CTE:
    """PostgreSQL: the message's insert as a data-modifying WITH, in the conversation and at the
    `seq` that `slot` (an `UPDATE … RETURNING id, last_seq` WITH) took. It runs to completion
    whether or not the statement reads it: the slot and the message are one round trip.
    `unless_exists`: a unique column whose value taken skips the insert; the WITH returns the
    `id` of a message written."""
    taken = {"conversation_id": slot.c.id, "seq": slot.c.last_seq}
    values = select(*(taken.get(c.name, bindparam(c.name, type_=c.type)) for c in MESSAGES.c))
    if unless_exists is None:
        return insert(MESSAGES).from_select(list(MESSAGES.c.keys()), values).cte("written")
    written = pg_insert(MESSAGES).from_select(list(MESSAGES.c.keys()), values)
    skipped = written.on_conflict_do_nothing(
        **conflict_target("postgresql", MESSAGES, unless_exists)
    )
    return skipped.returning(MESSAGES.c.id).cte("written")


_SLOT = _TAKE_SLOT.returning(CONVERSATIONS.c.id).cte("slot")
APPEND_MESSAGE = Hot(select(_SLOT).add_cte(written_after(_SLOT)))
# The same, writing nothing while the conversation is in the state `not_in`.
_SLOT_OUTSIDE = (
    _TAKE_SLOT.where(CONVERSATIONS.c.state != bindparam("not_in"))
    .returning(CONVERSATIONS.c.id)
    .cte("slot")
)
APPEND_OUTSIDE_STATE = Hot(select(_SLOT_OUTSIDE).add_cte(written_after(_SLOT_OUTSIDE)))


@dataclass(frozen=True)
class Effects:
    """What domain actions need to reach after commit: the real-time hub and the worker."""

    hub: Hub
    wakeup: Wakeup
    attachment_urls: AttachmentSigner  # pushed messages carry their visitor's file URLs


class AlreadyAnswered(Exception):
    """A message that answers `reply_to_id` exists: a concurrent run of the job wrote it."""


@dataclass(frozen=True)
class Slot:
    """A `seq` allocated in a conversation; holding it locks the conversation until commit."""

    conversation_id: str
    visitor_id: str
    seq: int
    state: ConversationState  # the conversation's state when the slot was taken


async def next_slot(
    session: AsyncSession, conversation_id: str, *, only_in_state: str | None = None
) -> Slot | None:
    """Allocate the conversation's next `seq` (None if it is not in `only_in_state`)."""
    values = {"conversation_id": conversation_id, "now": utcnow()}
    if only_in_state is None:
        row = await TAKE_SLOT.first(session, values)
    else:
        row = await TAKE_SLOT_IN_STATE.first(session, values | {"state": only_in_state})
    return Slot(conversation_id, row.visitor_id, row.last_seq, row.state) if row else None


async def add_message(
    session: AsyncSession,
    effects: Effects,
    conversation: Conversation,
    role: Role,
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


# Every nullable column starts empty; the others are given by `insert_message`.
MESSAGE_DEFAULTS: dict[str, Any] = {c.name: None for c in MESSAGES.c if c.nullable}
MESSAGE_COLUMNS = frozenset(c.name for c in MESSAGES.c)


def unsaved_message(values: dict[str, Any]) -> Message:
    """A `Message` holding every column's value as a loaded row holds them: the constructor's
    attribute events record changes for a flush that never comes (the row is written by a Core
    insert), and cost as much as a statement."""
    if unknown := values.keys() - MESSAGE_COLUMNS:
        raise TypeError(f"{', '.join(sorted(unknown))} is not a column of messages")
    if not Message.__mapper__.configured:  # as the constructor's first call would
        configure_mappers()
    message: Message = Message.__mapper__.class_manager.new_instance()
    message.__dict__.update(values)
    return message


async def append_message(
    session: AsyncSession,
    effects: Effects,
    conversation_id: str,
    role: Role,
    text: str,
    *,
    attachments: Sequence[Attachment] = (),
    **fields: Any,
) -> tuple[Slot, Message]:
    """`add_message` for a conversation known by its id, with the slot it took; on PostgreSQL
    in one statement. Not for answers (`reply_to_id`)."""
    if dialect_of(session) != "postgresql":
        slot = await next_slot(session, conversation_id)
        assert slot is not None
        message = await insert_message(
            session, effects, slot, role, text, attachments=attachments, **fields
        )
        return slot, message
    written = await _appended_by(
        APPEND_MESSAGE, session, effects, conversation_id, role, text, attachments, fields
    )
    assert written is not None
    return written


async def append_outside_state(
    session: AsyncSession,
    effects: Effects,
    conversation_id: str,
    not_in: ConversationState,
    role: Role,
    text: str,
    *,
    attachments: Sequence[Attachment] = (),
    **fields: Any,
) -> tuple[Slot, Message] | None:
    """`append_message` in one PostgreSQL statement, unless the conversation is in `not_in`
    (or gone): then nothing is written, and None. SQLite: None, always (take the slot first)."""
    if dialect_of(session) != "postgresql":
        return None
    return await _appended_by(
        APPEND_OUTSIDE_STATE, session, effects, conversation_id, role, text, attachments,
        fields, not_in=not_in,
    )  # fmt: skip


async def _appended_by(
    statement: Hot,
    session: AsyncSession,
    effects: Effects,
    conversation_id: str,
    role: Role,
    text: str,
    attachments: Sequence[Attachment],
    fields: dict[str, Any],
    **given: Any,
) -> tuple[Slot, Message] | None:
    """The message written by `statement` (a slot and `written_after` it) with the slot it
    took, announced; None when it took none."""
    values = message_values(conversation_id, 0, role, text, fields)
    row = await statement.first(session, values | {"now": values["created_at"], **given})
    if row is None:
        return None
    slot = Slot(conversation_id, row.visitor_id, row.last_seq, row.state)
    return slot, appended(session, effects, slot, values, attachments)


def appended(
    session: AsyncSession,
    effects: Effects,
    slot: Slot,
    values: dict[str, Any],
    attachments: Sequence[Attachment] = (),
) -> Message:
    """The `Message` a statement wrote with `values` at `slot` (`written_after`), announced."""
    message = unsaved_message(values | {"conversation_id": slot.conversation_id, "seq": slot.seq})
    _announce(session, effects, slot, message, attachments)
    return message


def message_values(
    conversation_id: str, seq: int, role: Role, text: str, fields: dict[str, Any]
) -> dict[str, Any]:
    values = {**MESSAGE_DEFAULTS, "id": new_id(), "created_at": utcnow(), "sources": [], **fields}
    values |= {"conversation_id": conversation_id, "seq": seq, "role": role, "text": text}
    return values


async def insert_message(
    session: AsyncSession,
    effects: Effects,
    slot: Slot,
    role: Role,
    text: str,
    *,
    attachments: Sequence[Attachment] = (),
    **fields: Any,
) -> Message:
    """The row is written at once by a Core insert; the `Message` returned is not in the
    session. An answer to a message already answered (`reply_to_id`) raises `AlreadyAnswered`."""
    values = message_values(slot.conversation_id, slot.seq, role, text, fields)
    message = unsaved_message(values)
    if values["reply_to_id"] is None:
        await INSERT_MESSAGE.rows(session, values)
    elif not await INSERT_ANSWER[dialect_of(session)].rows(session, values):
        raise AlreadyAnswered(values["reply_to_id"])
    _announce(session, effects, slot, message, attachments)
    return message


def _announce(
    session: AsyncSession,
    effects: Effects,
    slot: Slot,
    message: Message,
    attachments: Sequence[Attachment],
) -> None:
    """The message's files point at it; the message goes to the visitor's widgets after
    commit."""
    for attachment in attachments:
        attachment.message_id = message.id

    def pushed() -> list[Frame]:
        links = effects.attachment_urls.for_visitor(slot.visitor_id)
        # Every column's value is in the unsaved message's `__dict__` (`unsaved_message`).
        payload = written_message_payload(vars(message), attachments, links)
        return [frames.message_created(payload)]

    push_on_commit(session, effects.hub, events.visitor_channel(slot.visitor_id), pushed)
