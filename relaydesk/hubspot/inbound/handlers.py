"""The event → handler table for stored HubSpot deliveries, and the app subscription handlers:
assignment ("<rep> joined"), a thread closed or reopened (so is the conversation), a new message
on a thread HubSpot owns, and ticket properties copied into the conversation's custom data (a
ticket moved to a closed stage ends the conversation); a contact deleted for privacy reasons
erases its visitors (`privacy_deletion.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ...closing import close_conversation, reopen_conversation
from ...conversations import add_message, announce_state
from ...db import commit
from ...jobs import InboundDelivery, load
from ...models import (
    Closer,
    Conversation,
    ConversationState,
    DeliveryState,
    HubSpotConnection,
    Message,
    Role,
    WebhookDelivery,
)
from .parse import (
    NEW_MESSAGE,
    PRIVACY_DELETION,
    PROPERTY_CHANGE,
    REP_MESSAGE,
    TICKET_CHANGE,
    AppEvent,
)
from .privacy_deletion import privacy_deletion
from .rep_replies import deliver, rep_message
from .store import Inbound, settle
from .thread_lookup import Target, ThreadRef, target_of

log = logging.getLogger(__name__)

Handler = Callable[[Inbound, WebhookDelivery], Awaitable[None]]
JOINED = "{name} joined the conversation"
STAGE = "hs_pipeline_stage"


async def _thread_target(inbound: Inbound, delivery: WebhookDelivery) -> Target | None:
    """The conversation of the event's thread, looked for in the event's portal only."""
    event = AppEvent.model_validate(delivery.payload)
    portal = str(event.portal_id) if event.portal_id is not None else None
    ref = ThreadRef(portal, thread_id=str(event.object_id))
    async with inbound.sessions() as session:
        return await target_of(session, ref, organization_id=delivery.organization_id)


async def property_change(inbound: Inbound, delivery: WebhookDelivery) -> None:
    event = AppEvent.model_validate(delivery.payload)
    target = await _thread_target(inbound, delivery)
    if target is None:
        return await inbound.skip(delivery.id, "no conversation for this thread")
    if event.property_name == "assignedTo":
        return await _assigned(inbound, delivery, target, event.property_value or "")
    if event.property_name == "status" and event.property_value in ("CLOSED", "OPEN"):
        return await _status(inbound, delivery, target, event)
    return await inbound.skip(delivery.id, f"{event.property_name} change needs nothing")


async def _status(
    inbound: Inbound, delivery: WebhookDelivery, target: Target, event: AppEvent
) -> None:
    """The thread was closed (the conversation ends, CSAT offered) or reopened (it goes back to
    the rep)."""
    async with inbound.sessions() as session:
        conversation = await session.get(Conversation, target.conversation_id)
        assert conversation is not None
        outdated = await _outdated(session, conversation, event)
        if outdated is not None:
            await session.rollback()
            return await inbound.skip(delivery.id, outdated)
        thread: dict[str, Any] = dict(conversation.custom_data.get("hubspot_thread") or {})
        thread |= {"status": event.property_value, "status_at": event.occurred_at}
        conversation.custom_data = {**conversation.custom_data, "hubspot_thread": thread}
        if event.property_value == "CLOSED":
            await close_conversation(session, inbound.effects, conversation, by=Closer.AGENT)
        else:
            await reopen_conversation(session, inbound.effects, conversation)
        await settle(session, delivery.id)
        await commit(session)
    return None


async def _outdated(
    session: AsyncSession, conversation: Conversation, event: AppEvent
) -> str | None:
    """Why a status change comes too late to apply: deliveries are processed concurrently, so a
    change older than the one applied last, or a close older than a rep's reply (which reopened
    the conversation), is left alone."""
    thread = conversation.custom_data.get("hubspot_thread") or {}
    if event.occurred_at < int(thread.get("status_at") or 0):
        return "a newer status change was applied"
    if event.property_value != "CLOSED" or not event.occurred_at:
        return None
    closed_at = datetime.fromtimestamp(event.occurred_at / 1000, UTC)
    replied = await session.scalar(
        select(Message.id)
        .where(
            Message.conversation_id == conversation.id,
            Message.role == Role.AGENT,
            Message.hubspot_message_id.is_not(None),
            Message.created_at > closed_at,
        )
        .limit(1)
    )
    return "a rep replied after this close" if replied is not None else None


async def _assigned(
    inbound: Inbound, delivery: WebhookDelivery, target: Target, user_id: str
) -> None:
    name = None
    if user_id:
        connection = await inbound.connection(target.connection_id)
        name = await inbound.actor_name(connection, f"A-{user_id}")
    async with inbound.sessions() as session:
        conversation = await session.get(Conversation, target.conversation_id)
        assert conversation is not None
        conversation.assignee = name
        if name and conversation.state != ConversationState.CLOSED:
            await add_message(
                session, inbound.effects, conversation, Role.SYSTEM, JOINED.format(name=name)
            )
        announce_state(session, inbound.effects, conversation)
        await settle(session, delivery.id)
        await commit(session)


async def new_message(inbound: Inbound, delivery: WebhookDelivery) -> None:
    """A message on a thread HubSpot owns; ours and internal notes never reach the widget."""
    event = AppEvent.model_validate(delivery.payload)
    if event.message_type != "MESSAGE" or not event.message_id:
        return await inbound.skip(delivery.id, f"{event.message_type} is not for the visitor")
    async with inbound.sessions() as session:
        known = await session.scalar(
            select(Message.id).where(Message.hubspot_message_id == event.message_id)
        )
    if known is not None:
        return await inbound.skip(delivery.id, "a message we already have")
    target = await _thread_target(inbound, delivery)
    if target is None:
        return await inbound.skip(delivery.id, "no conversation for this thread")
    connection = await inbound.connection(target.connection_id)
    client = inbound.client(connection)
    message = await client.get_thread_message(str(event.object_id), event.message_id)
    if message.type != "MESSAGE" or message.direction != "OUTGOING":
        return await inbound.skip(delivery.id, "not a reply to the visitor")
    if message.channel_id and message.channel_id == connection.channel_id:
        # Our custom channel: the channel webhook carries the reply (with the rep's name).
        return await inbound.skip(delivery.id, "delivered by the channel webhook")
    await deliver(inbound, delivery.id, target, message)


async def ticket_change(inbound: Inbound, delivery: WebhookDelivery) -> None:
    """A ticket property changed: kept on the conversation; a closed stage ends the chat as
    closing the thread does."""
    event = AppEvent.model_validate(delivery.payload)
    async with inbound.sessions() as session:
        found = await _ticket_target(session, event, delivery.organization_id)
    if found is None:
        return await inbound.skip(delivery.id, "no conversation for this ticket")
    conversation_id, connection = found
    closes = event.property_name == STAGE and await inbound.stages.closed(
        inbound.client(connection), connection.portal_id or "", event.property_value or ""
    )
    async with inbound.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        ticket: dict[str, Any] = dict(conversation.custom_data.get("hubspot_ticket") or {})
        ticket[event.property_name or ""] = event.property_value
        conversation.custom_data = {**conversation.custom_data, "hubspot_ticket": ticket}
        if closes:
            await close_conversation(session, inbound.effects, conversation, by=Closer.AGENT)
        await settle(session, delivery.id)
        await commit(session)
    return None


async def _ticket_target(
    session: AsyncSession, event: AppEvent, organization_id: str | None
) -> tuple[str, HubSpotConnection] | None:
    """The newest conversation of the ticket, within the event's portal, with its connection."""
    query = (
        select(Conversation.id, HubSpotConnection)
        .join(HubSpotConnection, HubSpotConnection.organization_id == Conversation.organization_id)
        .where(
            HubSpotConnection.portal_id == str(event.portal_id),
            Conversation.hubspot_ticket_id == str(event.object_id),
        )
        .order_by(Conversation.created_at.desc())
        .limit(1)
    )
    if organization_id is not None:
        query = query.where(Conversation.organization_id == organization_id)
    row = (await session.execute(query)).first()
    return (row.id, row.HubSpotConnection) if row is not None else None


HANDLERS: dict[str, Handler] = {
    REP_MESSAGE: rep_message,
    PROPERTY_CHANGE: property_change,
    NEW_MESSAGE: new_message,
    TICKET_CHANGE: ticket_change,
    PRIVACY_DELETION: privacy_deletion,
}


async def process(inbound: Inbound, delivery_id: str) -> None:
    """Route one stored delivery to its handler; a processed one is left alone."""
    async with inbound.sessions() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.state != DeliveryState.RECEIVED:
        return  # processed already (by the receiving process, or before a crash)
    await HANDLERS[delivery.event_type](inbound, delivery)


async def process_now(inbound: Inbound, delivery_ids: Sequence[str]) -> None:
    """The receiving process runs its deliveries' jobs right after answering HubSpot (settling a
    delivery completes its job); on failure the worker runs them once they are no longer held."""
    for delivery_id in delivery_ids:
        try:
            await process(inbound, delivery_id)
        except Exception:  # the durable job still holds the delivery; it is retried from there
            log.exception("HubSpot delivery %s left to the worker", delivery_id)


@dataclass(frozen=True)
class InboundJob:
    """The `hubspot.inbound` job: a stored delivery processed, by the receiving process right
    after the answer (`process_now`), else by the worker until the delivery is settled."""

    inbound: Inbound

    async def __call__(self, payload: dict[str, Any]) -> None:
        await process(self.inbound, load(InboundDelivery, payload).delivery_id)
