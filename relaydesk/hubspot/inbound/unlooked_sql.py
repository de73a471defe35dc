"""PostgreSQL: what the lookup before a rep reply's one statement checks, made by the statement
itself (`reply_unlooked`): the conversation is of the event's portal and of the visitor the reply
is for, HubSpot's message is not one of ours yet, and no reply HubSpot created later is the
conversation's latest message. SENT's payload names the conversation's organization."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, String, Table, bindparam, exists, func, literal_column
from sqlalchemy import cast as sql_cast

from ...messages import CONVERSATIONS
from ...models import HubSpotConnection, Message, OutboxJob, Role

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
