"""What one visitor message says beyond its words: language, mood, a request for a person,
frustration and a handoff topic. Shared by the embedded brain and `relaydesk ai analyze`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .language import DEFAULT, detect_language
from .person_requests import asks_for_person, sounds_frustrated
from .sentiment import Sentiment, sentiment_of
from .topics import match_topic

USER_REQUESTED = "user_requested_human_assistance"
INSUFFICIENT_KNOWLEDGE = "insufficient_knowledge"
INSUFFICIENT_TOOLS = "insufficient_tools"
PROHIBITED_TOPIC = "prohibited_topic"
FRUSTRATION = "frustration"
UNPRODUCTIVE = "unproductive_conversation"
AI_ERROR = "ai_error"
REASONS = (
    USER_REQUESTED,
    INSUFFICIENT_KNOWLEDGE,
    INSUFFICIENT_TOOLS,
    PROHIBITED_TOPIC,
    FRUSTRATION,
    UNPRODUCTIVE,
    AI_ERROR,
)


@dataclass(frozen=True)
class MessageAnalysis:
    text: str
    language: str
    sentiment: Sentiment
    handoff_requested: bool
    frustrated: bool
    topic: str | None

    @property
    def reasons(self) -> list[str]:
        """The reasons this message alone gives for a handoff (settings not applied)."""
        found = [USER_REQUESTED] if self.handoff_requested else []
        found += [FRUSTRATION] if self.frustrated else []
        return found + ([PROHIBITED_TOPIC] if self.topic else [])

    def as_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "language": self.language,
            "sentiment": {"label": self.sentiment.label, "score": self.sentiment.score},
            "handoff_requested": self.handoff_requested,
            "reasons": self.reasons,
            "topic": self.topic,
        }


def analyze_message(text: str, topics: Sequence[str] = ()) -> MessageAnalysis:
    language = detect_language(text) or DEFAULT
    sentiment = sentiment_of(text, language)
    frustrated = sounds_frustrated(text)
    if frustrated and sentiment.label != "angry":
        sentiment = Sentiment("angry", min(sentiment.score, -0.5))
    return MessageAnalysis(
        text=text,
        language=language,
        sentiment=sentiment,
        handoff_requested=asks_for_person(text),
        frustrated=frustrated or sentiment.score <= -0.75,
        topic=match_topic(text, topics),
    )


def analyze_lines(lines: Iterable[str], topics: Sequence[str] = ()) -> Iterator[str]:
    """`relaydesk ai analyze`: one JSON object per non-empty input line."""
    for line in lines:
        if line.strip():
            yield json.dumps(analyze_message(line.strip(), topics).as_json(), ensure_ascii=False)
