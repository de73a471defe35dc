"""The `ai.reply` job: answer one visitor message, exactly once, outside any transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .. import events
from ..conversations import Effects, insert_message, next_slot
from ..db import commit
from ..knowledge.documents import IndexCache
from ..models import Conversation, Message, Organization
from .brain import Brain, BrainContext, Turn

HISTORY_TURNS = 20


@dataclass(frozen=True)
class _Pending:
    visitor_id: str
    author_name: str
    context: BrainContext


@dataclass(frozen=True)
class ReplyJob:
    sessions: async_sessionmaker[AsyncSession]
    effects: Effects
    brain: Brain
    indexes: IndexCache

    async def __call__(self, payload: dict[str, Any]) -> None:
        conversation_id, message_id = str(payload["conversation_id"]), str(payload["message_id"])
        async with self.sessions() as session:
            pending = await self._read(session, conversation_id, message_id)
        if pending is None:
            return
        channel = events.visitor_channel(pending.visitor_id)
        await self.effects.hub.publish(channel, {"type": events.TYPING, "role": "ai", "on": True})
        reply = await self.brain.reply(pending.context)
        async with self.sessions() as session:
            # The slot locks the conversation: a concurrent run of this job waits, then sees
            # the answer below. The AI writes only while it leads the conversation.
            slot = await next_slot(session, conversation_id, only_in_state="ai")
            if slot is None or await _answered(session, message_id):
                return
            await insert_message(
                session,
                self.effects,
                slot,
                "ai",
                reply.text,
                reply_to_id=message_id,
                author_name=pending.author_name,
                component=reply.component,
                sources=[asdict(s) for s in reply.sources],
            )
            await commit(session)

    async def _read(
        self, session: AsyncSession, conversation_id: str, message_id: str
    ) -> _Pending | None:
        """What the brain needs, or None when there is nothing (left) to answer."""
        row = (
            await session.execute(
                select(
                    Conversation.visitor_id,
                    Conversation.organization_id,
                    Conversation.state,
                    Organization.name,
                    Organization.kb_version,
                    exists().where(Message.reply_to_id == message_id).label("answered"),
                )
                .join(Organization, Organization.id == Conversation.organization_id)
                .where(Conversation.id == conversation_id)
            )
        ).first()
        if row is None or row.state != "ai" or row.answered:
            return None
        anchor = select(Message.seq).where(Message.id == message_id).scalar_subquery()
        turns = (
            await session.execute(
                select(Message.role, Message.text)
                .where(Message.conversation_id == conversation_id, Message.seq <= anchor)
                .order_by(Message.seq.desc())
                .limit(HISTORY_TURNS)
            )
        ).all()
        knowledge = await self.indexes.get(session, row.organization_id, row.kb_version)
        transcript = [Turn(t.role, t.text) for t in reversed(turns)]
        context = BrainContext(row.organization_id, transcript, knowledge)
        return _Pending(row.visitor_id, f"{row.name} AI", context)


async def _answered(session: AsyncSession, message_id: str) -> bool:
    found = await session.scalar(select(Message.id).where(Message.reply_to_id == message_id))
    return found is not None
