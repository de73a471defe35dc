"""The no-rep timeout: a handoff nobody replied to or took within `followup.no_rep_after_s`
is told so, in the conversation's language, and offered to leave an email and go.

The worker puts the `handoff.no_rep_scan` job (one row, `outbox.enqueue_recurring`) back in
line every `followup.scan_every_s`. Each handoff is told once: marking it is a conditional
update, so two scans that overlap never both speak.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import events
from .away_handoffs import AWAY, LIVE
from .away_wording import word
from .conversations import Effects, add_message
from .db import commit
from .models import Conversation, ConversationState, Handoff, Role, Visitor, utcnow
from .outbox import enqueue_recurring
from .settings import FollowUpSettings

BATCH = 200


class NoRepWatch:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        effects: Effects,
        settings: FollowUpSettings,
    ) -> None:
        self.sessions = sessions
        self.effects = effects
        self.after = timedelta(seconds=settings.no_rep_after_s)
        self.horizon = timedelta(hours=settings.horizon_h)
        self.every_s = settings.scan_every_s

    async def schedule(self, session: AsyncSession) -> None:
        """Put the scan back in line (once, however many workers ask)."""
        await enqueue_recurring(session, self.effects.wakeup, events.NO_REP_SCAN)

    async def scan(self, payload: dict[str, Any]) -> None:
        """The `handoff.no_rep_scan` job."""
        async with self.sessions() as session:
            for handoff, conversation in await overdue(session, self.after, self.horizon):
                await tell_no_rep(session, self.effects, handoff, conversation)
            await commit(session)


async def overdue(
    session: AsyncSession, after: timedelta, horizon: timedelta
) -> list[tuple[Handoff, Conversation]]:
    """Live or away handoffs older than `after` (younger than `horizon`) whose conversation
    still waits for a person: nobody replied (the state would be human) nor took it."""
    now = utcnow()
    rows = await session.execute(
        select(Handoff, Conversation)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(
            Handoff.route.in_((LIVE, AWAY)),
            Handoff.no_rep_told_at.is_(None),
            Handoff.created_at <= now - after,
            Handoff.created_at > now - horizon,
            Conversation.state == ConversationState.PENDING_HUMAN,
            Conversation.assignee.is_(None),
        )
        .limit(BATCH)
    )
    return [(row.Handoff, row.Conversation) for row in rows]


async def tell_no_rep(
    session: AsyncSession, effects: Effects, handoff: Handoff, conversation: Conversation
) -> None:
    """Say nobody picked up, once: offer the email route, or promise it when we have one."""
    marked = await session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.no_rep_told_at.is_(None))
        .values(no_rep_told_at=utcnow())
    )
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        return
    visitor = await session.get(Visitor, conversation.visitor_id)
    known = visitor is not None and bool(visitor.verified_email or visitor.email)
    text = word("no_rep_known" if known else "no_rep", conversation.language)
    await add_message(session, effects, conversation, Role.SYSTEM, text)
