"""The text SQLite holds for a UTC datetime, and back: the same text `isoformat` writes, for any
zone the datetime comes in, read back as the same instant in UTC."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import TypeAdapter

from relaydesk.models.sqlite_time import utc_from_text, utc_text


def isoformat_text(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def test_text_is_isoformat_in_utc_for_any_zone_and_back() -> None:
    draw = random.Random(20)
    zones = [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
    for _ in range(2000):
        instant = datetime(1, 1, 2, tzinfo=UTC) + timedelta(
            seconds=draw.randrange(0, 9998 * 365 * 86400), microseconds=draw.choice([0, 1, 999999])
        )
        value = instant.astimezone(draw.choice(zones))
        text = utc_text(value)
        assert text == isoformat_text(value)
        back = utc_from_text(text)
        assert back == instant and back is not None and back.tzinfo is UTC


def test_the_same_datetime_twice_and_a_zone_parsed_by_pydantic() -> None:
    now = datetime(2026, 12, 6, 23, 59, 59, 0, tzinfo=UTC)
    assert utc_text(now) == utc_text(now) == "2026-12-06 23:59:59.000000"
    later = now + timedelta(microseconds=1)
    assert utc_text(later) == "2026-12-06 23:59:59.000001"
    parsed = TypeAdapter(datetime).validate_python("2026-01-01T00:00:00Z")  # pydantic's own UTC
    assert parsed.tzinfo is not UTC and utc_text(parsed) == "2026-01-01 00:00:00.000000"
    assert utc_text(None) is None and utc_from_text(None) is None


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        utc_text(datetime(2026, 1, 1))
