"""Receiving what HubSpot posts: the one call the web edge makes once a request's signature is
verified. Each event is parsed and stored once, in the caller's transaction. A rep's plain reply
(no files, the rep's name known) is written in that same transaction, so its frame leaves as the
caller commits; every other new event gets its `hubspot.inbound` outbox job there, which the
receipt's `process` runs once the caller has committed and answered HubSpot (the worker runs it
only if that did not settle the delivery; `store.enqueue_processing`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from ...models import DeliveryState
from .handlers import HANDLERS, process_now
from .parse import Received, app_events, channel_events
from .rep_replies import ready_reply, write_ready
from .reply_at_once import write_at_once
from .reply_unlooked import write_unlooked
from .store import Inbound, Stored, enqueue_processing, store

log = logging.getLogger(__name__)

Endpoint = Literal["channel", "app"]
PARSERS: dict[Endpoint, Callable[[bytes], list[Received]]] = {
    "channel": channel_events,
    "app": app_events,
}


@dataclass
class Receipt:
    """What was stored, and the deliveries to process once HubSpot has its answer."""

    inbound: Inbound
    stored: Stored = field(default_factory=Stored)
    queued: list[str] = field(default_factory=list)

    async def process(self) -> None:
        """Run the queued deliveries' jobs here, now (their outbox rows are the fallback)."""
        await process_now(self.inbound, self.queued)


async def receive(
    inbound: Inbound,
    session: AsyncSession,
    endpoint: Endpoint,
    body: bytes,
    organization_id: str | None = None,
) -> Receipt:
    """Parse `body` as `endpoint`'s events and store them (limited to `organization_id` when the
    URL named one); raises `MalformedEvent` for a body that is not HubSpot's events."""
    receipt = Receipt(inbound)
    stored = receipt.stored
    for event in PARSERS[endpoint](body):
        if await write_unlooked(inbound, session, event, organization_id):
            stored.new += 1  # PostgreSQL: looked up and written whole by one statement
            continue
        ready = await ready_reply(inbound, session, event)
        if ready is not None and await write_at_once(
            inbound, session, event, organization_id, ready
        ):
            stored.new += 1  # PostgreSQL: written whole by one statement
            continue
        known = event.event_type in HANDLERS
        state = (
            DeliveryState.DONE if ready is not None
            else DeliveryState.RECEIVED if known
            else DeliveryState.UNKNOWN
        )  # fmt: skip
        delivery_id = await store(session, endpoint, event, organization_id, state)
        if delivery_id is None:
            stored.duplicate += 1
        elif ready is not None:
            await write_ready(inbound, session, ready)
            stored.new += 1
        elif known:
            await enqueue_processing(session, inbound.effects.wakeup, delivery_id, event)
            receipt.queued.append(delivery_id)
            stored.new += 1
        else:
            stored.unknown += 1
            log.warning("unknown HubSpot %s event %r stored as %s", endpoint, event.event_type,
                        delivery_id)  # fmt: skip
    return receipt
