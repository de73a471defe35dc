"""The embedded brain: offline, no API key. Handoff triage and small talk, actions by trigger
phrase, then an extractive answer from the knowledge base's articles in the visitor's language,
or the honest NO_ANSWER. When the knowledge base has no article in that language, it says so
in the visitor's language, offers a person and still quotes the article it finds."""

from __future__ import annotations

import re

from ..knowledge.index import Hit
from .actions import match_trigger
from .analysis import MessageAnalysis
from .brain import ActionCall, BrainContext, BrainReply, Source
from .triage import after_a_miss, analyze_latest, before_answering
from .wording import NO_ANSWER as NO_ANSWERS
from .wording import only_in, say

NO_ANSWER = NO_ANSWERS["en"]
MAX_ANSWER_CHARS = 600


class EmbeddedBrain:
    answers_at_once = True  # thinks on this process's CPU, waits on no server

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
        served = context.knowledge.languages
        if served and found.language not in served:
            return _foreign(context, found, served)
        hits = context.knowledge.search(context.question, limit=3, languages=[found.language])
        if not hits:
            missed = after_a_miss(context, found)
            return missed or BrainReply(
                text=say(NO_ANSWERS, found.language),
                answered=False,
                language=found.language,
                sentiment=found.sentiment,
            )
        return _answer(hits[0], "", found)


def _foreign(context: BrainContext, found: MessageAnalysis, served: tuple[str, ...]) -> BrainReply:
    """No article in the visitor's language: say so in it, offer a person, and quote the best
    article in another language when one matches (a product name, a number, a shared word)."""
    policy = context.policy
    sorry = only_in(served, found.language, offer_person=policy.hands_off and policy.on_request)
    hits = context.knowledge.search(context.question, limit=3)
    if hits:
        return _answer(hits[0], sorry, found)
    missed = after_a_miss(context, found)
    return missed or BrainReply(
        text=sorry, answered=False, language=found.language, sentiment=found.sentiment
    )


def _answer(best: Hit, before: str, found: MessageAnalysis) -> BrainReply:
    text = _trim(best.chunk.text)
    return BrainReply(
        text=f"{before}\n\n{text}" if before else text,
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
