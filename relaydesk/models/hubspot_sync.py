"""Progress of a handoff into HubSpot, one row per conversation and step (resuming, admin)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, new_id, utcnow
from .states import StepState


class HubSpotSyncStep(Base):
    """`started` is written before a call that creates something HubSpot cannot deduplicate,
    so a resumed job knows to look for what the interrupted call may have made."""

    __tablename__ = "hubspot_sync_steps"
    __table_args__ = (UniqueConstraint("conversation_id", "step"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    step: Mapped[str] = mapped_column(String(16))  # contact | thread | ticket | note | files
    state: Mapped[StepState] = mapped_column(String(16), default=StepState.STARTED)
    hubspot_id: Mapped[str | None] = mapped_column(String(64), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
