"""HubSpot's answers parsed into types at the boundary; fields we do not use are ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

# The longest HubSpot id we keep (a webhook delivery's key, `external_id`, holds 200).
MAX_ID = 120


class Shape(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class TokenSet(BaseModel):
    """The OAuth token endpoint's answer (snake_case on the wire)."""

    access_token: str
    refresh_token: str
    expires_in: int
    hub_id: int | None = None
    user_id: int | None = None
    scopes: list[str] = Field(default_factory=list)


class TokenInfo(BaseModel):
    hub_id: int
    app_id: int | None = None
    user: str = ""
    user_id: int | None = None
    expires_in: int = 0
    scopes: list[str] = Field(default_factory=list)


class AccountDetails(Shape):
    portal_id: int
    time_zone: str = ""
    ui_domain: str = ""
    account_type: str = ""


class Channel(Shape):
    id: str
    name: str
    webhook_url: str | None = None
    capabilities: dict[str, Any] = Field(default_factory=dict)


class ChannelAccount(Shape):
    id: str
    channel_id: str
    inbox_id: str
    name: str
    authorized: bool = True
    archived: bool = False
    delivery_identifier: dict[str, str] | None = None


class Inbox(Shape):
    id: str
    name: str
    type: str = "INBOX"


class Owner(Shape):
    id: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    user_id: int | None = None

    @property
    def label(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} <{self.email}>" if name else self.email or self.id


class Stage(Shape):
    id: str
    label: str
    display_order: int = 0
    metadata: dict[str, Any] = Field(default_factory=dict)  # tickets: {"ticketState": ...}

    @property
    def closed(self) -> bool:
        """A ticket stage whose tickets count as closed (`metadata.ticketState` CLOSED)."""
        return str(self.metadata.get("ticketState", "")).upper() == "CLOSED"


class Pipeline(Shape):
    id: str
    label: str
    stages: list[Stage] = Field(default_factory=list)


class Participant(Shape):
    actor_id: str | None = None
    name: str | None = None
    delivery_identifier: dict[str, Any] | None = None


class Message(Shape):
    """A conversations message or comment, as HubSpot shows it everywhere: answered by the
    conversations API, and carried by the custom channel's webhook (a rep's reply)."""

    id: str = Field(max_length=MAX_ID)
    type: str = "MESSAGE"
    text: str = ""
    conversations_thread_id: str | None = None
    channel_id: str | None = None
    channel_account_id: str | None = None
    direction: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    senders: list[Participant] = Field(default_factory=list)
    recipients: list[Participant] = Field(default_factory=list)
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    client: dict[str, Any] = Field(default_factory=dict)
    status: dict[str, Any] | None = None

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
    def recipient_id(self) -> str | None:
        """Whom a rep's reply is for, as the channel names them: on our threads, the visitor's
        id (the opaque delivery identifier we published their messages with)."""
        for recipient in self.recipients:
            named = recipient.delivery_identifier or {}
            if named.get("type") == "CHANNEL_SPECIFIC_OPAQUE_ID" and named.get("value"):
                return str(named["value"])
        return None

    @property
    def from_integration(self) -> bool:
        """Published through a channel integration (ours), not typed by a rep."""
        return self.client.get("clientType") == "INTEGRATION"


class Thread(Shape):
    id: str
    status: str
    inbox_id: str | None = None
    associated_contact_id: str | None = None
    assigned_to: str | None = None


class Actor(Shape):
    id: str
    type: str = ""
    name: str = ""
    email: str | None = None


class CrmObject(Shape):
    id: str
    properties: dict[str, str | None] = Field(default_factory=dict)


class Property(Shape):
    name: str
    label: str = ""
    type: str = ""
    field_type: str = ""


class File(Shape):
    id: str
    name: str = ""
    url: str | None = None
    size: int | None = None
    access: str = ""


class WebhookSettings(Shape):
    target_url: str
    throttling: dict[str, Any] = Field(default_factory=dict)


class Subscription(Shape):
    """One of a legacy app's webhook subscriptions."""

    id: str | int
    event_type: str
    property_name: str | None = None
    active: bool = True


class Page(Shape):
    """A listing's results, still untyped; `parse` turns them into one shape."""

    results: list[dict[str, Any]] = Field(default_factory=list)
    total: int | None = None
    paging: dict[str, Any] | None = None

    @property
    def next_after(self) -> str | None:
        """The cursor of the next page, or None on the last one."""
        after = ((self.paging or {}).get("next") or {}).get("after")
        return str(after) if after not in (None, "") else None
