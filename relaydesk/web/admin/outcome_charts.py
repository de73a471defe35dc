"""The analytics page's SVG charts, drawn on the server: the daily outcomes as stacked bars and
the handoff reasons as horizontal bars."""

from __future__ import annotations

from dataclasses import dataclass

from ...analytics import OUTCOMES, Day

WIDTH, HEIGHT, PAD = 640, 200, 28
REASON_ROW = 22


@dataclass(frozen=True)
class Segment:
    outcome: str
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Column:
    day: str
    total: int
    segments: list[Segment]


def daily_columns(days: list[Day]) -> list[Column]:
    """One column per day, its outcomes stacked bottom up, scaled to the busiest day."""
    top = max((d.conversations for d in days), default=0) or 1
    slot = (WIDTH - 2 * PAD) / max(1, len(days))
    span = HEIGHT - 2 * PAD
    columns = []
    for i, day in enumerate(days):
        base, segments = float(HEIGHT - PAD), []
        for name in OUTCOMES:
            count = day.outcomes[name]
            height = span * count / top
            if count:
                x = round(PAD + i * slot + slot * 0.1, 1)
                segments.append(Segment(name, count, x, round(base - height, 1),
                                        round(slot * 0.8, 1), round(height, 1)))  # fmt: skip
            base -= height
        columns.append(Column(day.day.isoformat(), day.conversations, segments))
    return columns


@dataclass(frozen=True)
class ReasonBar:
    reason: str
    count: int
    y: float
    width: float


def reason_bars(reasons: dict[str, int]) -> list[ReasonBar]:
    top = max(reasons.values(), default=0) or 1
    span = WIDTH - 2 * PAD - 200
    return [
        ReasonBar(reason, count, PAD + i * REASON_ROW, round(span * count / top, 1))
        for i, (reason, count) in enumerate(sorted(reasons.items(), key=lambda r: -r[1]))
    ]


def reasons_height(bars: list[ReasonBar]) -> int:
    return 2 * PAD + REASON_ROW * max(1, len(bars))
