"""The end of a conversation (by the visitor, a rep, the AI or an admin), its reopening by a rep,
and the visitor's rating.

The rating stays on relaydesk's conversation; it is never sent to HubSpot.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import events
from .conversations import Effects, Slot, add_message, announce_state, insert_message
from .errors import InvalidInput
from .jobs import ConversationJob, dump
from .models import Closer, Conversation, ConversationState, Handoff, Role, utcnow
from .outbox import enqueue

CLOSERS = tuple(Closer)
ENDED_TEXT = "This conversation has ended."
REOPENED_TEXT = "This conversation has been reopened."
MAX_COMMENT = 2000


async def close_conversation(
    session: AsyncSession, effects: Effects, conversation: Conversation, *, by: Closer
) -> bool:
    """Close once; a handed-off conversation closed here also closes its HubSpot thread."""
    if by not in CLOSERS:
        raise ValueError(f"unknown closer {by!r}")
    if conversation.state == ConversationState.CLOSED:
        return False
    handed_off = await session.scalar(
        select(Handoff.id).where(Handoff.conversation_id == conversation.id)
    )
    conversation.state = ConversationState.CLOSED
    conversation.closed_at = utcnow()
    conversation.closed_by = by
    await add_message(session, effects, conversation, Role.SYSTEM, ENDED_TEXT)
    if handed_off is not None and by != Closer.AGENT:
        await enqueue(
            session,
            effects.wakeup,
            events.HUBSPOT_CLOSE_THREAD,
            dump(ConversationJob(conversation.id)),
            ordering_key=conversation.id,
            dedupe_key=f"{events.HUBSPOT_CLOSE_THREAD}:{conversation.id}",
        )
    announce_state(session, effects, conversation)
    return True


async def reopen_conversation(
    session: AsyncSession, effects: Effects, conversation: Conversation, slot: Slot | None = None
) -> bool:
    """A closed conversation a rep reopened (the thread, or a reply after the close) goes back to
    the person: the visitor's next message reaches the rep. `slot`, already taken, carries the
    notice. A rating already given stays."""
    if conversation.state != ConversationState.CLOSED:
        return False
    conversation.state = ConversationState.HUMAN
    conversation.closed_at = None
    conversation.closed_by = None
    if slot is None:
        await add_message(session, effects, conversation, Role.SYSTEM, REOPENED_TEXT)
    else:
        await insert_message(session, effects, slot, Role.SYSTEM, REOPENED_TEXT)
    announce_state(session, effects, conversation)
    return True


def rate_conversation(conversation: Conversation, score: int, comment: str | None) -> None:
    """Store the visitor's CSAT (1-5, an optional comment); a closed conversation only."""
    if conversation.state != ConversationState.CLOSED:
        raise InvalidInput("a conversation can be rated once it has ended", code="not_closed")
    if not 1 <= score <= 5:
        raise InvalidInput("the rating must be between 1 and 5", code="invalid_rating")
    if conversation.csat_score is not None:
        raise InvalidInput("this conversation has already been rated", code="already_rated")
    conversation.csat_score = score
    conversation.csat_comment = (comment or "").strip()[:MAX_COMMENT] or None
    conversation.csat_at = utcnow()
