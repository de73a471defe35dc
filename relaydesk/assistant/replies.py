"""The `ai.reply` job: answer one visitor message, exactly once, outside any transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .. import events
from ..conversations import Effects, add_message, lock_conversation
from ..db import commit
from ..knowledge.documents import IndexCache
from ..models import Conversation, Message, Organization
from .brain import Brain, BrainContext, Turn

HISTORY_TURNS = 20


@dataclass(frozen=True)
class ReplyJob:
    sessions: async_sessionmaker[AsyncSession]
    effects: Effects
    brain: Brain
    indexes: IndexCache

    async def __call__(self, payload: dict[str, Any]) -> None:
        message_id = str(payload["message_id"])
        async with self.sessions() as session:
            context = await self._context(session, str(payload["conversation_id"]), message_id)
        if context is None:
            return
        channel = events.visitor_channel(context[0])
        await self.effects.hub.publish(channel, {"type": events.TYPING, "role": "ai", "on": True})
        reply = await self.brain.reply(context[1])
        async with self.sessions() as session:
            conversation_id = str(payload["conversation_id"])
            await lock_conversation(session, conversation_id)
            conversation = await _still_unanswered(session, conversation_id, message_id)
            if conversation is None:
                return
            organization = await session.get(Organization, conversation.organization_id)
            await add_message(
                session,
                self.effects,
                conversation,
                "ai",
                reply.text,
                reply_to_id=message_id,
                author_name=f"{organization.name if organization else ''} AI".strip(),
                component=reply.component,
                sources=[asdict(s) for s in reply.sources],
            )
            await commit(session)

    async def _context(
        self, session: AsyncSession, conversation_id: str, message_id: str
    ) -> tuple[str, BrainContext] | None:
        conversation = await _still_unanswered(session, conversation_id, message_id)
        if conversation is None:
            return None
        anchor = await session.get(Message, message_id)
        rows = await session.scalars(
            select(Message)
            .where(
                Message.conversation_id == conversation_id,
                Message.seq <= (anchor.seq if anchor else 0),
            )
            .order_by(Message.seq.desc())
            .limit(HISTORY_TURNS)
        )
        transcript = [Turn(m.role, m.text) for m in reversed(list(rows))]
        knowledge = await self.indexes.get(session, conversation.organization_id)
        return conversation.visitor_id, BrainContext(
            conversation.organization_id, transcript, knowledge
        )


async def _still_unanswered(
    session: AsyncSession, conversation_id: str, message_id: str
) -> Conversation | None:
    """The AI answers only while it leads the conversation, and only once per message."""
    conversation = await session.get(Conversation, conversation_id, populate_existing=True)
    if conversation is None or conversation.state != "ai":
        return None
    answered = await session.scalar(select(Message.id).where(Message.reply_to_id == message_id))
    return None if answered else conversation
