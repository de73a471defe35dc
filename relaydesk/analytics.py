"""What the AI achieves for one organization over a range of days: outcomes per day, handoffs
by reason, the wait for a person, CSAT for AI-only against human-handled conversations, and the
questions nobody answered. One computation (`report`) serves the admin page, its CSV export and
`/metrics`; `outcomes.py` holds the definitions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Text, and_, case, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import InvalidInput
from .models import Conversation, Handoff, Message, Role, utcnow
from .outcomes import (
    ABANDONED,
    AI_RESOLVED,
    CAME_BACK_WITHIN,
    HANDED_OFF,
    ONGOING,
    REOPENED,
    Facts,
    Turn,
    gap_key,
    outcome,
    percentile,
    unanswered,
)

OUTCOMES = (AI_RESOLVED, REOPENED, ABANDONED, HANDED_OFF, ONGOING)
MAX_DAYS = 366
MAX_GAPS = 20


@dataclass
class Day:
    day: date
    conversations: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Gap:
    question: str  # the first wording seen
    count: int


@dataclass(frozen=True)
class Rating:
    count: int
    average: float | None


@dataclass
class Report:
    since: date
    until: date
    days: list[Day]
    reasons: Counter[str]
    reply_s: list[float]  # handoff → first reply of a person, per handoff that got one
    waiting: int  # handoffs without a reply yet
    csat_ai: Rating
    csat_human: Rating
    gaps: list[Gap]

    @property
    def conversations(self) -> int:
        return sum(d.conversations for d in self.days)

    def count(self, name: str) -> int:
        return sum(d.outcomes[name] for d in self.days)

    def rate(self, count: int) -> float | None:
        return count / self.conversations if self.conversations else None

    @property
    def reply_p50(self) -> float | None:
        return percentile(self.reply_s, 0.5)

    @property
    def reply_p90(self) -> float | None:
        return percentile(self.reply_s, 0.9)


def day_range(since: date, until: date) -> list[date]:
    if until < since:
        raise InvalidInput("the range ends before it starts")
    if (until - since).days >= MAX_DAYS:
        raise InvalidInput(f"choose at most {MAX_DAYS} days")
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


async def report(session: AsyncSession, organization_id: str, since: date, until: date) -> Report:
    """The organization's figures for the UTC days `since`..`until`, both included."""
    days = {d: Day(d) for d in day_range(since, until)}
    end = _start(until + timedelta(days=1))
    facts = await load_facts(session, organization_id, _start(since), end + CAME_BACK_WITHIN)
    by_visitor: dict[str, list[Facts]] = {}
    for one in facts:
        by_visitor.setdefault(one.visitor_id, []).append(one)
    now, reasons, reply_s, gaps = utcnow(), Counter[str](), [], Counter[tuple[str, ...]]()
    wordings: dict[tuple[str, ...], str] = {}
    ratings: dict[bool, list[int]] = {True: [], False: []}
    waiting = 0
    for one in (f for f in facts if f.created_at < end):
        later = [o for o in by_visitor[one.visitor_id] if o.created_at > one.created_at]
        day = days[one.created_at.date()]
        day.conversations += 1
        day.outcomes[outcome(one, later, now)] += 1
        if one.handoff_at is not None:
            reasons.update(set(one.reasons))
            seconds = one.first_reply_s()
            waiting += seconds is None
            reply_s += [seconds] if seconds is not None else []
        if one.csat_score is not None:
            ratings[one.handoff_at is not None].append(one.csat_score)
        for question in unanswered(one):
            key = gap_key(question)
            gaps[key] += 1
            wordings.setdefault(key, question)
    return Report(
        since, until, list(days.values()), reasons, reply_s, waiting,
        _rating(ratings[False]), _rating(ratings[True]),
        [Gap(wordings[key], n) for key, n in gaps.most_common(MAX_GAPS)],
    )  # fmt: skip


def _rating(scores: list[int]) -> Rating:
    return Rating(len(scores), sum(scores) / len(scores) if scores else None)


async def load_facts(
    session: AsyncSession, organization_id: str, start: datetime, end: datetime
) -> list[Facts]:
    """Conversations started in [start, end) with their handoffs and turns, oldest first."""
    rows = await session.execute(
        select(
            Conversation.id, Conversation.visitor_id, Conversation.state,
            Conversation.created_at, Conversation.updated_at, Conversation.closed_at,
            Conversation.closed_by, Conversation.csat_score,
        )
        .where(
            Conversation.organization_id == organization_id,
            Conversation.created_at >= start,
            Conversation.created_at < end,
        )
        .order_by(Conversation.created_at)
    )  # fmt: skip
    facts = {row.id: Facts(*row) for row in rows}
    ids = list(facts)
    for chunk in (ids[n : n + 500] for n in range(0, len(ids), 500)):
        await _add_handoffs(session, facts, chunk)
        await _add_turns(session, facts, chunk)
    return list(facts.values())


async def _add_handoffs(session: AsyncSession, facts: dict[str, Facts], ids: list[str]) -> None:
    rows = await session.execute(
        select(Handoff.conversation_id, Handoff.created_at, Handoff.reasons).where(
            Handoff.conversation_id.in_(ids)
        )
    )
    for conversation_id, at, reasons in rows:
        facts[conversation_id].handoff_at = at
        facts[conversation_id].reasons = [str(r) for r in reasons or []]


async def _add_turns(session: AsyncSession, facts: dict[str, Facts], ids: list[str]) -> None:
    # Answered: an AI turn with sources or a component, decided in SQL (decoding every
    # message's sources cost more than the rest of the report).
    cited = or_(cast(Message.sources, Text) != "[]", Message.component.is_not(None))
    answered = case((and_(Message.role == Role.AI, cited), True), else_=False)
    rows = await session.execute(
        select(Message.conversation_id, Message.role, Message.text, answered, Message.created_at)
        .where(
            Message.conversation_id.in_(ids), Message.role.in_((Role.VISITOR, Role.AI, Role.AGENT))
        )
        .order_by(Message.conversation_id, Message.seq)
    )
    for conversation_id, role, text, was_answered, at in rows:
        facts[conversation_id].turns.append(Turn(role, text, bool(was_answered), at))
