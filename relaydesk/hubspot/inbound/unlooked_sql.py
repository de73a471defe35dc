"""What the lookup before a rep reply's writes checks, made by the statement that writes
(`reply_unlooked`): the conversation is of the event's portal and of the visitor the reply is
for, HubSpot's message is not one of ours yet, and no reply HubSpot created later is the
conversation's latest message. PostgreSQL: SENT's payload names the conversation's organization.
SQLite: the statement that takes the conversation's next `seq` makes them (`TAKE_UNLOOKED`)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    bindparam,
    exists,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy import cast as sql_cast

from ...hot_sql import Hot
from ...messages import CONVERSATIONS
from ...models import ConversationState, HubSpotConnection, Message, OutboxJob, Role

CONNECTIONS = cast(Table, HubSpotConnection.__table__)
MESSAGES = cast(Table, Message.__table__)
JOBS = cast(Table, OutboxJob.__table__)


def unlooked_checks() -> list[ColumnElement[bool]]:
    """Conditions on the conversation's row, by the message's own parameters
    (`hubspot_message_id`, `created_at`) and `portal_id`, `visitor_id`."""
    conversations, messages = CONVERSATIONS.c, MESSAGES.c
    of_portal = exists().where(
        CONNECTIONS.c.organization_id == conversations.organization_id,
        CONNECTIONS.c.portal_id == bindparam("portal_id", type_=String),
    )
    known = exists().where(messages.hubspot_message_id == bindparam("hubspot_message_id"))
    later_reply = exists().where(
        messages.conversation_id == conversations.id,
        messages.seq == conversations.last_seq,
        messages.role == Role.AGENT.value,
        messages.hubspot_message_id.is_not(None),
        messages.created_at > bindparam("created_at"),
    )
    visitor = conversations.visitor_id == bindparam("visitor_id", type_=String)
    return [of_portal, visitor, ~known, ~later_reply]


def sent_payload(organization_id: ColumnElement[Any]) -> ColumnElement[Any]:
    """SENT's job payload as `jobs.dump(MessageStatus(...))` writes it, the organization the
    conversation's."""

    def key(name: str) -> ColumnElement[Any]:
        return literal_column(f"'{name}'")

    return func.json_build_object(
        key("status"), key("SENT"),
        key("message_id"), sql_cast(bindparam("id"), String),
        key("organization_id"), organization_id,
        key("hubspot_id"), sql_cast(bindparam("hubspot_message_id"), String),
        type_=JOBS.c.payload.type,
    )  # fmt: skip


def _take_unlooked() -> Hot:
    """SQLite: the conversation's next `seq`, taken only when the checks hold and the conversation
    is not closed: its `last_seq`, visitor, state and organization, and the portal's connection,
    or no row (nothing written). A write transaction on SQLite sees the latest commit and holds
    the write lock from here on: no reply can be written in between."""
    conversations, of_portal = CONVERSATIONS.c, CONNECTIONS.alias("of_portal").c
    # SQLite's RETURNING names the updated table's columns bare, and a bare name in the subquery
    # would be the connection's own: the conversation's column is spelled out.
    connection = (
        select(of_portal.id)
        .where(
            of_portal.organization_id == literal_column("conversations.organization_id"),
            of_portal.portal_id == bindparam("portal_id", type_=String),
        )
        .limit(1)
        .scalar_subquery()
    )
    return Hot(
        update(CONVERSATIONS)
        .where(
            conversations.id == bindparam("conversation_id"),
            conversations.state != ConversationState.CLOSED.value,
            *unlooked_checks(),
        )
        .values(last_seq=conversations.last_seq + 1, updated_at=bindparam("now"))
        .returning(
            conversations.last_seq, conversations.visitor_id, conversations.state,
            conversations.organization_id, connection.label("connection_id"),
        )  # fmt: skip
    )


TAKE_UNLOOKED = _take_unlooked()
# The `seq` taken back, when the delivery turned out to be stored before: nothing was written
# since in the conversation (the transaction holds SQLite's write lock).
GIVE_BACK = Hot(
    update(CONVERSATIONS)
    .where(
        CONVERSATIONS.c.id == bindparam("conversation_id"),
        CONVERSATIONS.c.last_seq == bindparam("seq"),
    )
    .values(last_seq=CONVERSATIONS.c.last_seq - 1)
)
