"""A rep's reply reaching the visitor: the agent message, with the rep's name and files.

One way to write it (`write_reply`), at one of two moments. A plain reply whose rep name is known
is written in the transaction that stores its webhook delivery (`ready_reply`, then `write_ready`;
on SQLite, when the event names its conversation and visitor, `reply_unlooked` without the
lookup), so its frame leaves as HubSpot's answer is committed. Any other is written by its
delivery's `hubspot.inbound` job (`rep_message`, `deliver`): the network calls (rep name, files)
first, then one transaction that writes the message and settles the delivery, so a re-run finds
nothing left to do. A reply after the close reopens the conversation; one that cannot be delivered
(no conversation, a file HubSpot cannot give us) is reported FAILED, naming why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ... import events
from ...closing import reopen_conversation
from ...conversations import Slot, insert_message, next_slot
from ...db import commit
from ...handoffs import rep_takes_over
from ...messages import append_outside_state
from ...models import Attachment, Conversation, HubSpotConnection, Message, WebhookDelivery
from ...models.states import ConversationState, DeliveryState, Role
from ..api.shapes import Message as HubSpotMessage
from .delivery_status import SENT, report, report_failed
from .parse import REP_MESSAGE, ChannelEvent, Received
from .rep_files import fetch_file
from .reply_order import later_replies, move_to_end
from .store import Inbound, settle
from .thread_lookup import Target, ThreadRef, target_of


@dataclass(frozen=True)
class Skip:
    """Why a channel event is not a reply for a visitor of ours."""

    why: str
    state: DeliveryState = DeliveryState.DONE
    undeliverable: bool = False  # a reply HubSpot should hear FAILED about


async def _examine(
    session: AsyncSession, event: ChannelEvent
) -> tuple[HubSpotMessage, Target] | Skip:
    """The rep's message and the conversation it answers, or why there is none."""
    message = event.message
    if message is None:
        return Skip("no message in the event", DeliveryState.FAILED)
    if message.from_integration:
        return Skip("our own message, echoed back")
    ours = tuple(event.channel_integration_thread_ids)
    ref = ThreadRef(event.portal_id, ours, message.conversations_thread_id)
    target = await target_of(session, ref, message.id)
    if target is None:
        why = "no conversation for this thread in this portal"
        return Skip(why, DeliveryState.FAILED, undeliverable=True)
    if target.message_known:
        return Skip("our own message, echoed back")
    return message, target


async def rep_message(inbound: Inbound, delivery: WebhookDelivery) -> None:
    """OUTGOING_CHANNEL_MESSAGE_CREATED: a rep replied on our channel."""
    event = ChannelEvent.model_validate(delivery.payload)
    async with inbound.sessions() as session:
        found = await _examine(session, event)
    if isinstance(found, Skip) and found.undeliverable:
        return await _undeliverable(inbound, delivery.id, event, found.why)
    if isinstance(found, Skip):
        return await inbound.skip(delivery.id, found.why, found.state)
    message, target = found
    await deliver(inbound, delivery.id, target, message)


async def _undeliverable(inbound: Inbound, delivery_id: str, event: ChannelEvent, why: str) -> None:
    """A reply to a thread with no conversation here (never ours, or since deleted): HubSpot
    hears FAILED, through a connection of the event's portal."""
    assert event.message is not None
    async with inbound.sessions() as session:
        organization_id = await session.scalar(
            select(HubSpotConnection.organization_id)
            .where(HubSpotConnection.portal_id == event.portal_id)
            .order_by((HubSpotConnection.channel_id == event.channel_id).desc())
            .limit(1)
        )
        if organization_id is not None:
            await report_failed(
                session,
                inbound.effects.wakeup,
                event.message,
                organization_id,
                "The visitor's conversation no longer exists in relaydesk; nothing was delivered.",
            )
        await settle(session, delivery_id, DeliveryState.FAILED, why)
        await commit(session)


async def _known_message(session: AsyncSession, hubspot_message_id: str) -> bool:
    found = await session.scalar(
        select(Message.id).where(Message.hubspot_message_id == hubspot_message_id)
    )
    return found is not None


async def deliver(
    inbound: Inbound, delivery_id: str, target: Target, message: HubSpotMessage
) -> None:
    """The rep's reply becomes an agent message pushed to the visitor (once). A file HubSpot
    cannot give us is left out, and HubSpot hears FAILED naming it; the text still goes."""
    name = message.sender_name or inbound.known_actor(target.portal_id, message.sender_actor)
    fetched: list[Attachment | str | None] = []
    if (name is None and message.sender_actor) or message.attachments:
        connection = await inbound.connection(target.connection_id)
        name = name or await inbound.actor_name(connection, message.sender_actor)
        fetched = [await fetch_file(inbound, connection, item) for item in message.attachments]
    attachments = [a for a in fetched if isinstance(a, Attachment)]
    missing = [why for why in fetched if isinstance(why, str)]
    organization_id, wakeup = target.organization_id, inbound.effects.wakeup
    async with inbound.sessions() as session:
        if await _known_message(session, message.id):
            return await inbound.skip(delivery_id, "already delivered")
        if missing and not message.text.strip() and not attachments:
            why = "; ".join(missing) + "; nothing else to deliver"
            await report_failed(session, wakeup, message, organization_id, why)
            await settle(session, delivery_id, DeliveryState.FAILED, why)
            return await commit(session)
        stored = await write_reply(session, inbound, target, message, name, attachments, missing)
        if missing:
            why = "; ".join(missing) + "; the rest was delivered"
            await report_failed(session, wakeup, message, organization_id, why, stored)
        await settle(session, delivery_id, error="; ".join(missing) or None)
        try:
            await commit(session)
        except IntegrityError:  # the same reply, delivered by a concurrent run
            await inbound.skip(delivery_id, "already delivered")


@dataclass(frozen=True)
class Ready:
    """A reply that needs no network: the rep's message, its conversation, the rep's name."""

    message: HubSpotMessage
    target: Target
    name: str | None


async def ready_reply(inbound: Inbound, session: AsyncSession, event: Received) -> Ready | None:
    """The just-received event as a reply to write in the transaction that stores it: one with
    no files and the rep's name known (in the event or cached). Anything else, including what
    `rep_message` would skip, is left to the delivery's job (None)."""
    if event.event_type != REP_MESSAGE or event.channel is None:
        return None
    found = await _examine(session, event.channel)
    if isinstance(found, Skip):
        return None
    message, target = found
    name = message.sender_name or inbound.known_actor(target.portal_id, message.sender_actor)
    if message.attachments or (name is None and message.sender_actor):
        return None
    return Ready(message, target, name)


async def write_ready(inbound: Inbound, session: AsyncSession, ready: Ready) -> None:
    await write_reply(session, inbound, ready.target, ready.message, ready.name, [])


async def write_reply(
    session: AsyncSession,
    inbound: Inbound,
    target: Target,
    message: HubSpotMessage,
    name: str | None,
    attachments: list[Attachment],
    missing: Sequence[str] = (),
    taken: Slot | None = None,
) -> Message:
    """The agent message in HubSpot's `createdAt` order (at the slot `taken`, if the caller took
    one), the conversation's state (a reply after the close reopens it), and SENT if a widget of
    the visitor is connected here, its job run by this process's worker as the caller commits,
    without a claim (a visitor who is offline gets SENT on return; a reply missing a file stays
    FAILED)."""
    fields: dict[str, Any] = dict(author_name=name, hubspot_message_id=message.id)
    if message.created_at is not None:
        fields["created_at"] = message.created_at
    # PostgreSQL: the slot and the row in one statement, unless the conversation is closed.
    written = None if taken else await append_outside_state(
        session, inbound.effects, target.conversation_id, ConversationState.CLOSED, Role.AGENT,
        message.text, attachments=attachments, **fields,
    )  # fmt: skip
    if written is None:
        slot = taken or await _open_slot(session, inbound, target.conversation_id)
        stored = await insert_message(
            session, inbound.effects, slot, Role.AGENT, message.text, attachments=attachments,
            **fields,
        )  # fmt: skip
    else:
        slot, stored = written
    session.add_all(attachments)  # pointing at the row written
    later = await later_than(session, slot, message, target.last_seq, target.latest_reply_at)
    if later:
        await move_to_end(session, inbound.effects, slot.conversation_id, later)
    if slot.state in (ConversationState.AI, ConversationState.PENDING_HUMAN):
        await rep_takes_over(session, inbound.effects, target.conversation_id, name)
    if not missing and await inbound.effects.hub.online(events.visitor_channel(target.visitor_id)):
        wakeup, organization_id = inbound.effects.wakeup, target.organization_id
        await report(session, wakeup, stored, SENT, organization_id, run_here=True)
    return stored


async def _open_slot(session: AsyncSession, inbound: Inbound, conversation_id: str) -> Slot:
    """The conversation's next `seq`; a closed conversation is reopened first (its notice takes
    the slot, and the reply the next)."""
    slot = await next_slot(session, conversation_id)
    assert slot is not None
    if slot.state == ConversationState.CLOSED:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        await reopen_conversation(session, inbound.effects, conversation, slot)
        slot = await next_slot(session, conversation_id)
        assert slot is not None
    return slot


async def later_than(
    session: AsyncSession,
    slot: Slot,
    message: HubSpotMessage,
    seen_seq: int,
    seen_reply_at: datetime | None,
) -> list[str]:
    """The replies this one belongs before (`reply_order`). When nothing was written since the
    lookup (it saw the last `seq` and when HubSpot created the latest message, if a rep's reply),
    it already told whether the latest message is a later-created reply: the common case (a
    reply newer than everything) costs no statement."""
    created = message.created_at
    if created is None:
        return []
    if slot.seq == seen_seq + 1 and (seen_reply_at is None or seen_reply_at <= created):
        return []
    return await later_replies(session, slot.conversation_id, slot.seq, created)
