"""The statements of answering a visitor message, built once (building one costs more than
running it): what the brain needs, the history it reads, and the answer's `seq`. On PostgreSQL,
where each statement is a network round trip, what the brain needs and its history are one
statement, and so are the answer's `seq` and its insert."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    bindparam,
    exists,
    false,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import dialect_of
from ..hot_sql import Hot
from ..messages import (
    AlreadyAnswered,
    Effects,
    Slot,
    appended,
    insert_message,
    message_values,
    written_after,
)
from ..models import (
    AiAction,
    Conversation,
    ConversationState,
    HandoffSettings,
    Message,
    Organization,
    Role,
    Visitor,
    utcnow,
)
from ..outbox_sql import job_waiting
from .brain import BrainReply
from .configuration import POLICY_COLUMNS

HISTORY_TURNS = 20
CONVERSATIONS = cast(Table, Conversation.__table__)
HAS_ACTIONS = exists().where(
    AiAction.organization_id == Conversation.organization_id, AiAction.enabled.is_(True)
)


def _to_answer(by_job: ColumnElement[Any]) -> Select[Any]:
    """What the brain needs of the conversation, its organization, its visitor and the handoff
    settings, in one statement; the actions are read only when there are any. `by_job`: the
    answer must be left to the `ai.reply` job."""
    return (
        select(
            Conversation.visitor_id,
            Conversation.organization_id,
            Conversation.state,
            Organization.name,
            Organization.kb_version,
            Visitor.email,
            Visitor.locale,
            HandoffSettings.organization_id.label("has_settings"),
            *(getattr(HandoffSettings, name) for name in POLICY_COLUMNS),
            exists().where(Message.reply_to_id == bindparam("message_id")).label("answered"),
            HAS_ACTIONS.label("has_actions"),
            by_job.label("by_job"),
        )
        .join(Organization, Organization.id == Conversation.organization_id)
        .join(Visitor, Visitor.id == Conversation.visitor_id)
        .outerjoin(HandoffSettings, HandoffSettings.organization_id == Conversation.organization_id)
        .where(Conversation.id == bindparam("conversation_id"))
    )


# The latest turns up to the message answered, newest first.
_TURNS = (
    select(Message.role, Message.text, Message.sources, Message.component)
    .where(
        Message.conversation_id == bindparam("conversation_id"),
        Message.seq
        <= select(Message.seq).where(Message.id == bindparam("message_id")).scalar_subquery(),
    )
    .order_by(Message.seq.desc())
    .limit(HISTORY_TURNS)
)
TURNS = Hot(_TURNS, begins=False)


def _with_turns(to_answer: Select[Any]) -> Hot:
    """PostgreSQL: `to_answer`'s row once per turn, with the turn's columns (none without
    turns): no rows when there is no conversation."""
    answer = to_answer.subquery("answer")
    turns = _TURNS.add_columns(Message.seq.label("turn_seq")).lateral("turns")
    return Hot(
        select(answer, turns.c.role, turns.c.text, turns.c.sources, turns.c.component)
        .select_from(answer.outerjoin(turns, true()))
        .order_by(turns.c.turn_seq.desc()),
        begins=False,
    )


@dataclass(frozen=True)
class Reading:
    """What the brain needs (with or without its turns, by dialect)."""

    alone: Hot
    with_turns: Hot


def _reading(by_job: ColumnElement[Any]) -> Reading:
    to_answer = _to_answer(by_job)
    return Reading(Hot(to_answer, begins=False), _with_turns(to_answer))


# Read by the job; and in the visitor message's transaction, where an action (it calls another
# server) or a waiting job of the conversation (it goes first) leaves the answer to the job.
TO_ANSWER = _reading(false())
TO_ANSWER_NOW = _reading(or_(HAS_ACTIONS, job_waiting(CONVERSATIONS.c.id)))


async def to_answer(
    session: AsyncSession, reading: Reading, ids: dict[str, str]
) -> tuple[Any, list[Any]] | None:
    """What the brain needs and its turns, newest first; None when there is nothing (left) to
    answer here: no conversation, the AI no longer leads, the answer written, or left to the job."""
    with_turns: list[Any] = []
    if dialect_of(session) == "postgresql":
        with_turns = await reading.with_turns.rows(session, ids)
        row = with_turns[0] if with_turns else None
    else:
        row = await reading.alone.first(session, ids)
    if row is None or row.state != ConversationState.AI or row.answered or row.by_job:
        return None
    if dialect_of(session) == "postgresql":
        return row, [turn for turn in with_turns if turn.role is not None]
    return row, await TURNS.rows(session, ids)


_ANSWER_SLOT = (
    update(CONVERSATIONS)
    .where(
        CONVERSATIONS.c.id == bindparam("conversation_id"),
        CONVERSATIONS.c.state == ConversationState.AI,
    )
    .values(
        last_seq=CONVERSATIONS.c.last_seq + 1,
        updated_at=bindparam("now"),
        language=func.coalesce(bindparam("language"), CONVERSATIONS.c.language),
        sentiment=func.coalesce(bindparam("sentiment"), CONVERSATIONS.c.sentiment),
    )
    .returning(CONVERSATIONS.c.last_seq, CONVERSATIONS.c.visitor_id)
)
ANSWER_SLOT = Hot(_ANSWER_SLOT)
# PostgreSQL: the answer's slot and the answer written in it, one statement (one round trip
# instead of two). No row: the AI no longer leads; `written` empty: the message was answered.
_SLOT = _ANSWER_SLOT.returning(CONVERSATIONS.c.id).cte("slot")
_WRITTEN = written_after(_SLOT, unless_exists="reply_to_id")
ANSWER_SLOT_AND_ANSWER = Hot(
    select(_SLOT.c.last_seq, _SLOT.c.visitor_id, _WRITTEN.c.id.label("written")).select_from(
        _SLOT.outerjoin(_WRITTEN, true())
    )
)


def _slot_values(conversation_id: str, reply: BrainReply) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "now": utcnow(),
        "language": reply.language or None,
        "sentiment": reply.sentiment.label if reply.sentiment is not None else None,
    }


async def answer_slot(
    session: AsyncSession, conversation_id: str, reply: BrainReply
) -> Slot | None:
    """The answer's `seq`, taken only while the AI leads; the conversation's language and
    sentiment as this reply found them are stored by the same statement."""
    row = await ANSWER_SLOT.first(session, _slot_values(conversation_id, reply))
    return (
        Slot(conversation_id, row.visitor_id, row.last_seq, ConversationState.AI) if row else None
    )


async def write_answer(
    session: AsyncSession,
    effects: Effects,
    conversation_id: str,
    reply: BrainReply,
    text: str,
    **fields: Any,
) -> Slot | None:
    """The AI's answer `text` (`fields`: its `reply_to_id`, ...) in the slot `answer_slot` takes;
    None when the AI no longer leads. `AlreadyAnswered` as `insert_message` raises it."""
    if dialect_of(session) != "postgresql":
        slot = await answer_slot(session, conversation_id, reply)
        if slot is not None:
            await insert_message(session, effects, slot, Role.AI, text, **fields)
        return slot
    values = message_values(conversation_id, 0, Role.AI, text, fields)
    row = await ANSWER_SLOT_AND_ANSWER.first(session, values | _slot_values(conversation_id, reply))
    if row is None:
        return None
    if row.written is None:
        raise AlreadyAnswered(values["reply_to_id"])
    slot = Slot(conversation_id, row.visitor_id, row.last_seq, ConversationState.AI)
    appended(session, effects, slot, values)
    return slot
