"""Sandbox time: wall-clock time plus an offset the control API can advance."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    def __init__(self) -> None:
        self.offset_s = 0.0

    def now(self) -> float:
        return time.time() + self.offset_s

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        self.offset_s += seconds


def iso(ts: float) -> str:
    """HubSpot's timestamp format: ISO-8601 UTC with milliseconds and a `Z`."""
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_timestamp(value: str | int | float) -> float | None:
    """Epoch milliseconds or an ISO-8601 string, as HubSpot accepts for `hs_timestamp`."""
    if isinstance(value, int | float) or str(value).isdigit():
        return float(value) / 1000
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
