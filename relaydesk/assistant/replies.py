"""The AI's answer to one visitor message, exactly once: by the `ai.reply` job, whose brain (and
any action it calls) runs between two short transactions; or, when nothing it does waits on
another server, in the visitor message's own transaction (`ReplyJob.answer_now`).

An action's server refusing what the visitor typed (404, 400, 422) is told to the visitor.
Whatever else goes wrong on the way (a brain error, a timeout, an action's server error) hands
the conversation to a person with `ai_error` rather than leave the visitor waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .. import events, frames
from ..closing import close_conversation
from ..conversations import AlreadyAnswered, Effects, Slot
from ..db import commit
from ..handoffs import hand_off
from ..jobs import AiReply, load
from ..knowledge.documents import IndexCache
from ..models import Closer, Conversation, Message, Requester, Role
from ..outbox import complete_current
from ..vault import Vault
from .action_refusals import reply_to_refusal
from .actions import ActionFailed, ActionRefused, ActionRunner, ActionSpec
from .analysis import AI_ERROR, USER_REQUESTED
from .brain import Brain, BrainContext, BrainReply, HandoffDecision, Turn, answers_at_once
from .configuration import load_actions, policy_of
from .read_with_message import ReadWithMessage, append_and_read
from .reply_sql import TO_ANSWER, TO_ANSWER_NOW, Reading, answer_slot, to_answer, write_answer
from .summary import summarize
from .triage import analyze_latest
from .wording import AI_ERROR_APOLOGY, say

BRAIN_TIMEOUT_S = 60.0
TYPING_AFTER_S = 0.25  # a typing indicator that flashes for a few milliseconds is noise
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
        job = load(AiReply, payload)
        conversation_id, message_id = job.conversation_id, job.message_id
        async with self.sessions() as session:
            pending = await self._read(session, TO_ANSWER, conversation_id, message_id)
        if pending is None:
            return
        channel = events.visitor_channel(pending.visitor_id)
        context = replace(pending.context, on_delta=self._streamer(channel, message_id))
        async with self._typing_while_slow(channel):
            reply = await self._think(context)
        async with self.sessions() as session:
            # The answer's slot locks the conversation: a concurrent run of this job waits,
            # then finds the answer there when it writes its own.
            try:
                if not await self._write(session, conversation_id, message_id, pending, reply):
                    return
            except AlreadyAnswered:
                return  # the session rolls back what this run wrote
            await complete_current(session)  # the job ends with its answer, in one commit
            await commit(session)

    async def append_and_read(
        self,
        session: AsyncSession,
        effects: Effects,
        visitor_id: str,
        organization_id: str,
        text: str,
        fields: dict[str, Any],
    ) -> tuple[Any, tuple[Slot, Message] | None, ReadWithMessage] | None:
        """PostgreSQL: the message appended with what `answer_now` needs read by the same
        statement (`read_with_message.py`); None when this brain does not answer at once."""
        if not answers_at_once(self.brain):
            return None
        return await append_and_read(session, effects, visitor_id, organization_id, text, fields)

    async def answer_now(
        self, session: AsyncSession, message: Message, read: ReadWithMessage | None = None
    ) -> bool:
        """Answer the visitor's `message` in the caller's transaction, whose slot for it holds
        the conversation: when the brain waits on nothing (`answers_at_once`), the organization
        has no enabled action (they call other servers) and no earlier job of the conversation
        is waiting (it goes first). False: nothing written, the `ai.reply` job is to answer.
        `read`: what it needs, read with the message (`append_and_read`)."""
        if not answers_at_once(self.brain):
            return False
        conversation_id = message.conversation_id
        if read is None:
            pending = await self._read(session, TO_ANSWER_NOW, conversation_id, message.id)
        else:
            pending = await self._pending(session, read.found)
        if pending is None:
            return False
        reply = await self._think(pending.context)
        written = await self._write(session, conversation_id, message.id, pending, reply)
        assert written  # the message's slot, taken while the AI led, holds it so
        return True

    @contextlib.asynccontextmanager
    async def _typing_while_slow(self, channel: str) -> AsyncIterator[None]:
        """The AI's typing frame once its answer has taken `TYPING_AFTER_S`: an answer ready
        at once needs none (the widget hides it when the answer comes). A typing frame sent
        is published before the answer can be."""
        typing: list[asyncio.Task[None]] = []
        frame = frames.typing(Role.AI, on=True)

        def start() -> None:
            typing.append(asyncio.create_task(self.effects.hub.publish(channel, frame)))

        timer = asyncio.get_running_loop().call_later(TYPING_AFTER_S, start)
        try:
            yield
        finally:
            timer.cancel()
            await asyncio.gather(*typing)

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
            await self.effects.hub.publish(channel, frames.message_delta(message_id, text))

        return push

    async def _write(
        self,
        session: AsyncSession,
        conversation_id: str,
        message_id: str,
        pending: _Pending,
        reply: BrainReply,
    ) -> bool:
        """The reply, in the conversation's next slot; only while the AI leads (False: it no
        longer does, nothing written)."""
        if reply.handoff is not None and pending.context.policy.hands_off:
            slot = await answer_slot(session, conversation_id, reply)
            if slot is None:
                return False
            conversation = await session.get_one(Conversation, conversation_id)
            asked = USER_REQUESTED in reply.handoff.reasons
            await hand_off(
                session,
                self.effects,
                conversation,
                reply.handoff,
                requested_by=Requester.VISITOR if asked else Requester.AI,
                slot=slot,
                reply_to_id=message_id,
                author_name=pending.author_name,
            )
            return True
        slot = await write_answer(
            session,
            self.effects,
            conversation_id,
            reply,
            reply.text or say(AI_ERROR_APOLOGY, reply.language),
            reply_to_id=message_id,
            author_name=pending.author_name,
            component=reply.component,
            sources=[asdict(s) for s in reply.sources],
        )
        if slot is None:
            return False
        if reply.resolved:  # the goodbye above, then the end (the widget offers CSAT)
            conversation = await session.get_one(Conversation, conversation_id)
            await close_conversation(session, self.effects, conversation, by=Closer.AI)
        return True

    async def _read(
        self, session: AsyncSession, reading: Reading, conversation_id: str, message_id: str
    ) -> _Pending | None:
        """What the brain needs, or None when there is nothing (left) to answer here."""
        ids = {"conversation_id": conversation_id, "message_id": message_id}
        return await self._pending(session, await to_answer(session, reading, ids))

    async def _pending(
        self, session: AsyncSession, found: tuple[Any, list[Any]] | None
    ) -> _Pending | None:
        if found is None:
            return None
        row, turns = found
        org_id = row.organization_id
        actions: list[ActionSpec] = []
        if row.has_actions and self.vault:
            actions = await load_actions(session, self.vault, org_id)
        context = BrainContext(
            organization_id=org_id,
            transcript=[Turn(t.role, t.text, bool(t.sources or t.component)) for t in turns[::-1]],
            knowledge=await self.indexes.get(session, org_id, row.kb_version),
            policy=policy_of(row if row.has_settings is not None else None),
            actions=actions,
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
