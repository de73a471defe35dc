"""`messages.append_outside_state`, what a rep's reply is written with: on PostgreSQL the slot
and the row in one statement (one round trip), and nothing at all while the conversation is in
the state named (a closed one is reopened first, by the caller); on SQLite, never (the slot is
taken first, in the server's own process)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import events, hot_sql
from relaydesk.attachment_urls import AttachmentSigner
from relaydesk.conversations import insert_message, next_slot, open_conversation
from relaydesk.db import commit, dialect_of
from relaydesk.messages import Effects, append_outside_state
from relaydesk.models import Conversation, ConversationState, Message, Role, Visitor
from relaydesk.outbox import Wakeup
from relaydesk.payloads import message_payload
from relaydesk.realtime import MemoryHub

from .orgs import Org
from .test_outbox import Recorder


async def _conversation(
    db: async_sessionmaker[AsyncSession], org: Org, state: ConversationState
) -> Conversation:
    async with db() as session:
        visitor = Visitor(organization_id=org.id, custom_data={})
        session.add(visitor)
        await session.flush()
        conversation = await open_conversation(session, visitor)
        conversation.state = state
        await commit(session)
    return conversation


async def _listened(
    db: async_sessionmaker[AsyncSession], org: Org, state: ConversationState
) -> tuple[Effects, Conversation, Recorder]:
    """A conversation in `state`, and what reaches its visitor's channel from now on."""
    hub = MemoryHub()
    conversation = await _conversation(db, org, state)
    frames = Recorder()
    await hub.subscribe(events.visitor_channel(conversation.visitor_id), frames)
    return Effects(hub, Wakeup(), AttachmentSigner("secret", 3600)), conversation, frames


async def _messages(db: async_sessionmaker[AsyncSession], conversation_id: str) -> list[Message]:
    async with db() as session:
        query = select(Message).where(Message.conversation_id == conversation_id)
        return list(await session.scalars(query.order_by(Message.seq)))


async def test_a_reply_is_one_statement_on_postgresql_and_none_on_sqlite(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    effects, conversation, frames = await _listened(db, org, ConversationState.HUMAN)
    ran: list[str] = []
    async with db() as session:
        hot_sql.listeners.append(ran.append)
        try:
            written = await append_outside_state(
                session, effects, conversation.id, ConversationState.CLOSED, Role.AGENT,
                "Your order ships today.", author_name="Dana", hubspot_message_id="hs-1",
            )  # fmt: skip
        finally:
            hot_sql.listeners.remove(ran.append)
        postgresql = dialect_of(session) == "postgresql"
        await commit(session)
    stored = await _messages(db, conversation.id)
    if not postgresql:
        assert written is None and stored == [] and frames.seen == []
        assert [s for s in ran if not s.startswith("UPDATE outbox")] == []
        return
    # The test server's worker may claim meanwhile: its claim is a `Hot` statement too.
    assert written is not None and len([s for s in ran if not s.startswith("UPDATE outbox")]) == 1
    slot, message = written
    assert (slot.seq, slot.visitor_id, slot.state) == (1, conversation.visitor_id, "human")
    assert [(m.id, m.seq, m.role, m.text, m.author_name, m.hubspot_message_id) for m in stored] == [
        (message.id, 1, "agent", "Your order ships today.", "Dana", "hs-1")
    ]
    assert [(f["type"], f["message"]["id"]) for f in frames.seen] == [
        ("message.created", message.id)
    ]


async def test_a_closed_conversation_gets_nothing(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    """No seq taken, no row, no frame: the caller reopens the conversation the long way."""
    effects, conversation, frames = await _listened(db, org, ConversationState.CLOSED)
    async with db() as session:
        written = await append_outside_state(
            session, effects, conversation.id, ConversationState.CLOSED, Role.AGENT, "Hello again"
        )
        await commit(session)
    async with db() as session:
        after = await session.get_one(Conversation, conversation.id)
    assert written is None and after.last_seq == conversation.last_seq
    assert await _messages(db, conversation.id) == [] and frames.seen == []


async def test_the_frame_pushed_is_the_stored_message_as_the_history_shows_it(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    """The frame is built from the values the insert wrote, not from the row read back: the two
    must not differ in any field the widget reads."""
    effects, conversation, frames = await _listened(db, org, ConversationState.HUMAN)
    async with db() as session:
        slot = await next_slot(session, conversation.id)
        assert slot is not None
        await insert_message(
            session, effects, slot, Role.AGENT, "Here is your refund.", author_name="Dana",
            hubspot_message_id="hs-2",
        )  # fmt: skip
        await commit(session)
    [stored] = await _messages(db, conversation.id)
    links = effects.attachment_urls.for_visitor(conversation.visitor_id)
    assert [f["message"] for f in frames.seen] == [message_payload(stored, [], links)]
    assert frames.seen[0]["message"]["author_name"] == "Dana"
