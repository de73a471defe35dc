"""Core tables: organizations, visitors, conversations, messages, attachments, outbox, knowledge."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .sqlite_time import Processor, utc_from_text, utc_text
from .states import Closer, ConversationState, JobState, Role


def new_id() -> str:
    """A random UUID (version 4) as 32 hex digits, as `uuid.uuid4().hex` writes it, without
    building the `UUID` object."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # the RFC 4122 variant
    return raw.hex()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    def direct_processors(self, dialect: Dialect) -> tuple[Processor, Processor] | None:
        """On SQLite, the bind and result processors in one call each (`hot_sql`): SQLAlchemy
        chains three and two, several times a message."""
        return (utc_text, utc_from_text) if dialect.name == "sqlite" else None


def where_set(column: str) -> dict[str, Any]:
    """An `Index`'s keyword arguments that leave out the rows where `column` is NULL: most rows
    have none, nothing looks one up by NULL, and each entry costs a page write on insert. A
    query reaches the index through `column = …`; `ON CONFLICT` names the predicate too."""
    present = text(f"{column} IS NOT NULL")
    return {"sqlite_where": present, "postgresql_where": present}


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    widget_key: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(12)
    )
    identity_secret_enc: Mapped[str] = mapped_column(Text)
    allowed_origins: Mapped[list[Any]] = mapped_column(default=list)
    theme_color: Mapped[str] = mapped_column(String(16), default="#2f6fed")
    greeting: Mapped[str] = mapped_column(Text, default="Hi! How can we help?")
    position: Mapped[str] = mapped_column(String(8), default="right")
    strings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The widget's look (widget_settings.py): empty title and subtitle fall back to the name
    # and nothing; the avatar is a file in the upload store, served by web/widget_assets.py.
    widget_title: Mapped[str] = mapped_column(String(100), default="")
    widget_subtitle: Mapped[str] = mapped_column(String(200), default="")
    avatar_key: Mapped[str | None] = mapped_column(String(200), default=None)
    launcher_icon: Mapped[str] = mapped_column(String(16), default="chat")
    widget_theme: Mapped[str] = mapped_column(String(8), default="light")
    notify_sound: Mapped[bool] = mapped_column(default=False)
    kb_version: Mapped[int] = mapped_column(Integer, default=0)
    # Retention (`retention.py`): days a conversation is kept after it ended, and a shorter
    # time for those the AI handled alone; None keeps them.
    retention_days: Mapped[int | None] = mapped_column(Integer, default=None)
    retention_ai_only_days: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Time zone, weekly schedule, holidays and the outside-hours handoff (`office_hours.py`);
    # empty: always open.
    office_hours: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ApiKey(Base):
    """A secret organization API key; only its SHA-256 is stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="default")
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class Visitor(Base):
    __tablename__ = "visitors"
    __table_args__ = (UniqueConstraint("organization_id", "verified_email"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    verified_email: Mapped[str | None] = mapped_column(String(320), default=None)
    external_id: Mapped[str | None] = mapped_column(String(200), default=None)
    custom_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    hubspot_contact_id: Mapped[str | None] = mapped_column(String(32), default=None)
    # The browser's language (navigator.language, "de-AT"): the AI's language for a visitor
    # whose first messages are too short to tell.
    locale: Mapped[str | None] = mapped_column(String(35), default=None)
    # The visitor followed the unsubscribe link of a reply email (`unread_replies.py`), and the
    # page the widget last ran on (the email's link reopens the conversation there).
    unsubscribed_at: Mapped[datetime | None] = mapped_column(default=None)
    page_url: Mapped[str | None] = mapped_column(String(2000), default=None)

    @property
    def verified(self) -> bool:
        return self.verified_email is not None


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_visitor_created", "visitor_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id"))
    state: Mapped[ConversationState] = mapped_column(String(16), default=ConversationState.AI)
    assignee: Mapped[str | None] = mapped_column(String(200), default=None)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    sentiment: Mapped[str | None] = mapped_column(String(16), default=None)
    custom_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Who ended it (visitor | agent | ai | admin) and the visitor's rating afterwards (1-5).
    closed_by: Mapped[Closer | None] = mapped_column(String(16), default=None)
    csat_score: Mapped[int | None] = mapped_column(Integer, default=None)
    csat_comment: Mapped[str | None] = mapped_column(Text, default=None)
    csat_at: Mapped[datetime | None] = mapped_column(default=None)
    # HubSpot ids, stored the moment they are known (a retried sync looks here first).
    hubspot_contact_id: Mapped[str | None] = mapped_column(String(32), default=None)
    hubspot_thread_id: Mapped[str | None] = mapped_column(String(32), index=True, default=None)
    hubspot_ticket_id: Mapped[str | None] = mapped_column(String(32), default=None)
    hubspot_note_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # Outside office hours with the AI kept on, the visitor was offered to leave an email: saving
    # one then hands the conversation off, to be answered by email (`away_handoffs.py`).
    email_offered_at: Mapped[datetime | None] = mapped_column(default=None)
    # The highest seq a widget of the visitor showed (`POST …/read`), and the highest one an
    # email to the visitor carried, with when it was queued (`unread_replies.py`).
    read_seq: Mapped[int] = mapped_column(Integer, default=0)
    mailed_seq: Mapped[int] = mapped_column(Integer, default=0)
    mailed_at: Mapped[datetime | None] = mapped_column(default=None)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        # A visitor message's client id, once per conversation (a repeated send is no new one).
        Index(
            "uq_messages_conversation_client_id",
            "conversation_id",
            "client_id",
            unique=True,
            **where_set("client_id"),
        ),
        # An AI reply's visitor message: answered once, so a re-run job never answers twice.
        Index("uq_messages_reply_to_id", "reply_to_id", unique=True, **where_set("reply_to_id")),
        Index(
            "uq_messages_hubspot_message_id",
            "hubspot_message_id",
            unique=True,
            **where_set("hubspot_message_id"),
        ),
        # The scan for rep replies nobody read looks at recent ones (`unread_replies.py`).
        Index("ix_messages_role_created", "role", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[Role] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str | None] = mapped_column(String(200), default=None)
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    component: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    # The visitor message an AI reply answers (`uq_messages_reply_to_id`).
    reply_to_id: Mapped[str | None] = mapped_column(String(32), default=None)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The HubSpot message this is (a rep's reply) or became (published by the handoff sync).
    hubspot_message_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # Private-app mode (no thread): the CRM note a message written after the handoff became,
    # and when its creation started (committed first: a run that finds it without the note id
    # looks for the note before writing it again).
    hubspot_note_id: Mapped[str | None] = mapped_column(String(64), default=None)
    hubspot_note_started_at: Mapped[datetime | None] = mapped_column(default=None)


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (  # the upload quotas sum the last 24 hours' uploads (`upload_quota.py`)
        Index("ix_attachments_visitor_created", "visitor_id", "created_at"),
        Index("ix_attachments_organization_created", "organization_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    visitor_id: Mapped[str | None] = mapped_column(ForeignKey("visitors.id"), default=None)
    message_id: Mapped[str | None] = mapped_column(
        ForeignKey("messages.id"), index=True, default=None
    )
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hubspot_file_id: Mapped[str | None] = mapped_column(String(32), default=None)
    # Set (committed) before the upload to HubSpot starts: a run that finds it without
    # `hubspot_file_id` looks for the file before uploading it again.
    hubspot_upload_started_at: Mapped[datetime | None] = mapped_column(default=None)
    # Why HubSpot cannot carry the file on the custom channel (the transcript names it instead).
    hubspot_refusal: Mapped[str | None] = mapped_column(Text, default=None)


class OutboxJob(Base):
    __tablename__ = "outbox_jobs"
    __table_args__ = (
        Index("ix_outbox_waiting", "state", "id"),  # the claim walks it in id order
        Index("ix_outbox_ordering", "ordering_key", "id"),
        Index("ix_outbox_jobs_organization_id", "organization_id", **where_set("organization_id")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ordering_key: Mapped[str] = mapped_column(String(64))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[JobState] = mapped_column(String(16), default=JobState.PENDING)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The organization a job of no conversation belongs to (a mail), for its failed-jobs page.
    organization_id: Mapped[str | None] = mapped_column(String(32), default=None)


class KnowledgeDocument(Base):
    __tablename__ = "knowledge_documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text)
    # ISO 639-1, given at import or detected from the text; None for rows older than 0012.
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
