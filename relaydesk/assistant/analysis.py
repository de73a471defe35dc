"""What one visitor message says beyond its words: language, mood, a request for a person,
frustration, small talk and a handoff topic. Shared by the brains and `relaydesk ai analyze`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .language import conversation_language
from .person_requests import asks_for_person, sounds_frustrated
from .resolution import leaves_open
from .sentiment import Sentiment, sentiment_of
from .small_talk import small_talk_of
from .small_talk_words import PRAISE
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
    small_talk: str | None = None  # its kind (greeting, thanks, presence…) when it is small talk

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
            "small_talk": self.small_talk is not None,
        }


def analyze_message(
    text: str,
    topics: Sequence[str] = (),
    *,
    earlier: Sequence[str] = (),
    locale: str | None = None,
) -> MessageAnalysis:
    """`earlier`: the visitor's previous messages; with the browser's `locale` they decide the
    language of a message too short to tell by itself."""
    language = conversation_language([*earlier, text], locale)
    sentiment = sentiment_of(text, language)
    frustrated = sounds_frustrated(text)
    if frustrated and sentiment.label != "angry":
        sentiment = Sentiment("angry", min(sentiment.score, -0.5))
    requested = asks_for_person(text)
    topic = match_topic(text, topics)
    return MessageAnalysis(
        text=text,
        language=language,
        sentiment=sentiment,
        handoff_requested=requested,
        frustrated=frustrated or sentiment.score <= -0.75,
        topic=topic,
        small_talk=None if requested or topic else _small_talk(text, sentiment),
    )


_WORD = re.compile(r"\S+")
PRAISE_WORDS = 12
# Asking or wanting something, in the languages whose praise the sentiment lexicon reads.
_ASKING = re.compile(
    r"(?<!\w)(?:where|what|when|how|why|which|who|can|could|would|want|need|like|please|"
    r"wo|was|wann|wie|warum|welche\w*|kann|könnte\w*|möchte\w*|brauche|bitte|"
    r"où|quoi|quand|comment|pourquoi|quel\w*|peux|pouvez|voudrais|veux|besoin|"
    r"dónde|qué|cuándo|cómo|cuál|puedo|quiero|necesito|quisiera|"
    r"dove|cosa|come|perché|posso|vorrei|voglio|onde|quando|como|quero|preciso|gostaria|"
    r"waar|wat|wanneer|hoe|waarom|wil|graag|gdzie|kiedy|jak|dlaczego|mogę|chcę|"
    r"var|vad|när|hur|varför|vill|nerede|nasıl|neden|istiyorum|hvor|hvad|hvornår|hvordan|"
    r"missä|mitä|milloin|miten|miksi|voinko|haluan)(?!\w)",
    re.IGNORECASE,
)


def _small_talk(text: str, sentiment: Sentiment) -> str | None:
    """Its kind; praise too ("Awesome service, the parcel came early"): glad, short, and
    asking for nothing ("great, now where is my refund" is a question)."""
    found = small_talk_of(text)
    if found is not None:
        return found.kind
    if sentiment.label != "happy" or "?" in text or len(_WORD.findall(text)) > PRAISE_WORDS:
        return None
    return None if _ASKING.search(text) or leaves_open(text) else PRAISE


def analyze_lines(
    lines: Iterable[str],
    topics: Sequence[str] = (),
    locale: str | None = None,
    conversation: bool = False,
) -> Iterator[str]:
    """`relaydesk ai analyze`: one JSON object per non-empty input line. With `conversation`,
    the lines before one are its conversation (a short "ok" keeps their language)."""
    earlier: list[str] = []
    for line in lines:
        if line.strip():
            found = analyze_message(line.strip(), topics, earlier=earlier, locale=locale)
            earlier += [line.strip()] if conversation else []
            yield json.dumps(found.as_json(), ensure_ascii=False)
