"""An extractive summary of what the visitor wrote, for the rep who takes over."""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_CHARS = 400
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W\d_]+")


def summarize(visitor_texts: list[str], reasons: list[str]) -> str:
    """The visitor's most informative sentences, in order, and why the AI handed off."""
    sentences = _distinct(s for text in visitor_texts for s in _SENTENCE.split(text.strip()) if s)
    ranked = sorted(sentences, key=lambda s: len(_WORD.findall(s)), reverse=True)
    chosen: list[str] = []
    for sentence in ranked:
        if sum(len(s) for s in chosen) + len(sentence) > MAX_CHARS:
            continue
        chosen.append(sentence)
    said = " … ".join(s for s in sentences if s in chosen)
    why = ", ".join(reason.replace("_", " ") for reason in reasons)
    return f"Visitor: {said or '(no message)'}\nHandoff: {why}".strip()


def _distinct(sentences: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for sentence in sentences:
        seen.setdefault(sentence.strip().lower(), sentence.strip())
    return list(seen.values())
