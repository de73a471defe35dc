"""Inbound HubSpot webhooks: each event is stored (once, keyed by HubSpot's id) before HubSpot
gets its 2xx. A rep's plain reply is applied in that same transaction (`rep_replies.
deliver_at_once`); every other event is processed from its row right after the answer, with the
`hubspot.inbound` outbox job as the safety net, routed through the event → handler table in
`handlers.py`. Unknown events are stored and reported.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ... import events
from ...conversations import Effects
from ...db import commit, dialect_of, insert_or_skip
from ...files import FileStore
from ...jobs import InboundDelivery, dump
from ...models import (
    DeliveryState,
    HubSpotConnection,
    JobState,
    OutboxJob,
    WebhookDelivery,
    new_id,
    utcnow,
)
from ...outbox import Wakeup, enqueue
from ...vault import Vault
from ..api.client import HubSpotClient
from ..api.integration import HubSpot
from ..connect.connections import portal_client
from .parse import Received
from .ticket_stages import TicketStages

log = logging.getLogger(__name__)

ACTOR_CACHE_SIZE = 10_000
# How long the worker leaves a new delivery to the process that received it.
FAST_PATH_GRACE_S = 10.0


@dataclass(frozen=True)
class Stored:
    """What became of a delivery's events: new rows, redeliveries, unknown types."""

    new: int = 0
    duplicate: int = 0
    unknown: int = 0
    ids: tuple[str, ...] = ()  # the new deliveries still to process


# What writes an event's effect in the transaction that stores it.
Apply = Callable[[], Awaitable[None]]
# Looks at a just-received event: its `Apply` when that needs no network, else None (the
# processing job applies it).
AtOnce = Callable[[AsyncSession, Received], Awaitable[Apply | None]]


async def store_events(
    session: AsyncSession,
    wakeup: Wakeup,
    source: str,
    received: Sequence[Received],
    known: Sequence[str],
    organization_id: str | None = None,
    at_once: AtOnce | None = None,
) -> Stored:
    """Insert each event once; a known one is applied at once (`at_once`, and its row is stored
    as done) or gets its processing job, in the same transaction."""
    duplicate = unknown = applied = 0
    ids: list[str] = []
    for event in received:
        delivery_id = new_id()
        is_known = event.event_type in known
        apply = await at_once(session, event) if is_known and at_once is not None else None
        state = (
            DeliveryState.DONE if apply is not None
            else DeliveryState.RECEIVED if is_known
            else DeliveryState.UNKNOWN
        )  # fmt: skip
        if not await _insert(session, delivery_id, source, event, organization_id, state):
            duplicate += 1
        elif apply is not None:
            await apply()
            applied += 1
        elif is_known:
            ids.append(delivery_id)
            await _enqueue(session, wakeup, delivery_id, event)
        else:
            unknown += 1
            log.warning("unknown HubSpot %s event %r stored as %s", source, event.event_type,
                        delivery_id)  # fmt: skip
    return Stored(len(ids) + applied, duplicate, unknown, tuple(ids))


async def _insert(
    session: AsyncSession,
    delivery_id: str,
    source: str,
    event: Received,
    organization_id: str | None,
    state: DeliveryState,
) -> bool:
    now = utcnow()
    values = dict(
        id=delivery_id,
        organization_id=organization_id,
        external_id=event.external_id,
        source=source,
        event_type=event.event_type[:100],
        payload=event.payload,
        state=state,
        received_at=now,
        processed_at=now if state == DeliveryState.DONE else None,
    )
    stmt = insert_or_skip(dialect_of(session), WebhookDelivery.__table__, "external_id")
    result = await session.execute(stmt, values)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def job_key(delivery_id: str) -> str:
    return f"{events.HUBSPOT_INBOUND}:{delivery_id}"


async def _enqueue(
    session: AsyncSession, wakeup: Wakeup, delivery_id: str, event: Received
) -> None:
    """The durable job is the safety net: the receiving process handles the delivery at once
    (`handlers.process_now`), so the worker only picks it up after a grace period."""
    key = job_key(delivery_id)
    await enqueue(
        session,
        wakeup,
        events.HUBSPOT_INBOUND,
        dump(InboundDelivery(delivery_id)),
        ordering_key=ordering_key(event),
        dedupe_key=key,
    )
    await session.execute(
        update(OutboxJob)
        .where(OutboxJob.dedupe_key == key)
        .values(run_after=utcnow() + timedelta(seconds=FAST_PATH_GRACE_S))
    )


def ordering_key(event: Received) -> str:
    """Events of one HubSpot thread are processed in the order they were stored."""
    payload = event.payload
    thread = (payload.get("message") or {}).get("conversationsThreadId")
    if thread is None and str(payload.get("subscriptionType", "")).startswith("conversation."):
        thread = payload.get("objectId")
    if thread is not None:
        return f"hubspot:thread:{thread}"[:64]
    return f"hubspot:object:{payload.get('objectId', event.external_id)}"[:64]


async def connection_by_token(session: AsyncSession, token: str) -> HubSpotConnection | None:
    return await session.scalar(
        select(HubSpotConnection).where(HubSpotConnection.webhook_token == token)
    )


async def mark_processed(
    session: AsyncSession,
    delivery_id: str,
    state: DeliveryState = DeliveryState.DONE,
    error: str | None = None,
) -> None:
    """Mark a delivery processed, in the transaction that applied its effect."""
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(state=state, error=error, processed_at=utcnow())
    )


async def settle(
    session: AsyncSession,
    delivery_id: str,
    state: DeliveryState = DeliveryState.DONE,
    error: str | None = None,
) -> None:
    """Mark a delivery processed, in the transaction that applied its effect; its safety-net
    job has nothing left to do."""
    now = utcnow()
    await mark_processed(session, delivery_id, state, error)
    await session.execute(
        update(OutboxJob)
        .where(OutboxJob.dedupe_key == job_key(delivery_id), OutboxJob.state == JobState.PENDING)
        .values(state=JobState.DONE, updated_at=now)
    )


@dataclass
class Inbound:
    """What processing a stored delivery needs; rep names are cached per portal and actor, and
    which ticket stages are closed per portal."""

    sessions: async_sessionmaker[AsyncSession]
    effects: Effects
    hubspot: HubSpot
    vault: Vault
    files: FileStore
    actors: dict[tuple[str, str], str] = field(default_factory=dict)
    stages: TicketStages = field(default_factory=TicketStages)

    def client(self, connection: HubSpotConnection) -> HubSpotClient:
        return portal_client(self.hubspot, self.sessions, self.vault, connection)

    def known_actor(self, connection: HubSpotConnection, actor_id: str | None) -> str | None:
        """The rep's name if it is cached (no network)."""
        return self.actors.get((connection.portal_id or "", actor_id)) if actor_id else None

    async def actor_name(self, connection: HubSpotConnection, actor_id: str | None) -> str | None:
        if not actor_id:
            return None
        key = (connection.portal_id or "", actor_id)
        if key not in self.actors:
            actor = await self.client(connection).get_actor(actor_id)
            if len(self.actors) >= ACTOR_CACHE_SIZE:
                self.actors.pop(next(iter(self.actors)))
            self.actors[key] = actor.name or actor.email or actor_id
        return self.actors[key]

    async def skip(
        self, delivery_id: str, why: str, state: DeliveryState = DeliveryState.DONE
    ) -> None:
        """Nothing to apply: record why on the row (visible with the delivery)."""
        log.info("HubSpot delivery %s: %s", delivery_id, why)
        async with self.sessions() as session:
            await settle(session, delivery_id, state, why)
            await commit(session)
