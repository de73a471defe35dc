"""What HubSpot posts to relaydesk, parsed into types at the boundary.

Two senders: the custom channel's `webhookUrl` (rep replies, `OUTGOING_CHANNEL_MESSAGE_CREATED`,
one object or an array) and the app's webhook subscriptions (always an array of events).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, ValidationError

from ..api.shapes import MAX_ID, Message, Shape

REP_MESSAGE = "OUTGOING_CHANNEL_MESSAGE_CREATED"
PROPERTY_CHANGE = "conversation.propertyChange"
NEW_MESSAGE = "conversation.newMessage"
TICKET_CHANGE = "ticket.propertyChange"
PRIVACY_DELETION = "contact.privacyDeletion"  # a contact deleted in HubSpot for privacy reasons

# How deep an event's JSON may nest; HubSpot's go three or four levels down.
MAX_DEPTH = 32
# NUL and unpaired surrogates: PostgreSQL stores neither.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class MalformedEvent(Exception):
    """The body is not JSON, or not an event (or list of events) of the expected shape."""


class ChannelEvent(Shape):
    type: str
    portal_id: str | None = None
    channel_id: str | None = None
    channel_integration_thread_ids: list[str] = Field(default_factory=list)
    message: Message | None = None


class AppEvent(Shape):
    event_id: Annotated[int, Field(ge=0, lt=2**63)] | Annotated[str, Field(max_length=MAX_ID)]
    subscription_type: str = Field(max_length=100)
    portal_id: int | Annotated[str, Field(max_length=32)] | None = None
    object_id: int | str
    occurred_at: int = 0
    property_name: str | None = None
    property_value: str | None = None
    message_id: str | None = None
    message_type: str | None = None


@dataclass(frozen=True)
class Received:
    """One event of a delivery: HubSpot's id for it, its type, the event as sent (what is
    stored) and, from the channel, as parsed."""

    external_id: str
    event_type: str
    parsed: dict[str, Any] | None  # the event as JSON objects; None: read from `text` if asked
    channel: ChannelEvent | None = None
    # The payload's JSON text as HubSpot sent it, when the body was this one event: what is
    # stored, rather than the payload serialized again.
    text: str | None = None

    @functools.cached_property
    def payload(self) -> dict[str, Any]:
        if self.parsed is not None:
            return self.parsed
        assert self.text is not None  # one or the other is always given
        parsed: dict[str, Any] = json.loads(self.text)
        return parsed


def _objects(body: bytes) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise MalformedEvent("the body is not JSON") from exc
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items or not all(isinstance(item, dict) for item in items):
        raise MalformedEvent("expected an event object or a non-empty array of them")
    if _may_be_unstorable(body):
        _storable(items, 0)
    return items


def _may_be_unstorable(body: bytes) -> bool:
    """Whether `_storable` must walk the parsed body. Text holds NUL or a lone surrogate only
    through a `\\u` escape or raw surrogate bytes (JSON forbids a raw NUL; `json.loads` decodes
    with `surrogatepass`; a UTF-16 or UTF-32 body is full of NUL bytes), and nothing nests deeper
    than the body has brackets: a typical event has none of the first and a dozen brackets."""
    if b"\\u" in body or b"\xed" in body or b"\x00" in body:
        return True
    return body.count(b"{") + body.count(b"[") >= MAX_DEPTH


def _storable(value: Any, depth: int) -> None:
    """What is stored is what the databases can hold: no NUL or unpaired surrogate in a string
    (PostgreSQL refuses both), and no nesting deeper than an event has."""
    if depth > MAX_DEPTH:
        raise MalformedEvent("the event nests too deeply")
    if isinstance(value, str):
        if UNSTORABLE.search(value):
            raise MalformedEvent("the event holds text that is not valid Unicode")
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable(key, depth + 1)
            _storable(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _storable(item, depth + 1)


def channel_events(body: bytes) -> list[Received]:
    """Channel events; a rep message is keyed by HubSpot's message id, others by their content.
    Replies sent together are taken in the order HubSpot created them."""
    if (one := _one_rep_message(body)) is not None:
        return [one]
    found = []
    items = _objects(body)
    text = _text(body) if len(items) == 1 else None
    for item in items:
        try:
            event = ChannelEvent.model_validate(item)
        except ValidationError as exc:
            raise MalformedEvent(f"not a channel event: {exc.error_count()} errors") from exc
        if event.message is not None:
            key = f"channel:message:{event.message.id}"
        else:
            digest = hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()
            key = f"channel:{event.type}:{digest[:32]}"
        found.append((_created(event), Received(key, event.type, item, event, text)))
    found.sort(key=lambda pair: pair[0])
    return [received for _, received in found]


def _one_rep_message(body: bytes) -> Received | None:
    """A body that is one plain event carrying a message (every rep reply), parsed and checked
    in one pass by pydantic's own JSON parser: no Python objects built for the whole body and
    walked again (~50 us of a rep reply's CPU when caches are cold). None for anything else,
    including anything malformed, which `channel_events` parses the usual way and reports."""
    if (text := _text(body)) is None or _may_be_unstorable(body):
        return None
    try:
        event = ChannelEvent.model_validate_json(text)
    except ValidationError:
        return None
    if event.message is None:
        return None
    return Received(f"channel:message:{event.message.id}", event.type, None, event, text)


def _text(body: bytes) -> str | None:
    """A one-object body's text, as the databases store JSON: UTF-8 that begins with the object
    (no byte-order mark or other encoding, which `json.loads` also reads)."""
    if body[:1] != b"{":
        return None
    try:
        return body.decode()
    except UnicodeDecodeError:
        return None


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
