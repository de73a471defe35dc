"""The handoff summary a rep reads: the visitor's question, what the AI answered, and why it
handed off, with the labels and the reasons in the team's language."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Role
from .brain import Turn
from .person_requests import asks_for_person
from .rep_record import reason_words, words_in
from .small_talk import small_talk_of

QUESTION_CHARS = 400
ANSWER_CHARS = 300
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def is_small_talk(text: str) -> bool:
    """Greetings, thanks, "ok", "are you there?", emoji, or nothing at all (a file alone)."""
    return not text.strip() or small_talk_of(text) is not None


def first_question(visitor_texts: Sequence[str]) -> str | None:
    """The visitor's first real question: not a greeting, not only a request for a person
    (that one when they wrote nothing else)."""
    said = [t.strip() for t in visitor_texts if t.strip() and not is_small_talk(t)]
    return next((t for t in said if not asks_for_person(t)), said[0] if said else None)


def summarize(visitor_texts: list[str], reasons: Sequence[str]) -> str:
    """What the visitor wants, in their words: their first real question and, when it adds
    something, their latest message (not when that is the request for a person itself)."""
    question = first_question(visitor_texts)
    if question is None:
        return ""
    said = [question]
    latest = visitor_texts[-1].strip() if visitor_texts else ""
    requested = "user_requested_human_assistance" in reasons
    if latest != question and not is_small_talk(latest) and not requested:
        if not asks_for_person(latest):
            said.append(latest)
    return _cut(" … ".join(said), QUESTION_CHARS)


def handoff_summary(
    wanted: str,
    transcript: Sequence[Turn],
    reasons: Sequence[str],
    language: str | None,
    topic: str | None = None,
) -> str:
    """Three lines: the visitor's question (`wanted`, the brain's words for it), the AI's last
    answer, and the reasons in words; labels in the team's `language`."""
    said = words_in(language)
    question = wanted.strip() or summarize(
        [t.text for t in transcript if t.role == Role.VISITOR], reasons
    )
    lines = [
        f"{said['question']}: {question or '—'}",
        f"{said['answered']}: {_answered(transcript, said)}",
        f"{said['why']}: {reason_words(reasons, language, topic)}",
    ]
    return "\n".join(lines)


def _answered(transcript: Sequence[Turn], said: dict[str, str]) -> str:
    ai = [t for t in transcript if t.role == Role.AI and t.text.strip()]
    answers = [t for t in ai if t.answered]
    if answers:
        return _cut(answers[-1].text, ANSWER_CHARS)
    if ai:
        return f"{said['no_answer']} ({said['it_said']}: “{_cut(ai[-1].text, ANSWER_CHARS)}”)"
    return said["nothing_yet"]


def _cut(text: str, limit: int) -> str:
    """Whole sentences up to `limit` characters, on one line."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    out = ""
    for sentence in _SENTENCE.split(text):
        if len(out) + len(sentence) + 1 > limit:
            break
        out = f"{out} {sentence}".strip()
    return out or text[: limit - 1] + "…"
