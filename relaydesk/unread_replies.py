"""The visitor who left: a rep's reply no widget showed within `followup.unread_mail_after_s`
is emailed to the visitor, with the conversation so far, a link that reopens it and one that
unsubscribes.

What a widget showed is `conversations.read_seq` (`POST …/read`, sent only while the visitor
can see the chat), what an email carried `mailed_seq`. The worker puts the `mail.unread_scan`
job (one row, `outbox.enqueue_recurring`) back in line every `followup.scan_every_s`; the
scan takes each due conversation with a conditional update of `mailed_seq` and, in that
transaction, queues its mail (dedupe key: conversation and seq), so a mail is written once
however many scans overlap, and a restart loses nothing.
After a mail, replies are gathered for `followup.mail_batch_window_s` before the next one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import events
from .db import commit
from .mail import enqueue_mail
from .models import Conversation, Message, Organization, Role, Visitor, utcnow
from .outbox import Wakeup, enqueue_recurring
from .reply_mail import MailContext, reply_mail
from .settings import Settings

BATCH = 100


class UnreadWatch:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], wakeup: Wakeup, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.wakeup = wakeup
        self.settings = settings
        followup = settings.followup
        self.after = timedelta(seconds=followup.unread_mail_after_s)
        self.window = timedelta(seconds=followup.mail_batch_window_s)
        self.horizon = timedelta(hours=followup.horizon_h)
        self.every_s = followup.scan_every_s

    async def schedule(self, session: AsyncSession) -> None:
        """Put the scan back in line (once, however many workers ask)."""
        await enqueue_recurring(session, self.wakeup, events.UNREAD_SCAN)

    async def scan(self, payload: dict[str, Any]) -> None:
        """The `mail.unread_scan` job."""
        async with self.sessions() as session:
            for conversation in await self.due(session):
                await self.mail_unread(session, conversation)
            await commit(session)

    async def due(self, session: AsyncSession) -> list[Conversation]:
        """Conversations with a rep reply older than the delay (younger than the horizon) that
        no widget showed and no mail carried, outside the batch window of the last mail, whose
        visitor has an email and did not unsubscribe."""
        now = utcnow()
        unread = exists().where(
            Message.conversation_id == Conversation.id,
            Message.role == Role.AGENT,
            Message.created_at <= now - self.after,
            Message.created_at > now - self.horizon,
            Message.seq > Conversation.read_seq,
            Message.seq > Conversation.mailed_seq,
        )
        query = (
            select(Conversation)
            .join(Visitor, Visitor.id == Conversation.visitor_id)
            .where(
                unread,
                or_(Conversation.mailed_at.is_(None), Conversation.mailed_at <= now - self.window),
                or_(Visitor.email.is_not(None), Visitor.verified_email.is_not(None)),
                Visitor.unsubscribed_at.is_(None),
            )
            .limit(BATCH)
        )
        return list(await session.scalars(query))

    async def mail_unread(self, session: AsyncSession, conversation: Conversation) -> None:
        """Take the conversation's unread replies for one mail, unless another scan did."""
        previous, upto = conversation.mailed_seq, conversation.last_seq
        taken = await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id, Conversation.mailed_seq == previous)
            .values(mailed_seq=upto, mailed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return
        context = await self._context(session, conversation, max(previous, conversation.read_seq))
        mail = reply_mail(context)
        await enqueue_mail(
            session, self.wakeup, mail,
            dedupe_key=f"unread:{conversation.id}:{upto}",
            organization_id=conversation.organization_id,
        )  # fmt: skip

    async def _context(
        self, session: AsyncSession, conversation: Conversation, seen_up_to: int
    ) -> MailContext:
        visitor = await session.get(Visitor, conversation.visitor_id)
        organization = await session.get(Organization, conversation.organization_id)
        assert visitor is not None and organization is not None
        messages = list(
            await session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation.id)
                .order_by(Message.seq)
            )
        )
        return MailContext(
            settings=self.settings,
            organization=organization,
            visitor=visitor,
            conversation=conversation,
            messages=messages,
            seen_up_to=seen_up_to,
        )


def mark_read(conversation: Conversation, up_to_seq: int) -> None:
    """A widget showed the conversation up to `up_to_seq` (never beyond its last message)."""
    conversation.read_seq = max(conversation.read_seq, min(up_to_seq, conversation.last_seq))


async def unsubscribe(session: AsyncSession, visitor_id: str) -> Visitor | None:
    """No more reply emails to this visitor (an unknown one is None)."""
    visitor = await session.get(Visitor, visitor_id)
    if visitor is not None and visitor.unsubscribed_at is None:
        visitor.unsubscribed_at = utcnow()
        await session.flush()
    return visitor
