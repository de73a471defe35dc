"""Inbound HubSpot webhooks stored: each event once, keyed by HubSpot's id, in the transaction
that answers HubSpot; a new event that is not applied in that transaction gets its
`hubspot.inbound` outbox job there, which the receiving process runs right after the answer and
the worker after a while if that did not settle it (`handlers.py` routes it). `Inbound` is what
processing a stored delivery needs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import JSON, Dialect, Table, TypeDecorator, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ... import events
from ...conversations import Effects
from ...db import commit, dialect_of, hot_insert_or_skip
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
DELIVERIES = cast(Table, WebhookDelivery.__table__)
# No row back when HubSpot sent it before.
INSERT_DELIVERY = hot_insert_or_skip(DELIVERIES, "external_id", returning=DELIVERIES.c.id)


class JSONText(TypeDecorator[str]):
    """JSON text stored as given (an event as HubSpot sent it), where `JSON` serializes."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


# The same, with the event's own text as the payload.
INSERT_SENT_TEXT = hot_insert_or_skip(
    DELIVERIES, "external_id", returning=DELIVERIES.c.id, types={"payload": JSONText()}
)
# How long the worker leaves a new delivery's job to the process that received it.
RECEIVER_HOLDS_S = 10.0


@dataclass
class Stored:
    """What became of a delivery's events: new rows, redeliveries, unknown types."""

    new: int = 0
    duplicate: int = 0
    unknown: int = 0


async def store(
    session: AsyncSession,
    source: str,
    event: Received,
    organization_id: str | None,
    state: DeliveryState,
) -> str | None:
    """Insert the event's delivery row once: its id, or None when HubSpot sent it before."""
    values = delivery_row(source, event, organization_id, state)
    statements = INSERT_DELIVERY if event.text is None else INSERT_SENT_TEXT
    inserted = await statements[dialect_of(session)].first(session, values)
    return values["id"] if inserted is not None else None


def delivery_row(
    source: str, event: Received, organization_id: str | None, state: DeliveryState
) -> dict[str, Any]:
    """The delivery's row, as received now: its payload the event's own text when it has one."""
    now = utcnow()
    return dict(
        id=new_id(),
        organization_id=organization_id,
        external_id=event.external_id,
        source=source,
        event_type=event.event_type[:100],
        payload=event.payload if event.text is None else event.text,
        state=state,
        error=None,
        received_at=now,
        processed_at=now if state == DeliveryState.DONE else None,
    )


def job_key(delivery_id: str) -> str:
    return f"{events.HUBSPOT_INBOUND}:{delivery_id}"


async def enqueue_processing(
    session: AsyncSession, wakeup: Wakeup, delivery_id: str, event: Received
) -> None:
    """The delivery's `hubspot.inbound` job. The receiving process runs it right after answering
    HubSpot (`handlers.process_now`), so it is held from the worker for `RECEIVER_HOLDS_S`; after
    that (the process died, or the run failed) the worker runs it until the delivery is settled."""
    key = job_key(delivery_id)
    payload = dump(InboundDelivery(delivery_id))
    await enqueue(
        session, wakeup, events.HUBSPOT_INBOUND, payload, ordering_key=ordering_key(event),
        dedupe_key=key,
    )  # fmt: skip
    held = utcnow() + timedelta(seconds=RECEIVER_HOLDS_S)
    await session.execute(
        update(OutboxJob).where(OutboxJob.dedupe_key == key).values(run_after=held)
    )


def ordering_key(event: Received) -> str:
    """Events of one HubSpot thread are processed by the worker in the order they were stored."""
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


async def settle(
    session: AsyncSession,
    delivery_id: str,
    state: DeliveryState = DeliveryState.DONE,
    error: str | None = None,
) -> None:
    """Mark a delivery processed, in the transaction that applied its effect; its job, if the
    worker has not taken it, has nothing left to do."""
    now = utcnow()
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(state=state, error=error, processed_at=now)
    )
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

    def known_actor(self, portal_id: str, actor_id: str | None) -> str | None:
        """The rep's name if it is cached (no network)."""
        return self.actors.get((portal_id, actor_id)) if actor_id else None

    async def connection(self, connection_id: str) -> HubSpotConnection:
        """The connection, read for a call to HubSpot (its tokens)."""
        async with self.sessions() as session:
            return await session.get_one(HubSpotConnection, connection_id)

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
