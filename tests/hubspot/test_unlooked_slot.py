"""The statement that takes a conversation's next `seq` with the checks a rep reply's lookup
would make (`unlooked_sql.TAKE_UNLOOKED`, SQLite's way to write a reply with no lookup before
it): a `seq` only for a conversation of the event's portal and visitor, open, not holding the
message yet, with no reply HubSpot created later at its end; and the connection of that portal
of the conversation's own organization."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.db import commit
from relaydesk.hubspot.inbound.unlooked_sql import GIVE_BACK, TAKE_UNLOOKED
from relaydesk.models import Conversation, HubSpotConnection, Message, Visitor

from ..orgs import make_org

PORTAL = "424242"
CREATED = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def _connected_conversation(rows: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    org = await make_org(rows, sample_kb=False)
    async with rows() as session:
        connection = HubSpotConnection(organization_id=org.id, status="active", portal_id=PORTAL)
        visitor = Visitor(organization_id=org.id)
        session.add_all([connection, visitor])
        await session.flush()
        conversation = Conversation(organization_id=org.id, visitor_id=visitor.id, state="human")
        session.add(conversation)
        await commit(session)
    return {"conversation_id": conversation.id, "visitor_id": visitor.id,
            "connection_id": connection.id, "organization_id": org.id}  # fmt: skip


def _values(conversation: dict[str, str], **overrides: Any) -> dict[str, Any]:
    values = {"conversation_id": conversation["conversation_id"], "now": CREATED}
    values |= {"portal_id": PORTAL, "visitor_id": conversation["visitor_id"]}
    return values | {"hubspot_message_id": "hs-1", "created_at": CREATED} | overrides


async def _take(rows: async_sessionmaker[AsyncSession], values: dict[str, Any]) -> Any:
    async with rows() as session:
        row = await TAKE_UNLOOKED.first(session, values)
        await commit(session)
    return row


async def _last_seq(rows: async_sessionmaker[AsyncSession], conversation_id: str) -> int:
    async with rows() as session:
        found = await session.scalar(
            select(Conversation.last_seq).where(Conversation.id == conversation_id)
        )
    assert found is not None
    return found


async def test_it_takes_the_next_seq_with_the_organizations_own_connection(
    db: async_sessionmaker[AsyncSession],
) -> None:
    first, second = await _connected_conversation(db), await _connected_conversation(db)
    row = await _take(db, _values(second))
    assert row is not None and row.last_seq == 1 and row.state == "human"
    assert row.visitor_id == second["visitor_id"]
    assert row.organization_id == second["organization_id"]
    assert row.connection_id == second["connection_id"] != first["connection_id"]
    assert await _last_seq(db, second["conversation_id"]) == 1
    assert await _last_seq(db, first["conversation_id"]) == 0
    async with db() as session:
        await GIVE_BACK.rows(session, {"conversation_id": second["conversation_id"], "seq": 1})
        await commit(session)
    assert await _last_seq(db, second["conversation_id"]) == 0


async def test_it_takes_nothing_when_a_lookups_check_fails(
    db: async_sessionmaker[AsyncSession],
) -> None:
    conversation = await _connected_conversation(db)
    assert await _take(db, _values(conversation, portal_id="999")) is None
    assert await _take(db, _values(conversation, visitor_id="someone-else")) is None
    async with db() as session:  # a later reply HubSpot created is the conversation's last
        session.add(Message(
            conversation_id=conversation["conversation_id"], seq=1, role="agent", text="later",
            hubspot_message_id="hs-0", created_at=CREATED + timedelta(seconds=1), sources=[],
        ))  # fmt: skip
        await session.execute(
            Conversation.__table__.update()
            .where(Conversation.id == conversation["conversation_id"])
            .values(last_seq=1)
        )
        await commit(session)
    assert await _take(db, _values(conversation)) is None
    assert await _take(db, _values(conversation, hubspot_message_id="hs-0")) is None  # ours
    assert await _last_seq(db, conversation["conversation_id"]) == 1
    later = _values(conversation, created_at=CREATED + timedelta(seconds=2))
    assert (await _take(db, later)).last_seq == 2  # created after it: written at the end
    async with db() as session:
        await session.execute(
            Conversation.__table__.update()
            .where(Conversation.id == conversation["conversation_id"])
            .values(state="closed")
        )
        await commit(session)
    later = _values(conversation, created_at=CREATED + timedelta(seconds=3))
    assert await _take(db, later) is None  # closed: the usual way reopens it first
    assert await _last_seq(db, conversation["conversation_id"]) == 2
