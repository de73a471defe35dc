"""Receiving what HubSpot posts: the one call the web edge makes once a request's signature is
verified. The events are parsed and each is stored once, in the caller's transaction; a rep's
plain reply on the channel is applied in that same transaction (`rep_replies.deliver_at_once`),
and every other new event gets its safety-net outbox job there too. What is left to process
right after the caller has committed and answered HubSpot is the receipt's `process`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from .handlers import HANDLERS, process_now
from .parse import Received, app_events, channel_events
from .rep_replies import deliver_at_once
from .store import Apply, Inbound, Stored, store_events

Endpoint = Literal["channel", "app"]
PARSERS: dict[Endpoint, Callable[[bytes], list[Received]]] = {
    "channel": channel_events,
    "app": app_events,
}
# The event types with a handler; any other is stored as `unknown` and ignored.
KNOWN: Sequence[str] = tuple(HANDLERS)


@dataclass(frozen=True)
class Receipt:
    """What was stored, and the processing that follows the answer."""

    inbound: Inbound
    stored: Stored

    async def process(self) -> None:
        """The new deliveries not applied at once, handled in this process right after the
        answer; their outbox jobs take over whatever this does not finish."""
        await process_now(self.inbound, self.stored.ids)


async def receive(
    inbound: Inbound,
    session: AsyncSession,
    endpoint: Endpoint,
    body: bytes,
    organization_id: str | None = None,
) -> Receipt:
    """Parse `body` as `endpoint`'s events and store them (limited to `organization_id` when the
    URL named one); raises `MalformedEvent` for a body that is not HubSpot's events."""
    events = PARSERS[endpoint](body)

    async def at_once(session: AsyncSession, event: Received) -> Apply | None:
        return await deliver_at_once(inbound, session, event)

    stored = await store_events(
        session,
        inbound.effects.wakeup,
        endpoint,
        events,
        KNOWN,
        organization_id,
        at_once=at_once if endpoint == "channel" else None,
    )
    return Receipt(inbound, stored)
