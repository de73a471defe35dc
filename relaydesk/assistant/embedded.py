"""The embedded brain: offline, no API key; answers from the knowledge base by retrieval."""

from __future__ import annotations

import re

from .brain import BrainContext, BrainReply, Source

NO_ANSWER = (
    "I don't have an answer for that in our help articles. Could you rephrase it, "
    "or ask to talk to a person?"
)
MAX_ANSWER_CHARS = 600


class EmbeddedBrain:
    async def reply(self, context: BrainContext) -> BrainReply:
        hits = context.knowledge.search(context.question, limit=3)
        if not hits:
            return BrainReply(text=NO_ANSWER, answered=False)
        best = hits[0]
        text = _trim(best.chunk.text)
        return BrainReply(text=text, sources=[Source(best.chunk.title, best.chunk.heading)])


def _trim(text: str) -> str:
    """Whole sentences up to the answer length: an extractive answer reads better uncut."""
    text = re.sub(r"\s*\n\s*", " ", text).strip()
    if len(text) <= MAX_ANSWER_CHARS:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    out = ""
    for sentence in sentences:
        if len(out) + len(sentence) > MAX_ANSWER_CHARS:
            break
        out = f"{out} {sentence}".strip()
    return out or text[:MAX_ANSWER_CHARS]
