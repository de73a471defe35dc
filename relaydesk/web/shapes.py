"""The shapes of the HTTP APIs' answers, as the models behind /openapi.json.

Routes build their answers with `payloads.py` (the same dicts go out as WebSocket frames) and
name one of these as `response_model`, so the answer is checked and serialized on the way out.
A key a payload gains before its model does still goes out (nothing is silently dropped), but
the document promises no keys but the listed ones: `tests/test_openapi_fuzz.py` then fails
until the model says what the new key is."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class Shape(BaseModel):
    """Closed in the document, lenient on the way out (see the module's docstring)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})


class Attachment(Shape):
    id: str
    name: str
    content_type: str
    size: int
    url: str = Field(
        description="The file, relative to the server: for the widget a URL signed for this "
        "visitor that works for `attachment_url_ttl_s` (the history gives fresh ones)"
    )


class Source(Shape):
    title: str
    heading: str


class Component(Shape):
    """A rich answer (`card`, `list`, `buttons`, or an action's own), with its plain form."""

    model_config = ConfigDict(json_schema_extra={"additionalProperties": True})
    name: str
    data: dict[str, Any]
    text: str


class Message(Shape):
    id: str
    conversation_id: str
    seq: int = Field(description="1, 2, 3 … within the conversation")
    role: Literal["visitor", "ai", "agent", "system"]
    text: str
    author_name: str | None
    created_at: Timestamp
    client_id: str | None = Field(description="The widget's id for a visitor message")
    attachments: list[Attachment]
    component: Component | None
    sources: list[Source] = Field(description="The knowledge articles an AI answer came from")


class Conversation(Shape):
    id: str
    state: Literal["ai", "pending_human", "human", "closed"]
    assignee: str | None
    created_at: Timestamp
    closed_by: Literal["visitor", "agent", "ai"] | None
    csat_score: int | None


class Visitor(Shape):
    id: str
    name: str | None
    email: str | None
    verified: bool


class Availability(Shape):
    """The team's office hours as the widget header shows them."""

    open: bool = Field(description="The team is in now (always, without office hours)")
    next_open: Timestamp | None = Field(description="Closed: when the team is next in")
    changes_at: Timestamp | None = Field(description="When `open` changes next")
    outside: Literal["handoff", "email", "ai"] = Field(
        description="What a handoff does outside hours"
    )
    reply_minutes: int | None = Field(description="The usual reply time after a live handoff")


class WidgetConfig(Shape):
    """The organization's look, its words in the browser's language (`?locale=`) and the
    limits of one message (what HubSpot's channel takes)."""

    # Open: the look grows with the admin's widget settings, and a widget ignores what it
    # does not know.
    model_config = ConfigDict(json_schema_extra={"additionalProperties": True})
    widget_key: str
    name: str
    title: str = Field(description="The panel's heading (the name unless the admin set one)")
    subtitle: str
    avatar_url: str | None = Field(description="The avatar or logo, relative to the server")
    launcher_icon: Literal["chat", "question", "avatar"]
    theme: Literal["light", "dark", "auto"] = Field(description="auto: prefers-color-scheme")
    theme_color: str
    accent_text: str = Field(description="Black or white: text on theme_color at 4.5:1 or more")
    notify_sound: bool = Field(description="A tone for a rep's reply while the tab is hidden")
    locale: str = Field(description="The language of greeting and strings, e.g. de")
    dir: Literal["ltr", "rtl"]
    greeting: str
    position: str
    max_upload_bytes: int
    max_text_length: int
    max_files: int
    max_total_upload_bytes: int
    accepted_types: list[str]
    accepted_extensions: list[str]
    strings: dict[str, str] = Field(description="The widget's words in `locale`, by key")
    availability: Availability
    attachment_url_ttl_s: int = Field(description="How long an attachment's URL works")


class WidgetSession(Shape):
    visitor_token: str = Field(description="Send as `Authorization: Bearer` on every other call")
    visitor: Visitor
    conversation: Conversation | None = Field(description="The visitor's latest conversation")
    config: WidgetConfig


class Profile(Shape):
    visitor: Visitor


class History(Shape):
    conversation: Conversation
    messages: list[Message] = Field(description="After `after_seq`, ascending `seq`")


class IdentityToken(Shape):
    identity_token: str
    expires_at: int = Field(description="Unix time")


class WebhookReceipt(Shape):
    received: int = Field(description="New events stored")
    duplicates: int = Field(description="Events stored before (redeliveries)")
    ignored: int | None = Field(default=None, description="Events of a type with no handler")
    status: str | None = None


class Liveness(Shape):
    status: Literal["ok"]


class Readiness(Shape):
    status: Literal["ready"]
    revisions: list[str]


class Unready(Shape):
    status: Literal["unavailable", "migrations pending"]
    reason: str | None = Field(default=None, description="The database error's name")
    current: list[str] | None = None
    heads: list[str] | None = None
