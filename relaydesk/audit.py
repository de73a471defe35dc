"""The audit log: an entry per privacy action (who, what, to whom, when; counts, not content)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import AuditEntry

RECENT = 50


async def record(
    session: AsyncSession,
    organization_id: str,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any],
) -> AuditEntry:
    """Add an entry in the caller's transaction, so it exists exactly when the action does."""
    entry = AuditEntry(
        organization_id=organization_id,
        actor=actor[:400],
        action=action,
        subject=subject[:200],
        details=details,
    )
    session.add(entry)
    await session.flush()
    return entry


async def recent_entries(
    session: AsyncSession, organization_id: str, limit: int = RECENT
) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.organization_id == organization_id)
        .order_by(AuditEntry.created_at.desc())
        .limit(limit)
    )
    return list(await session.scalars(query))
