"""Which conversation a HubSpot event names, within the event's portal only: by our integration
thread id (our conversation id, on channel events) first, then by HubSpot's thread id.

The lookup is built once and run with bound values and no ORM rows: every rep reply runs it
(building it cost more than running it). Naming at most one of our ids (as the channel's events
do), it runs on the driver connection (`hot_sql.Hot`) and looks for that id alone, by primary
key, without the thread id's index or a sort; only when that finds nothing does a second
statement look for HubSpot's thread id. Several ids go in one statement, ours first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, bindparam, case, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ...hot_sql import Hot
from ...models import Conversation, HubSpotConnection, Message, Role

CONVERSATIONS = cast(Table, Conversation.__table__)
CONNECTIONS = cast(Table, HubSpotConnection.__table__)
MESSAGES = cast(Table, Message.__table__)


@dataclass(frozen=True)
class Target:
    conversation_id: str
    visitor_id: str
    organization_id: str
    portal_id: str
    connection_id: str  # its tokens are read only for a call to HubSpot (`Inbound.connection`)
    message_known: bool = False  # the HubSpot message asked about is already one of ours
    # As the lookup saw the conversation: its last `seq`, and when HubSpot created that message
    # if it is a rep's reply (else None), so a reply written next needs no look at the tail.
    last_seq: int = -1
    latest_reply_at: datetime | None = None


@dataclass(frozen=True)
class ThreadRef:
    """How a HubSpot event names a conversation: its portal, our integration thread ids (our
    conversation ids, on channel events) and HubSpot's thread id."""

    portal_id: str | None
    integration_ids: tuple[str, ...] = ()
    thread_id: str | None = None


def _lookup(named: ColumnElement[bool], *first: ColumnElement[Any]) -> Select[Any]:
    """The conversation `named` in `portal_id`, by `first` then the newest; whether HubSpot's
    `message_id` is stored; the last `seq` and, when the latest message is a rep's reply, when
    HubSpot created it. A NULL bound value matches nothing."""
    conversations, messages = CONVERSATIONS.c, MESSAGES.c
    latest_reply = (
        select(messages.created_at)
        .where(
            messages.conversation_id == conversations.id,
            messages.seq == conversations.last_seq,
            messages.role == Role.AGENT,
            messages.hubspot_message_id.is_not(None),
        )
        .scalar_subquery()
    )
    known = exists().where(messages.hubspot_message_id == bindparam("message_id"))
    return (
        select(
            conversations.id,
            conversations.visitor_id,
            conversations.organization_id,
            CONNECTIONS.c.id.label("connection_id"),
            known.label("known"),
            conversations.last_seq,
            latest_reply.label("latest_reply_at"),
        )
        .join(CONNECTIONS, CONNECTIONS.c.organization_id == conversations.organization_id)
        .where(CONNECTIONS.c.portal_id == bindparam("portal_id"), named)
        .order_by(*first, conversations.created_at.desc())
        .limit(1)
    )


def _hot(lookup: Select[Any]) -> tuple[Hot, Hot]:
    """The lookup as it stands, and within `organization_id`. Reads: on PostgreSQL they run on
    their own when no transaction was begun (`Hot`), so a rep reply written in one statement
    after this one needs no transaction at all (`reply_at_once`)."""
    return Hot(lookup, begins=False), Hot(lookup.where(IN_ORGANIZATION), begins=False)


IN_ORGANIZATION = CONVERSATIONS.c.organization_id == bindparam("organization_id")
BY_THREAD_ID = CONVERSATIONS.c.hubspot_thread_id == bindparam("thread_id")
# By primary key: one row at most, so no sort.
BY_ID, BY_ID_IN_ORGANIZATION = _hot(
    _lookup(CONVERSATIONS.c.id == bindparam("our_id")).order_by(None)
)
BY_THREAD, BY_THREAD_IN_ORGANIZATION = _hot(_lookup(BY_THREAD_ID))
_OURS = CONVERSATIONS.c.id.in_(bindparam("ours", expanding=True))
LOOKUP_MANY = _lookup(or_(_OURS, BY_THREAD_ID), case((_OURS, 0), else_=1))
LOOKUP_MANY_IN_ORGANIZATION = LOOKUP_MANY.where(IN_ORGANIZATION)


async def target_of(
    session: AsyncSession,
    ref: ThreadRef,
    hubspot_message_id: str | None = None,
    organization_id: str | None = None,
) -> Target | None:
    """The conversation an event names, within the event's portal only: by our integration
    thread id first, then by HubSpot's thread id (the newest, should a thread id ever repeat),
    with its organization's connection, in one query; with `hubspot_message_id`, also whether
    that message is already stored."""
    ours = [i for i in ref.integration_ids if i]
    if not (ours or ref.thread_id) or not ref.portal_id:
        return None
    values = {"thread_id": ref.thread_id, "portal_id": ref.portal_id}
    values |= {"message_id": hubspot_message_id, "organization_id": organization_id}
    if len(ours) > 1:
        many = LOOKUP_MANY if organization_id is None else LOOKUP_MANY_IN_ORGANIZATION
        row = (await session.execute(many, values | {"ours": ours})).first()
    else:
        row = None
        if ours:
            by_id = BY_ID if organization_id is None else BY_ID_IN_ORGANIZATION
            row = await by_id.first(session, values | {"our_id": ours[0]})
        if row is None and ref.thread_id:
            by_thread = BY_THREAD if organization_id is None else BY_THREAD_IN_ORGANIZATION
            row = await by_thread.first(session, values)
    if row is None:
        return None
    return Target(
        row.id,
        row.visitor_id,
        row.organization_id,
        ref.portal_id,
        row.connection_id,
        bool(row.known),
        row.last_seq,
        row.latest_reply_at,
    )
