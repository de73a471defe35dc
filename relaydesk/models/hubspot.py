"""A HubSpot portal connected to an organization, and the app's one registered custom channel."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, new_id, utcnow


class HubSpotConnection(Base):
    """One per organization. Tokens are sealed with the instance vault, never stored plain."""

    __tablename__ = "hubspot_connections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), unique=True)
    mode: Mapped[str] = mapped_column(String(16), default="oauth")  # oauth | private_app
    # pending (OAuth started) | active | reconnect_required | error | disconnected
    status: Mapped[str] = mapped_column(String(24), default="pending")
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    portal_id: Mapped[str | None] = mapped_column(String(32), default=None)
    access_token_enc: Mapped[str | None] = mapped_column(Text, default=None)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text, default=None)
    token_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    inbox_id: Mapped[str | None] = mapped_column(String(32), default=None)
    default_owner_id: Mapped[str | None] = mapped_column(String(32), default=None)
    pipeline_id: Mapped[str | None] = mapped_column(String(32), default=None)
    stage_id: Mapped[str | None] = mapped_column(String(32), default=None)
    # How handoffs look in HubSpot; None = the defaults (`hubspot.handoff.rendering.HandoffLook`).
    ai_sender_name: Mapped[str | None] = mapped_column(String(100), default=None)
    ticket_tag_property: Mapped[str | None] = mapped_column(String(100), default=None)
    ticket_tag_value: Mapped[str | None] = mapped_column(String(100), default=None)
    channel_id: Mapped[str | None] = mapped_column(String(32), default=None)
    channel_account_id: Mapped[str | None] = mapped_column(String(32), default=None)
    # The secret path segment of this organization's webhook URL.
    webhook_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(24)
    )
    # A short lease so only one setup run creates the channel account at a time.
    setup_claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class HubSpotChannel(Base):
    """The custom channel registered once per HubSpot app (shared by every organization)."""

    __tablename__ = "hubspot_channels"

    app_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    channel_id: Mapped[str | None] = mapped_column(String(32), default=None)
    webhook_url: Mapped[str] = mapped_column(Text)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
