"""An organization's handoff settings, as the brains read them."""

from __future__ import annotations

from dataclasses import dataclass

AI_ONLY, QUICK, BALANCED, AI_FIRST = 0, 1, 2, 3
LEVELS = {AI_ONLY: "AI only", QUICK: "quick handoff", BALANCED: "balanced", AI_FIRST: "AI first"}


@dataclass(frozen=True)
class HandoffPolicy:
    level: int = QUICK
    on_request: bool = True
    on_frustration: bool = True
    on_unproductive: bool = True
    on_cannot_answer: bool = True
    topics: tuple[str, ...] = ()
    team_language: str = "en"  # what the rep's note and ticket are written in

    @property
    def hands_off(self) -> bool:
        return self.level != AI_ONLY

    @property
    def misses_before_handoff(self) -> int:
        """Unanswered questions in a row after which the AI hands off."""
        return 3 if self.level == AI_FIRST else 2

    @property
    def on_frustration_now(self) -> bool:
        """ "AI first" keeps trying through frustration; the others hand off at once."""
        return self.on_frustration and self.level in (QUICK, BALANCED)
