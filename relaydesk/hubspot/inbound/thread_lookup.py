"""Which conversation a HubSpot event names, within the event's portal only: by our integration
thread id (our conversation id, on channel events) first, then by HubSpot's thread id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, exists, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from ...models import Conversation, HubSpotConnection, Message, Role


@dataclass(frozen=True)
class Target:
    conversation_id: str
    visitor_id: str
    connection: HubSpotConnection
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
    matches: list[ColumnElement[bool]] = [Conversation.id.in_(ours)] if ours else []
    matches += [Conversation.hubspot_thread_id == ref.thread_id] if ref.thread_id else []
    if not matches or not ref.portal_id:
        return None
    known = (
        exists().where(Message.hubspot_message_id == hubspot_message_id)
        if hubspot_message_id is not None
        else literal(False)
    )
    by_ours = case((Conversation.id.in_(ours), 0), else_=1) if ours else literal(1)
    latest_reply = (
        select(Message.created_at)
        .where(
            Message.conversation_id == Conversation.id,
            Message.seq == Conversation.last_seq,
            Message.role == Role.AGENT,
            Message.hubspot_message_id.is_not(None),
        )
        .scalar_subquery()
    )
    query = (
        select(
            Conversation.id,
            Conversation.visitor_id,
            HubSpotConnection,
            known.label("known"),
            Conversation.last_seq,
            latest_reply.label("latest_reply_at"),
        )
        .join(HubSpotConnection, HubSpotConnection.organization_id == Conversation.organization_id)
        .where(HubSpotConnection.portal_id == ref.portal_id, or_(*matches))
        .order_by(by_ours, Conversation.created_at.desc())
    )
    if organization_id is not None:
        query = query.where(Conversation.organization_id == organization_id)
    row = (await session.execute(query.limit(1))).first()
    if row is None:
        return None
    return Target(
        row.id,
        row.visitor_id,
        row.HubSpotConnection,
        bool(row.known),
        row.last_seq,
        row.latest_reply_at,
    )
