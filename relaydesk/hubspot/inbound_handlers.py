"""The event → handler table for stored HubSpot deliveries, and the app subscription handlers:
assignment ("<rep> joined"), a closed thread (the conversation ends), a new message on a thread
HubSpot owns, and ticket properties copied into the conversation's custom data.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..closing import close_conversation
from ..conversations import add_message, announce_state
from ..db import commit
from ..models import Conversation, HubSpotConnection, Message, WebhookDelivery
from .inbound_events import (
    NEW_MESSAGE,
    PROPERTY_CHANGE,
    REP_MESSAGE,
    TICKET_CHANGE,
    AppEvent,
    RepMessage,
)
from .rep_replies import Target, ThreadRef, deliver, rep_message, target_of
from .webhooks import Inbound, settle

log = logging.getLogger(__name__)

Handler = Callable[[Inbound, WebhookDelivery], Awaitable[None]]
JOINED = "{name} joined the conversation"


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
    if event.property_name == "status" and event.property_value == "CLOSED":
        async with inbound.sessions() as session:
            conversation = await session.get(Conversation, target.conversation_id)
            assert conversation is not None
            await close_conversation(session, inbound.effects, conversation, by="agent")
            await settle(session, delivery.id)
            await commit(session)
        return None
    return await inbound.skip(delivery.id, f"{event.property_name} change needs nothing")


async def _assigned(
    inbound: Inbound, delivery: WebhookDelivery, target: Target, user_id: str
) -> None:
    name = await inbound.actor_name(target.connection, f"A-{user_id}") if user_id else None
    async with inbound.sessions() as session:
        conversation = await session.get(Conversation, target.conversation_id)
        assert conversation is not None
        conversation.assignee = name
        if name and conversation.state != "closed":
            await add_message(
                session, inbound.effects, conversation, "system", JOINED.format(name=name)
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
    fetched = await inbound.client(target.connection).get_thread_message(
        str(event.object_id), event.message_id
    )
    message = RepMessage.model_validate(fetched.model_dump(by_alias=True))
    if message.type != "MESSAGE" or message.direction != "OUTGOING":
        return await inbound.skip(delivery.id, "not a reply to the visitor")
    if message.channel_id and message.channel_id == target.connection.channel_id:
        # Our custom channel: the channel webhook carries the reply (with the rep's name).
        return await inbound.skip(delivery.id, "delivered by the channel webhook")
    await deliver(inbound, delivery.id, target, message)


async def ticket_change(inbound: Inbound, delivery: WebhookDelivery) -> None:
    event = AppEvent.model_validate(delivery.payload)
    in_portal = select(HubSpotConnection.organization_id).where(
        HubSpotConnection.portal_id == str(event.portal_id)
    )
    query = select(Conversation).where(
        Conversation.organization_id.in_(in_portal),
        Conversation.hubspot_ticket_id == str(event.object_id),
    )
    if delivery.organization_id is not None:
        query = query.where(Conversation.organization_id == delivery.organization_id)
    async with inbound.sessions() as session:
        conversation = await session.scalar(query.order_by(Conversation.created_at.desc()).limit(1))
        if conversation is None:
            await session.rollback()
            return await inbound.skip(delivery.id, "no conversation for this ticket")
        ticket: dict[str, Any] = dict(conversation.custom_data.get("hubspot_ticket") or {})
        ticket[event.property_name or ""] = event.property_value
        conversation.custom_data = {**conversation.custom_data, "hubspot_ticket": ticket}
        await settle(session, delivery.id)
        await commit(session)
    return None


HANDLERS: dict[str, Handler] = {
    REP_MESSAGE: rep_message,
    PROPERTY_CHANGE: property_change,
    NEW_MESSAGE: new_message,
    TICKET_CHANGE: ticket_change,
}


async def process(inbound: Inbound, delivery_id: str) -> None:
    """Route one stored delivery to its handler; a processed one is left alone."""
    async with inbound.sessions() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.state != "received":
        return  # processed already (the fast path, or a re-run after a crash)
    await HANDLERS[delivery.event_type](inbound, delivery)


async def process_now(inbound: Inbound, delivery_ids: Sequence[str]) -> None:
    """The receiving process handles its deliveries right after answering HubSpot (settling a
    delivery completes its safety-net job); on failure the worker retries after a grace period."""
    for delivery_id in delivery_ids:
        try:
            await process(inbound, delivery_id)
        except Exception:  # the durable job still holds the delivery; it is retried from there
            log.exception("HubSpot delivery %s left to the worker", delivery_id)


@dataclass(frozen=True)
class InboundJob:
    """The `hubspot.inbound` job: the safety net for a delivery the fast path did not finish."""

    inbound: Inbound

    async def __call__(self, payload: dict[str, Any]) -> None:
        await process(self.inbound, str(payload["delivery_id"]))
