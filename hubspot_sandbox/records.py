"""What the sandbox portal holds: plain records the routes read and the actions change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


@dataclass
class CrmObject:
    id: str
    object_type: str  # "contacts" | "tickets" | "notes"
    properties: dict[str, str]
    created_at: float
    updated_at: float
    indexed_at: float  # search sees the record from this moment on
    archived: bool = False


@dataclass(frozen=True)
class Association:
    from_type: str
    from_id: str
    to_type: str
    to_id: str
    category: str
    type_id: int


@dataclass
class Property:
    object_type: str
    name: str
    label: str
    type: str
    field_type: str
    group_name: str
    options: list[JsonDict]
    created_at: float
    hubspot_defined: bool = False
    description: str = ""


@dataclass
class Owner:
    id: str
    user_id: int
    email: str
    first_name: str
    last_name: str

    @property
    def actor_id(self) -> str:
        return f"A-{self.user_id}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class Inbox:
    id: str
    name: str
    type: str
    created_at: float


@dataclass
class Channel:
    id: str
    name: str
    capabilities: JsonDict
    created_at: float
    webhook_url: str | None = None
    description: str | None = None
    logo_url: str | None = None
    connection_redirect_url: str | None = None
    archived: bool = False


@dataclass
class ChannelAccount:
    id: str
    channel_id: str
    inbox_id: str
    name: str
    authorized: bool
    created_at: float
    delivery_identifier: JsonDict | None = None
    archived: bool = False


@dataclass
class Message:
    id: str
    thread_id: str
    type: str  # "MESSAGE" | "COMMENT"
    text: str
    created_at: float
    created_by: str
    client_type: str
    integration_app_id: int | None = None
    direction: str | None = None
    rich_text: str | None = None
    attachments: list[JsonDict] = field(default_factory=list)
    senders: list[JsonDict] = field(default_factory=list)
    recipients: list[JsonDict] = field(default_factory=list)
    channel_id: str | None = None
    channel_account_id: str | None = None
    idempotency_id: str | None = None
    in_reply_to_id: str | None = None
    status: JsonDict | None = None
    updated_at: float | None = None
    sent_at: float | None = None  # a published message's own `timestamp`


@dataclass
class Thread:
    id: str
    inbox_id: str
    channel_id: str
    channel_account_id: str
    created_at: float
    integration_thread_id: str | None = None
    status: str = "OPEN"
    closed_at: float | None = None
    assigned_to: str | None = None
    contact_id: str | None = None
    visitor: JsonDict | None = None  # the participant HubSpot replies to
    ticket_id: str | None = None
    archived: bool = False
    messages: list[Message] = field(default_factory=list)

    @property
    def latest_message_at(self) -> float | None:
        return self.messages[-1].created_at if self.messages else None


@dataclass
class StoredFile:
    id: str
    name: str
    extension: str
    folder_path: str
    access: str
    content: bytes
    content_type: str
    created_at: float

    @property
    def path(self) -> str:
        suffix = f".{self.extension}" if self.extension else ""
        return f"{self.folder_path.rstrip('/')}/{self.name}{suffix}"


@dataclass
class AuthCode:
    code: str
    redirect_uri: str
    scopes: list[str]
    user_id: int
    expires_at: float
    portal_id: int
    used: bool = False


@dataclass
class RefreshToken:
    token: str
    scopes: list[str]
    user_id: int
    created_at: float
    portal_id: int
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    refresh_token: str
    scopes: list[str]
    user_id: int
    expires_at: float
    portal_id: int


@dataclass
class Subscription:
    id: str
    event_type: str
    created_at: float
    property_name: str | None = None
    active: bool = True


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int
    at: float


@dataclass
class Delivery:
    """One webhook the sandbox sends, with every attempt's outcome."""

    id: str
    kind: str  # "channel" | "app"
    url: str
    subscription_types: list[str]
    attempts: list[JsonDict] = field(default_factory=list)
    state: str = "pending"  # "pending" | "delivered" | "failed"
    payload: Any = None
