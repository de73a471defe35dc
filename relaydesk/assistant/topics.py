"""Handoff topics: the admin's plain-language list ("refunds over 100 euros", "legal
questions"), matched against a message by the topic's content words."""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STEM = 5
_STOP = frozenset(
    "a an the and or of to in on for about with my our your me i we you is are be "
    "questions question anything something topics topic any all other issues issue "
    "der die das und oder zu mit für über ein eine mein fragen frage "
    "le la les et ou de des du un une pour sur mon ma questions "
    "el los las y o del para con sobre mi preguntas "
    "il lo gli e di per con su "
    "o os as e do da para com "
    "de het een en of voor met over mijn vragen".split()
)


def _stems(text: str) -> set[str]:
    return {w[:_STEM] for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}


def match_topic(text: str, topics: Sequence[str]) -> str | None:
    """The first topic most of whose content words appear in `text`, if any."""
    words = _stems(text)
    if not words:
        return None
    for topic in topics:
        wanted = _stems(topic)
        if wanted and len(wanted & words) >= max(1, (2 * len(wanted) + 2) // 3):
            return topic
    return None
