"""The Brain protocol: given a conversation, produce one structured reply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..knowledge.index import KnowledgeIndex


@dataclass(frozen=True)
class Turn:
    role: str
    text: str


@dataclass(frozen=True)
class BrainContext:
    organization_id: str
    transcript: list[Turn]
    knowledge: KnowledgeIndex

    @property
    def question(self) -> str:
        for turn in reversed(self.transcript):
            if turn.role == "visitor":
                return turn.text
        return ""


@dataclass(frozen=True)
class Source:
    title: str
    heading: str


@dataclass(frozen=True)
class BrainReply:
    text: str
    sources: list[Source] = field(default_factory=list)
    component: dict[str, Any] | None = None
    answered: bool = True


class Brain(Protocol):
    async def reply(self, context: BrainContext) -> BrainReply: ...
