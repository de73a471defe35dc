"""UTC datetimes as SQLite holds them: the text SQLAlchemy's DATETIME writes for `UTCDateTime`,
`YYYY-MM-DD HH:MM:SS.ffffff` in UTC, and back, each in one call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

Processor = Callable[[Any], Any]


def utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def utc_from_text(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)
