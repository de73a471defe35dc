"""Rep replies in HubSpot's `createdAt` order, though they may arrive out of it.

HubSpot sends each reply on a webhook of its own, concurrently and with retries, and here a reply
that carries files takes longer than a plain one. A reply is still shown the moment it is written:
a settle window would delay every reply, since the first of a burst cannot know that an earlier
one is still on its way. Instead, a reply that arrives after later-created replies of its thread,
while those are still the conversation's latest messages, goes before them: they take the next
`seq`s after it, keep their ids, and are pushed again. The widget resumes by `seq` and
de-duplicates by id, so nothing is lost or shown twice, and the history reads in `createdAt`
order. Nothing moves past a message of anyone else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ... import events, frames
from ...conversations import Effects, attachments_of, next_slot
from ...frames import Frame, push_on_commit
from ...models import Message, Role
from ...payloads import message_payload

# Replies created further apart than this are left in arrival order: a reply that comes that
# late is news, and moving what the visitor read long ago would only confuse.
ORDER_WINDOW = timedelta(seconds=5)
# At most this many of the latest messages are looked at (and moved) for one late reply.
TAIL = 10


async def later_replies(
    session: AsyncSession, conversation_id: str, before_seq: int, created_at: datetime
) -> list[str]:
    """The ids of the rep replies, among the conversation's latest messages, that HubSpot
    created after `created_at` (within the window): a reply created then belongs before them."""
    rows = await session.execute(
        select(Message.id, Message.role, Message.hubspot_message_id, Message.created_at)
        .where(Message.conversation_id == conversation_id, Message.seq < before_seq)
        .order_by(Message.seq.desc())
        .limit(TAIL)
    )
    later: list[str] = []
    for row in rows:
        if row.role != Role.AGENT or row.hubspot_message_id is None:
            break
        if not created_at < row.created_at <= created_at + ORDER_WINDOW:
            break
        later.append(row.id)
    return later[::-1]


async def move_to_end(
    session: AsyncSession, effects: Effects, conversation_id: str, message_ids: Sequence[str]
) -> None:
    """Give the messages the conversation's next `seq`s, in the order given, and push them to the
    visitor again after commit (a widget that showed one already knows it by its id)."""
    moved: list[Message] = []
    visitor_id = ""
    for message_id in message_ids:
        slot = await next_slot(session, conversation_id)
        message = await session.get(Message, message_id)
        assert slot is not None and message is not None
        message.seq, visitor_id = slot.seq, slot.visitor_id
        moved.append(message)
    await session.flush()
    files = await attachments_of(session, moved)

    def pushed() -> list[Frame]:
        links = effects.attachment_urls.for_visitor(visitor_id)
        return [
            frames.message_created(message_payload(m, files.get(m.id, []), links)) for m in moved
        ]

    push_on_commit(session, effects.hub, events.visitor_channel(visitor_id), pushed)
