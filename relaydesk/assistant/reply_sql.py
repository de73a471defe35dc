"""The statements of answering a visitor message, built once (building one costs more than
running it): what the brain needs, the history it reads, and the answer's `seq`."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, exists, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..hot_sql import Hot
from ..messages import Slot
from ..models import (
    AiAction,
    Conversation,
    ConversationState,
    HandoffSettings,
    Message,
    Organization,
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


def _to_answer(by_job: ColumnElement[Any]) -> Hot:
    """What the brain needs of the conversation, its organization, its visitor and the handoff
    settings, in one statement; the actions are read only when there are any. `by_job`: the
    answer must be left to the `ai.reply` job."""
    return Hot(
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
        .where(Conversation.id == bindparam("conversation_id")),
        begins=False,
    )


# Read by the job; and in the visitor message's transaction, where an action (it calls another
# server) or a waiting job of the conversation (it goes first) leaves the answer to the job.
TO_ANSWER = _to_answer(false())
TO_ANSWER_NOW = _to_answer(or_(HAS_ACTIONS, job_waiting(CONVERSATIONS.c.id)))
TURNS = Hot(
    select(Message.role, Message.text, Message.sources, Message.component)
    .where(
        Message.conversation_id == bindparam("conversation_id"),
        Message.seq
        <= select(Message.seq).where(Message.id == bindparam("message_id")).scalar_subquery(),
    )
    .order_by(Message.seq.desc())
    .limit(HISTORY_TURNS),
    begins=False,
)
ANSWER_SLOT = Hot(
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


async def answer_slot(
    session: AsyncSession, conversation_id: str, reply: BrainReply
) -> Slot | None:
    """The answer's `seq`, taken only while the AI leads; the conversation's language and
    sentiment as this reply found them are stored by the same statement."""
    values = {
        "conversation_id": conversation_id,
        "now": utcnow(),
        "language": reply.language or None,
        "sentiment": reply.sentiment.label if reply.sentiment is not None else None,
    }
    row = await ANSWER_SLOT.first(session, values)
    return (
        Slot(conversation_id, row.visitor_id, row.last_seq, ConversationState.AI) if row else None
    )
