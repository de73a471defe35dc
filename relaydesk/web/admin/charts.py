"""Small SVG charts drawn on the server: bars for the CSAT distribution, a line for its trend."""

from __future__ import annotations

from dataclasses import dataclass

from ...csat_report import Day

WIDTH, HEIGHT, PAD = 480, 180, 28


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float


def distribution_bars(distribution: dict[int, int]) -> list[Bar]:
    top = max(distribution.values(), default=0) or 1
    slot = (WIDTH - 2 * PAD) / len(distribution)
    bars = []
    for i, (score, count) in enumerate(sorted(distribution.items())):
        height = (HEIGHT - 2 * PAD) * count / top
        x = PAD + i * slot + slot * 0.15
        bars.append(Bar(str(score), count, x, HEIGHT - PAD - height, slot * 0.7, height))
    return bars


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    day: str
    average: float
    count: int


def trend_points(trend: list[Day]) -> list[Point]:
    """One point per day that has ratings; y runs from 1 (bottom) to 5 (top)."""
    if not trend:
        return []
    step = (WIDTH - 2 * PAD) / max(1, len(trend) - 1)
    span = HEIGHT - 2 * PAD
    return [
        Point(
            round(PAD + i * step, 1),
            round(HEIGHT - PAD - span * (day.average - 1) / 4, 1),
            day.day.isoformat(),
            round(day.average, 2),
            day.count,
        )
        for i, day in enumerate(trend)
        if day.average is not None
    ]


def polyline(points: list[Point]) -> str:
    return " ".join(f"{p.x},{p.y}" for p in points)
