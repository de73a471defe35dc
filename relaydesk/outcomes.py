"""How one conversation ended, by the definitions the analytics page prints (`DEFINITIONS`).

Pure functions over what a conversation was (its turns, its handoff, how it closed), so the
admin page, the CSV export and `/metrics` classify every conversation the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache

from .assistant.person_requests import asks_for_person
from .assistant.resolution import says_resolved
from .assistant.summary import first_question, is_small_talk
from .models import Closer, ConversationState, Role

CAME_BACK_WITHIN = timedelta(days=7)
IDLE = timedelta(minutes=30)  # an AI conversation nobody wrote in for this long has ended
SAME_QUESTION = 0.5  # share of words two questions have in common to count as the same
_WORD = re.compile(r"\w{3,}")

HANDED_OFF, AI_RESOLVED, REOPENED, ABANDONED, ONGOING = (
    "handed_off", "ai_resolved", "reopened", "abandoned", "ongoing"
)  # fmt: skip

DEFINITIONS = {
    "conversations": "Conversations started in the range (UTC days), whatever became of them.",
    HANDED_OFF: "Handed to a person (a handoff was recorded: asked for, or decided by the AI).",
    AI_RESOLVED: "Not handed off, ended (closed, or no message for 30 minutes), and either the "
    "visitor said it was settled (the AI said goodbye and closed it) or the last message was an "
    "AI answer from the knowledge base or an action; and the visitor did not come back with the "
    "same question within 7 days (so for the last 7 days the count may still move).",
    REOPENED: "Would count as AI-resolved, but the same visitor started another conversation "
    "within 7 days whose first question shares at least half its words with this one's.",
    ABANDONED: "Not handed off and ended without an answer: the visitor left after a reply that "
    "did not answer (or before any reply).",
    ONGOING: "Not handed off and still going (a message in the last 30 minutes).",
    "handoff_rate": "Handed off ÷ conversations; by reason, the share of conversations handed "
    "off for that reason (a handoff may give several).",
    "reply_time": "From the handoff to the first message of a person, for handoffs that got "
    "one; p50 and p90 by nearest rank.",
    "csat": "Average rating (1–5) of the conversations in the range that were rated, apart for "
    "AI-only (never handed off) and human-handled (handed off) ones.",
    "gaps": "Visitor questions (not small talk, thanks or a request for a person) whose AI "
    "reply was no answer, grouped when they have the same words of four letters or more.",
}


@dataclass(frozen=True)
class Turn:
    role: str  # visitor | ai | agent
    text: str
    answered: bool  # an AI turn that cited the knowledge base or showed an action's result
    at: datetime


@dataclass
class Facts:
    """What the analytics need of one conversation."""

    id: str
    visitor_id: str
    state: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    csat_score: int | None
    handoff_at: datetime | None = None
    reasons: list[str] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)

    @property
    def ended_at(self) -> datetime:
        return self.closed_at or self.updated_at

    @cached_property
    def question(self) -> str | None:
        return first_question([t.text for t in self.turns if t.role == Role.VISITOR])

    def first_reply_s(self) -> float | None:
        """Seconds from the handoff to the first message of a person."""
        if self.handoff_at is None:
            return None
        replies = [t.at for t in self.turns if t.role == Role.AGENT and t.at >= self.handoff_at]
        return (min(replies) - self.handoff_at).total_seconds() if replies else None


def outcome(facts: Facts, later: Sequence[Facts], now: datetime) -> str:
    """The conversation's outcome; `later` are the same visitor's later conversations."""
    if facts.handoff_at is not None:
        return HANDED_OFF
    if facts.state != ConversationState.CLOSED and now - facts.updated_at < IDLE:
        return ONGOING
    if not _settled(facts):
        return ABANDONED
    return REOPENED if _came_back(facts, later) else AI_RESOLVED


def _settled(facts: Facts) -> bool:
    if facts.closed_by == Closer.AI:  # the visitor said it was settled; the AI said goodbye
        return True
    said = [t for t in facts.turns if t.role in (Role.VISITOR, Role.AI)]
    return bool(said) and said[-1].role == Role.AI and said[-1].answered


def _came_back(facts: Facts, later: Sequence[Facts]) -> bool:
    question = facts.question if later else None
    if question is None:
        return False
    return any(
        facts.ended_at <= other.created_at <= facts.ended_at + CAME_BACK_WITHIN
        and same_question(question, other.question)
        for other in later
    )


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


def same_question(one: str, other: str | None) -> bool:
    if other is None:
        return False
    a, b = words(one), words(other)
    return bool(a and b) and len(a & b) / len(a | b) >= SAME_QUESTION


def unanswered(facts: Facts) -> list[str]:
    """The visitor's questions that the AI's next reply did not answer."""
    found = []
    for turn, reply in zip(facts.turns, facts.turns[1:], strict=False):
        if turn.role != Role.VISITOR or reply.role != Role.AI or reply.answered:
            continue
        if is_question(turn.text):
            found.append(turn.text.strip())
    return found


@lru_cache(maxsize=8192)
def is_question(text: str) -> bool:
    """Not small talk, thanks or a request for a person (the person patterns, the costliest
    test, last; visitors repeat themselves, so answers are kept)."""
    return not (says_resolved(text) or is_small_talk(text) or asks_for_person(text))


def gap_key(question: str) -> tuple[str, ...]:
    """Questions with the same longer words (any order) are one knowledge gap."""
    return tuple(sorted(w for w in words(question) if len(w) >= 4)) or (question.casefold(),)


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]
