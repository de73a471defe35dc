"""What HubSpot posts to relaydesk, parsed into types at the boundary.

Two senders: the custom channel's `webhookUrl` (rep replies, `OUTGOING_CHANNEL_MESSAGE_CREATED`,
one object or an array) and the app's webhook subscriptions (always an array of events).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, ValidationError, field_validator

from .shapes import Shape

REP_MESSAGE = "OUTGOING_CHANNEL_MESSAGE_CREATED"
PROPERTY_CHANGE = "conversation.propertyChange"
NEW_MESSAGE = "conversation.newMessage"
TICKET_CHANGE = "ticket.propertyChange"


class MalformedEvent(Exception):
    """The body is not JSON, or not an event (or list of events) of the expected shape."""


class Participant(Shape):
    actor_id: str | None = None
    name: str | None = None


class RepMessage(Shape):
    """A message as HubSpot shows it: on the channel webhook, or fetched from a thread."""

    id: str
    type: str = "MESSAGE"
    text: str = ""
    conversations_thread_id: str | None = None
    channel_id: str | None = None
    channel_account_id: str | None = None
    direction: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    senders: list[Participant] = Field(default_factory=list)
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    client: dict[str, Any] = Field(default_factory=dict)

    @field_validator("created_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """HubSpot's times are UTC; one sent without a zone is read as such."""
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value

    @property
    def sender_actor(self) -> str | None:
        return next((s.actor_id for s in self.senders if s.actor_id), self.created_by)

    @property
    def sender_name(self) -> str | None:
        return next((s.name for s in self.senders if s.name), None)

    @property
    def from_integration(self) -> bool:
        """Published through a channel integration (ours), not typed by a rep."""
        return self.client.get("clientType") == "INTEGRATION"


class ChannelEvent(Shape):
    type: str
    portal_id: str | None = None
    channel_id: str | None = None
    channel_integration_thread_ids: list[str] = Field(default_factory=list)
    message: RepMessage | None = None


class AppEvent(Shape):
    event_id: int | str
    subscription_type: str
    portal_id: int | str | None = None
    object_id: int | str
    occurred_at: int = 0
    property_name: str | None = None
    property_value: str | None = None
    message_id: str | None = None
    message_type: str | None = None


@dataclass(frozen=True)
class Received:
    """One event of a delivery: HubSpot's id for it, its type, and the event as sent."""

    external_id: str
    event_type: str
    payload: dict[str, Any]


def _objects(body: bytes) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise MalformedEvent("the body is not JSON") from exc
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items or not all(isinstance(item, dict) for item in items):
        raise MalformedEvent("expected an event object or a non-empty array of them")
    return items


def channel_events(body: bytes) -> list[Received]:
    """Channel events; a rep message is keyed by HubSpot's message id, others by their content.
    Replies sent together are taken in the order HubSpot created them."""
    found = []
    for item in _objects(body):
        try:
            event = ChannelEvent.model_validate(item)
        except ValidationError as exc:
            raise MalformedEvent(f"not a channel event: {exc.error_count()} errors") from exc
        if event.message is not None:
            key = f"channel:message:{event.message.id}"
        else:
            digest = hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()
            key = f"channel:{event.type}:{digest[:32]}"
        found.append((_created(event), Received(key, event.type, item)))
    found.sort(key=lambda pair: pair[0])
    return [received for _, received in found]


def _created(event: ChannelEvent) -> float:
    created = event.message.created_at if event.message is not None else None
    return created.timestamp() if created is not None else 0.0


def app_events(body: bytes) -> list[Received]:
    """Subscription events, keyed by their portal and HubSpot's `eventId` (one app URL serves
    every portal, and event ids are HubSpot's per portal)."""
    found = []
    for item in _objects(body):
        try:
            event = AppEvent.model_validate(item)
        except ValidationError as exc:
            raise MalformedEvent(f"not a subscription event: {exc.error_count()} errors") from exc
        key = f"app:{event.portal_id or '-'}:{event.event_id}"
        found.append(Received(key, event.subscription_type, item))
    return found
