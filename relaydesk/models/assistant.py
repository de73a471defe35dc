"""The AI's per-organization configuration: handoff settings and admin-defined AI actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, new_id, utcnow


class HandoffSettings(Base):
    """One row per organization; an organization without a row uses the defaults (level 1)."""

    __tablename__ = "handoff_settings"

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    # 0 AI only, 1 quick handoff, 2 balanced, 3 AI first
    level: Mapped[int] = mapped_column(Integer, default=1)
    on_request: Mapped[bool] = mapped_column(Boolean, default=True)
    on_frustration: Mapped[bool] = mapped_column(Boolean, default=True)
    on_unproductive: Mapped[bool] = mapped_column(Boolean, default=True)
    on_cannot_answer: Mapped[bool] = mapped_column(Boolean, default=True)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    # The language the team reads: the handoff note and ticket in HubSpot are written in it.
    team_language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AiAction(Base):
    """An admin-defined HTTP call the AI may make, rendered as a component with a text form."""

    __tablename__ = "ai_actions"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(8), default="GET")
    url_template: Mapped[str] = mapped_column(Text)
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)  # JSON schema (object)
    headers_enc: Mapped[str | None] = mapped_column(Text, default=None)  # vault-sealed JSON
    component: Mapped[str | None] = mapped_column(String(100), default=None)
    text_template: Mapped[str] = mapped_column(Text, default="")
    triggers: Mapped[list[Any]] = mapped_column(default=list)  # "where is my order {order_id}"
    allow_private_network: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
