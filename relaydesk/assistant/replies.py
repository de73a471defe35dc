"""The `ai.reply` job: answer one visitor message, exactly once, outside any transaction.

The brain (and any action it calls) runs between two short transactions. An action's server
refusing what the visitor typed (404, 400, 422) is told to the visitor (`action_refusals`).
Whatever else goes wrong on the way (a brain error, a timeout, an action's server error) hands
the conversation to a person with `ai_error` rather than leave the visitor waiting.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .. import events
from ..closing import close_conversation
from ..conversations import Effects, Slot, insert_message, next_slot
from ..db import commit
from ..handoffs import hand_off
from ..knowledge.documents import IndexCache
from ..models import Conversation, Message, Organization, Visitor
from ..vault import Vault
from .action_refusals import reply_to_refusal
from .actions import ActionFailed, ActionRefused, ActionRunner
from .analysis import AI_ERROR, USER_REQUESTED
from .brain import Brain, BrainContext, BrainReply, HandoffDecision, Turn
from .configuration import load_actions, load_policy
from .summary import summarize
from .triage import analyze_latest
from .wording import AI_ERROR_APOLOGY, say

HISTORY_TURNS = 20
BRAIN_TIMEOUT_S = 60.0
log = logging.getLogger(__name__)


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
    vault: Vault | None = None
    runner: ActionRunner | None = None
    timeout_s: float = BRAIN_TIMEOUT_S

    async def __call__(self, payload: dict[str, Any]) -> None:
        conversation_id, message_id = str(payload["conversation_id"]), str(payload["message_id"])
        async with self.sessions() as session:
            pending = await self._read(session, conversation_id, message_id)
        if pending is None:
            return
        channel = events.visitor_channel(pending.visitor_id)
        await self.effects.hub.publish(channel, {"type": events.TYPING, "role": "ai", "on": True})
        context = replace(pending.context, on_delta=self._streamer(channel, message_id))
        reply = await self._think(context)
        async with self.sessions() as session:
            # The slot locks the conversation: a concurrent run of this job waits, then sees
            # the answer below. The AI writes only while it leads the conversation.
            slot = await next_slot(session, conversation_id, only_in_state="ai")
            if slot is None or await _answered(session, message_id):
                return
            await self._write(session, slot, message_id, pending, reply)
            await commit(session)

    async def _think(self, context: BrainContext) -> BrainReply:
        """The brain's reply with its action run; any failure becomes an `ai_error` handoff."""
        try:
            async with asyncio.timeout(self.timeout_s):
                reply = await self.brain.reply(context)
                return await self._act(context, reply)
        except (ActionFailed, TimeoutError) as exc:  # the action's server or the clock
            log.warning("ai.reply handing off: %s", exc or type(exc).__name__)
            return _failed(context)
        except Exception as exc:  # whatever broke, the visitor must not be left waiting
            log.warning("ai.reply failed, handing off: %s", exc, exc_info=exc)
            return _failed(context)

    async def _act(self, context: BrainContext, reply: BrainReply) -> BrainReply:
        if reply.action is None:
            return reply
        action = next((a for a in context.actions if a.name == reply.action.name), None)
        if action is None or self.runner is None:
            raise ActionFailed(f"unknown action {reply.action.name}")
        try:
            result = await self.runner.run(action, reply.action.arguments)
        except ActionRefused as refused:
            log.info("ai.reply: %s refused the visitor's input", refused)
            return reply_to_refusal(context, refused, reply.language or "en")
        return replace(reply, text=result.text or reply.text, component=result.component)

    def _streamer(self, channel: str, message_id: str) -> Any:
        async def push(text: str) -> None:
            frame = {"type": events.MESSAGE_DELTA, "reply_to_id": message_id, "text": text}
            await self.effects.hub.publish(channel, frame)

        return push

    async def _write(
        self,
        session: AsyncSession,
        slot: Slot,
        message_id: str,
        pending: _Pending,
        reply: BrainReply,
    ) -> None:
        conversation = await session.get(Conversation, slot.conversation_id)
        assert conversation is not None
        conversation.language = reply.language or conversation.language
        if reply.sentiment is not None:
            conversation.sentiment = reply.sentiment.label
        if reply.handoff is not None and pending.context.policy.hands_off:
            asked = USER_REQUESTED in reply.handoff.reasons
            await hand_off(
                session,
                self.effects,
                conversation,
                reply.handoff,
                requested_by="visitor" if asked else "ai",
                slot=slot,
                reply_to_id=message_id,
                author_name=pending.author_name,
            )
            return
        text = reply.text or say(AI_ERROR_APOLOGY, reply.language)
        await insert_message(
            session,
            self.effects,
            slot,
            "ai",
            text,
            reply_to_id=message_id,
            author_name=pending.author_name,
            component=reply.component,
            sources=[asdict(s) for s in reply.sources],
        )
        if reply.resolved:  # the goodbye above, then the end (the widget offers CSAT)
            await close_conversation(session, self.effects, conversation, by="ai")

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
                    Visitor.email,
                    Visitor.locale,
                    exists().where(Message.reply_to_id == message_id).label("answered"),
                )
                .join(Organization, Organization.id == Conversation.organization_id)
                .join(Visitor, Visitor.id == Conversation.visitor_id)
                .where(Conversation.id == conversation_id)
            )
        ).first()
        if row is None or row.state != "ai" or row.answered:
            return None
        anchor = select(Message.seq).where(Message.id == message_id).scalar_subquery()
        turns = (
            await session.execute(
                select(Message.role, Message.text, Message.sources, Message.component)
                .where(Message.conversation_id == conversation_id, Message.seq <= anchor)
                .order_by(Message.seq.desc())
                .limit(HISTORY_TURNS)
            )
        ).all()
        org_id = row.organization_id
        context = BrainContext(
            organization_id=org_id,
            transcript=[Turn(t.role, t.text, bool(t.sources or t.component)) for t in turns[::-1]],
            knowledge=await self.indexes.get(session, org_id, row.kb_version),
            policy=await load_policy(session, org_id),
            actions=await load_actions(session, self.vault, org_id) if self.vault else (),
            visitor_email=row.email,
            locale=row.locale,
        )
        return _Pending(row.visitor_id, f"{row.name} AI", context)


def _failed(context: BrainContext) -> BrainReply:
    found = analyze_latest(context)
    reasons = [AI_ERROR]
    decision = HandoffDecision(
        reasons, summarize(context.visitor_texts, reasons), found.sentiment, found.language
    )
    return BrainReply(
        text="",
        answered=False,
        handoff=decision,
        language=found.language,
        sentiment=found.sentiment,
    )


async def _answered(session: AsyncSession, message_id: str) -> bool:
    found = await session.scalar(select(Message.id).where(Message.reply_to_id == message_id))
    return found is not None
