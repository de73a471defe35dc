"""The embedded brain: offline, no API key. Handoff triage, actions by trigger phrase, then an
extractive answer from the knowledge base or the honest NO_ANSWER."""

from __future__ import annotations

import re

from .actions import match_trigger
from .brain import ActionCall, BrainContext, BrainReply, Source
from .triage import after_a_miss, analyze_latest, before_answering

NO_ANSWER = (
    "I don't have an answer for that in our help articles. Could you rephrase it, "
    "or ask to talk to a person?"
)
MAX_ANSWER_CHARS = 600


class EmbeddedBrain:
    async def reply(self, context: BrainContext) -> BrainReply:
        found = analyze_latest(context)
        decided = before_answering(context, found)
        if decided is not None:
            return decided
        triggered = match_trigger(context.question, context.actions)
        if triggered is not None:
            action, arguments = triggered
            call = ActionCall(action.name, dict(arguments))
            return BrainReply(text="", action=call, language=found.language)
        hits = context.knowledge.search(context.question, limit=3)
        if not hits:
            missed = after_a_miss(context, found)
            return missed or BrainReply(
                text=NO_ANSWER, answered=False, language=found.language, sentiment=found.sentiment
            )
        best = hits[0]
        return BrainReply(
            text=_trim(best.chunk.text),
            sources=[Source(best.chunk.title, best.chunk.heading)],
            language=found.language,
            sentiment=found.sentiment,
        )


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
