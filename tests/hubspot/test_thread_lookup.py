"""`thread_lookup.target_of` on both databases: the conversation an event names, by our
integration thread id first (looked up by primary key alone), else by HubSpot's thread id (the
newest conversation with it), never outside the event's portal or the organization asked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import hot_sql
from relaydesk.db import commit
from relaydesk.hubspot.inbound.thread_lookup import ThreadRef, target_of
from relaydesk.models import Conversation, HubSpotConnection, Message, Role, Visitor
from relaydesk.models.core import utcnow

from ..orgs import Org, make_org


@dataclass
class Portal:
    org: Org
    portal_id: str
    connection_id: str


async def _portal(db: async_sessionmaker[AsyncSession]) -> Portal:
    org = await make_org(db, sample_kb=False)
    portal_id = str(uuid.uuid4().int % 10**9)
    async with db() as session:
        connection = HubSpotConnection(organization_id=org.id, status="active", portal_id=portal_id)
        session.add(connection)
        await commit(session)
    return Portal(org, portal_id, connection.id)


async def _conversation(
    db: async_sessionmaker[AsyncSession], org: Org, thread_id: str | None, age_s: int = 0
) -> str:
    async with db() as session:
        visitor = Visitor(organization_id=org.id)
        session.add(visitor)
        await session.flush()
        conversation = Conversation(
            organization_id=org.id,
            visitor_id=visitor.id,
            state="human",
            hubspot_thread_id=thread_id,
            created_at=utcnow() - timedelta(seconds=age_s),
        )
        session.add(conversation)
        await commit(session)
    return conversation.id


async def _target(
    db: async_sessionmaker[AsyncSession], portal: Portal, ours: tuple[str, ...], thread: str | None,
    message_id: str | None = None, organization_id: str | None = None,
) -> tuple[str | None, list[str]]:  # fmt: skip
    """The conversation found (None: none) and the lookups run to find it (the server's worker
    runs statements of its own meanwhile)."""
    ran: list[str] = []
    hot_sql.listeners.append(ran.append)
    try:
        async with db() as session:
            ref = ThreadRef(portal.portal_id, ours, thread)
            found = await target_of(session, ref, message_id, organization_id)
    finally:
        hot_sql.listeners.remove(ran.append)
    if found is not None:
        assert found.portal_id == portal.portal_id
        assert found.connection_id == portal.connection_id
    lookups = [sql for sql in ran if "JOIN hubspot_connections" in sql]
    return (found.conversation_id if found is not None else None), lookups


async def test_our_id_is_found_by_one_statement_before_the_thread_id(
    db: async_sessionmaker[AsyncSession],
) -> None:
    portal = await _portal(db)
    ours = await _conversation(db, portal.org, thread_id=None)
    other = await _conversation(db, portal.org, thread_id="t-" + uuid.uuid4().hex[:8])
    other_thread = await _thread_of(db, other)
    found, ran = await _target(db, portal, (ours,), other_thread)
    assert found == ours  # ours first, though the thread id names another conversation
    assert len(ran) == 1


async def test_an_unknown_id_falls_back_to_the_newest_conversation_of_the_thread(
    db: async_sessionmaker[AsyncSession],
) -> None:
    portal = await _portal(db)
    thread = "t-" + uuid.uuid4().hex[:8]
    await _conversation(db, portal.org, thread, age_s=60)
    newest = await _conversation(db, portal.org, thread)
    found, ran = await _target(db, portal, (uuid.uuid4().hex,), thread)
    assert found == newest
    assert len(ran) == 2
    found, ran = await _target(db, portal, (), thread)  # app events name the thread alone
    assert found == newest
    assert len(ran) == 1
    assert (await _target(db, portal, (uuid.uuid4().hex,), None))[0] is None


async def test_nothing_is_found_in_another_portal_or_organization(
    db: async_sessionmaker[AsyncSession],
) -> None:
    portal, elsewhere = await _portal(db), await _portal(db)
    thread = "t-" + uuid.uuid4().hex[:8]
    ours = await _conversation(db, portal.org, thread)
    assert (await _target(db, elsewhere, (ours,), thread))[0] is None
    assert (await _target(db, portal, (ours,), thread, organization_id=elsewhere.org.id))[0] is None
    assert (await _target(db, portal, (ours,), None, organization_id=portal.org.id))[0] == ours
    assert (await _target(db, portal, (), thread, organization_id=portal.org.id))[0] == ours


async def test_the_target_says_whether_the_message_is_stored_and_what_came_last(
    db: async_sessionmaker[AsyncSession],
) -> None:
    portal = await _portal(db)
    ours = await _conversation(db, portal.org, thread_id=None)
    hubspot_id = uuid.uuid4().hex
    async with db() as session:
        conversation = await session.get(Conversation, ours)
        assert conversation is not None
        conversation.last_seq = 1
        session.add(Message(conversation_id=ours, seq=1, role=Role.AGENT, text="Hi",
                            hubspot_message_id=hubspot_id))  # fmt: skip
        await commit(session)
    async with db() as session:
        ref = ThreadRef(portal.portal_id, (ours,))
        known = await target_of(session, ref, hubspot_id)
        unknown = await target_of(session, ref, uuid.uuid4().hex)
    assert known is not None and known.message_known and known.last_seq == 1
    assert known.latest_reply_at is not None
    assert unknown is not None and not unknown.message_known


async def _thread_of(db: async_sessionmaker[AsyncSession], conversation_id: str) -> str:
    async with db() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None and conversation.hubspot_thread_id is not None
        return conversation.hubspot_thread_id
