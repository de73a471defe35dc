"""What visitors may upload: bytes per visitor and per organization in a rolling 24 hours
(`limits.visitor_upload_bytes_per_day`, `limits.organization_upload_bytes_per_day`).

One anonymous visitor once stored 150 MiB in 1.8 s; the per-visitor quota stops that, the
organization's stops many fresh visitors doing it together.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import RateLimited
from .models import Attachment, Visitor, utcnow
from .settings import LimitSettings

WINDOW = timedelta(hours=24)


class UploadQuotaExceeded(RateLimited):
    code = "upload_quota_exceeded"


async def check_upload_quota(
    session: AsyncSession, visitor: Visitor, size: int, limits: LimitSettings, *, lock: bool
) -> None:
    """Refuse an upload of `size` bytes that would take the visitor or their organization past
    the quota. With `lock`, the visitor's writes are serialized first (their row on PostgreSQL,
    the write lock on SQLite), so their parallel uploads are counted one after another."""
    now = utcnow()
    if lock:
        await session.execute(
            update(Visitor).where(Visitor.id == visitor.id).values(last_seen_at=now)
        )
        visitor.last_seen_at = now
    mine = Attachment.visitor_id == visitor.id
    used, oldest = await _used(session, mine, now)
    if used + size > limits.visitor_upload_bytes_per_day:
        raise _refusal("you have uploaded", limits.visitor_upload_bytes_per_day, oldest, now)
    theirs = (Attachment.organization_id == visitor.organization_id) & (
        Attachment.visitor_id.is_not(None)  # a rep's files, fetched from HubSpot, do not count
    )
    used, oldest = await _used(session, theirs, now)
    if used + size > limits.organization_upload_bytes_per_day:
        raise _refusal(
            "visitors have uploaded", limits.organization_upload_bytes_per_day, oldest, now
        )


async def _used(
    session: AsyncSession, whose: ColumnElement[bool], now: datetime
) -> tuple[int, datetime | None]:
    """Bytes uploaded within the window, and when the oldest of those uploads was made."""
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(Attachment.size), 0), func.min(Attachment.created_at)
            ).where(whose, Attachment.created_at > now - WINDOW)
        )
    ).one()
    return int(row[0]), row[1]


def _refusal(who: str, quota: int, oldest: datetime | None, now: datetime) -> UploadQuotaExceeded:
    # The earliest moment any room frees up: when the oldest upload leaves the window. An
    # upload made in parallel may be stamped a moment after this request's `now`: never more
    # than the window.
    wait = (oldest + WINDOW - now).total_seconds() if oldest else WINDOW.total_seconds()
    wait = min(wait, WINDOW.total_seconds())
    mib = quota / 1024 / 1024
    return UploadQuotaExceeded(
        f"{who} as much as is allowed in 24 hours ({mib:.0f} MiB); try again later",
        retry_after=max(1.0, wait),
    )
