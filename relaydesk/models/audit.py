"""The audit log: who did what to whom and when, never the content it was about."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, new_id, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_organization_at", "organization_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    # "admin <email>", "cli <os user>", "HubSpot contact.privacyDeletion (portal 123)"
    actor: Mapped[str] = mapped_column(String(400))
    action: Mapped[str] = mapped_column(String(64))  # visitor.erased
    subject: Mapped[str] = mapped_column(String(200))  # "visitor <id>": an id, never a name
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # counts, never content
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
