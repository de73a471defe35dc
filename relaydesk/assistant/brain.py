"""The Brain protocol: given a conversation, produce one structured reply.

A reply is an answer (with the knowledge sources used), an action call (run by the reply job,
rendered as a component with a text form) or a handoff decision (reasons, summary, sentiment,
language).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..knowledge.index import KnowledgeIndex
from ..models import Role
from .actions import ActionSpec
from .policy import HandoffPolicy
from .sentiment import Sentiment


@dataclass(frozen=True)
class Turn:
    role: str
    text: str
    answered: bool = True  # for AI turns: did it answer (sources, a component) or miss?


@dataclass(frozen=True)
class BrainContext:
    organization_id: str
    transcript: list[Turn]
    knowledge: KnowledgeIndex
    policy: HandoffPolicy = field(default_factory=HandoffPolicy)
    actions: Sequence[ActionSpec] = ()
    visitor_email: str | None = None
    locale: str | None = None  # the browser's ("de-AT"): the language of a too-short message
    # Streaming brains push partial answers here; the final message stays authoritative.
    on_delta: Callable[[str], Awaitable[None]] | None = None

    @property
    def question(self) -> str:
        for turn in reversed(self.transcript):
            if turn.role == Role.VISITOR:
                return turn.text
        return ""

    @property
    def visitor_texts(self) -> list[str]:
        return [turn.text for turn in self.transcript if turn.role == Role.VISITOR]


@dataclass(frozen=True)
class Source:
    title: str
    heading: str


@dataclass(frozen=True)
class HandoffDecision:
    reasons: list[str]
    summary: str
    sentiment: Sentiment
    language: str
    topic: str | None = None


@dataclass(frozen=True)
class ActionCall:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class BrainReply:
    text: str
    sources: list[Source] = field(default_factory=list)
    component: dict[str, Any] | None = None
    answered: bool = True
    handoff: HandoffDecision | None = None
    action: ActionCall | None = None
    language: str | None = None
    sentiment: Sentiment | None = None
    resolved: bool = False  # the visitor's question is settled: the AI ends the conversation


class Brain(Protocol):
    """A brain whose reply waits on nothing but this process (no model server) says so with a
    class attribute `answers_at_once = True`: its answer is then thought and written in the
    visitor message's own transaction (`answers_at_once`)."""

    async def reply(self, context: BrainContext) -> BrainReply: ...


def answers_at_once(brain: Brain) -> bool:
    """Whether `brain` replies without waiting on anything (an LLM brain waits on its server)."""
    return getattr(brain, "answers_at_once", False) is True
