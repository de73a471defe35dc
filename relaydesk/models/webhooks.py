"""Inbound HubSpot webhook deliveries, stored before they are answered and processed from here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, new_id, utcnow, where_set
from .states import DeliveryState


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_state", "state", "received_at"),
        # Channel webhooks name no organization.
        Index(
            "ix_webhook_deliveries_organization_id",
            "organization_id",
            **where_set("organization_id"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str | None] = mapped_column(String(32), default=None)
    # HubSpot's own id of the event (eventId) or message: a redelivery hits this and is a no-op.
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # channel | app
    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[DeliveryState] = mapped_column(String(16), default=DeliveryState.RECEIVED)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
