"""Customer satisfaction for one organization: the 1-5 distribution, a daily trend, comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Conversation, utcnow

TREND_DAYS = 30
MAX_COMMENTS = 100


@dataclass(frozen=True)
class Day:
    day: date
    count: int
    average: float | None


@dataclass(frozen=True)
class Comment:
    conversation_id: str
    score: int
    text: str
    at: datetime


@dataclass(frozen=True)
class CsatReport:
    distribution: dict[int, int]  # score 1..5 -> how many
    trend: list[Day]  # one entry per day, oldest first
    comments: list[Comment]

    @property
    def total(self) -> int:
        return sum(self.distribution.values())

    @property
    def average(self) -> float | None:
        if not self.total:
            return None
        return sum(s * n for s, n in self.distribution.items()) / self.total


def daily_trend(ratings: list[tuple[int, datetime]], today: date, days: int) -> list[Day]:
    by_day: dict[date, list[int]] = {}
    for score, at in ratings:
        by_day.setdefault(at.date(), []).append(score)
    trend = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        scores = by_day.get(day, [])
        trend.append(Day(day, len(scores), sum(scores) / len(scores) if scores else None))
    return trend


async def csat_report(session: AsyncSession, organization_id: str) -> CsatReport:
    rows = await session.execute(
        select(
            Conversation.id,
            Conversation.csat_score,
            Conversation.csat_comment,
            Conversation.csat_at,
        )
        .where(
            Conversation.organization_id == organization_id,
            Conversation.csat_score.is_not(None),
            Conversation.csat_at.is_not(None),
        )
        .order_by(Conversation.csat_at.desc())
    )
    ratings: list[tuple[int, datetime]] = []
    comments: list[Comment] = []
    distribution = {score: 0 for score in range(1, 6)}
    for conversation_id, score, comment, at in rows:
        if score is None or at is None or score not in distribution:
            continue
        distribution[score] += 1
        ratings.append((score, at))
        if comment and comment.strip() and len(comments) < MAX_COMMENTS:
            comments.append(Comment(conversation_id, score, comment, at))
    trend = daily_trend(ratings, utcnow().date(), TREND_DAYS)
    return CsatReport(distribution, trend, comments)
