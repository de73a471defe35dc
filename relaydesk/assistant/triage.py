"""Whether the AI should hand off now, and why: the handoff settings applied to the visitor's
latest message and the conversation so far. Used by every brain before it answers."""

from __future__ import annotations

import re
from functools import lru_cache

from ..models import Role
from . import analysis as reason
from .analysis import MessageAnalysis, analyze_message
from .brain import BrainContext, BrainReply, HandoffDecision
from .person_requests import asks_for_person
from .policy import AI_FIRST, BALANCED
from .resolution import says_resolved
from .small_talk_words import YES
from .summary import summarize
from .wording import (
    ASK_EMAIL,
    ATTACHMENT,
    DECLINE,
    GOODBYE,
    OFFER_PERSON,
    SMALL_TALK,
    TRY_FIRST,
    say,
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"[^\W_]+")
REPEAT_SIMILARITY = 0.8
# The words of recent short messages, each compared with every later message of its
# conversation: 512 of at most 300 characters, 3 MiB at most, a few hundred KiB typically.
WORDS_CACHED, WORDS_CACHED_CHARS = 512, 300


# The AI's own sentences that neither answer nor miss a question (small talk, asking back):
# they do not count among the misses in a row.
_ASIDES = frozenset(
    [text for table in SMALL_TALK.values() for text in table.values()]
    + [*ATTACHMENT.values(), *ASK_EMAIL.values(), *TRY_FIRST.values(), *DECLINE.values()]
)


def analyze_latest(context: BrainContext) -> MessageAnalysis:
    """The visitor's latest message, its language judged with the conversation and browser."""
    return analyze_message(
        context.question,
        context.policy.topics,
        earlier=context.visitor_texts[:-1],
        locale=context.locale,
    )


def handoff(context: BrainContext, found: MessageAnalysis, reasons: list[str]) -> BrainReply:
    decision = HandoffDecision(
        reasons=reasons,
        summary=summarize(context.visitor_texts, reasons),
        sentiment=found.sentiment,
        language=found.language,
        topic=found.topic,
    )
    return BrainReply(text="", handoff=decision, language=found.language, sentiment=found.sentiment)


def before_answering(context: BrainContext, found: MessageAnalysis) -> BrainReply | None:
    """A handoff, a polite refusal, a question back, or a goodbye once the visitor says it is
    settled; None when the AI should just answer."""
    policy = context.policy
    if _awaiting_email(context):
        return handoff(context, found, [reason.USER_REQUESTED])
    if found.topic and policy.hands_off:
        return handoff(context, found, [reason.PROHIBITED_TOPIC])
    if found.handoff_requested and policy.on_request:
        return _requested(context, found)
    if found.frustrated and policy.on_frustration_now:
        return handoff(context, found, [reason.FRUSTRATION])
    if policy.on_unproductive and policy.hands_off and _repeating(context):
        return handoff(context, found, [reason.UNPRODUCTIVE])
    if found.small_talk == YES and _offered_person(context) and policy.on_request:
        return _requested(context, found)  # "yes" to "would you like to talk to a person?"
    return _settled(context, found) or _small_talk(context, found)


def _small_talk(context: BrainContext, found: MessageAnalysis) -> BrainReply | None:
    """A greeting, thanks, "are you there?" or a file without words, answered in kind: never
    a miss, never a reason to hand off."""
    if not context.question.strip():
        return _say(say(ATTACHMENT, found.language), found)
    if found.small_talk is None:
        return None
    return _say(say(SMALL_TALK[found.small_talk], found.language), found)


def _offered_person(context: BrainContext) -> bool:
    last = _last_ai_text(context)
    return any(offer in last for offer in OFFER_PERSON.values())


def _settled(context: BrainContext, found: MessageAnalysis) -> BrainReply | None:
    """The visitor says the AI's answer settled it: say goodbye and end the conversation.
    Only after an answer: "thanks" after a greeting or a miss is small talk."""
    last = next((turn for turn in reversed(context.transcript) if turn.role == Role.AI), None)
    if last is None or not last.answered or last.text in _ASIDES:
        return None
    if not says_resolved(context.question):
        return None
    return BrainReply(
        text=say(GOODBYE, found.language),
        resolved=True,
        language=found.language,
        sentiment=found.sentiment,
    )


def after_a_miss(context: BrainContext, found: MessageAnalysis) -> BrainReply | None:
    """After the AI could not answer: hand off once it has missed too often in a row."""
    policy = context.policy
    if not (policy.on_cannot_answer and policy.hands_off):
        return None
    if _misses_in_a_row(context) + 1 >= policy.misses_before_handoff:
        return handoff(context, found, [reason.INSUFFICIENT_KNOWLEDGE])
    return None


def _requested(context: BrainContext, found: MessageAnalysis) -> BrainReply:
    policy = context.policy
    if not policy.hands_off:
        return _say(say(DECLINE, found.language), found)
    if policy.level == AI_FIRST and not _asked_before(context):
        return _say(say(TRY_FIRST, found.language), found)
    if policy.level == BALANCED and not _has_email(context):
        return _say(say(ASK_EMAIL, found.language), found)
    return handoff(context, found, [reason.USER_REQUESTED])


def _say(text: str, found: MessageAnalysis) -> BrainReply:
    return BrainReply(text=text, language=found.language, sentiment=found.sentiment)


def _last_ai_text(context: BrainContext) -> str:
    for turn in reversed(context.transcript):
        if turn.role == Role.AI:
            return turn.text
    return ""


def _awaiting_email(context: BrainContext) -> bool:
    return context.policy.hands_off and _last_ai_text(context) in ASK_EMAIL.values()


def _has_email(context: BrainContext) -> bool:
    return bool(context.visitor_email) or any(_EMAIL.search(t) for t in context.visitor_texts)


def _asked_before(context: BrainContext) -> bool:
    return any(asks_for_person(text) for text in context.visitor_texts[:-1])


def _misses_in_a_row(context: BrainContext) -> int:
    misses = 0
    for turn in reversed(context.transcript):
        if turn.role == Role.AI and turn.text not in _ASIDES:
            if turn.answered:
                break
            misses += 1
    return misses


def _repeating(context: BrainContext) -> bool:
    """The visitor sends (nearly) the same message again after the AI answered it."""
    texts = context.visitor_texts
    latest = _words(texts[-1]) if texts else frozenset()
    if len(latest) < 3:
        return False
    for earlier in texts[:-1]:
        words = _words(earlier)
        if words and len(latest & words) / len(latest | words) >= REPEAT_SIMILARITY:
            return True
    return False


def _words(text: str) -> frozenset[str]:
    """A message's words; a short one's are remembered, since every later message of the
    conversation compares itself with it."""
    return _short_words(text) if len(text) <= WORDS_CACHED_CHARS else _read_words(text)


def _read_words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


_short_words = lru_cache(maxsize=WORDS_CACHED)(_read_words)
