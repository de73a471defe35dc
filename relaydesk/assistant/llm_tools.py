"""The LLM brain's tools: `hand_off` (reasons, summary, sentiment, language as structured
arguments) and one tool per AI action; a model's tool call parsed into a `BrainReply`."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from openai.types.chat import ChatCompletionToolParam
from pydantic import BaseModel, Field, ValidationError

from .actions import ActionSpec
from .analysis import AI_ERROR, INSUFFICIENT_KNOWLEDGE, REASONS, MessageAnalysis
from .brain import ActionCall, BrainContext, BrainReply, HandoffDecision
from .sentiment import Sentiment
from .summary import summarize

HAND_OFF = "hand_off"
HANDOFF_REASONS = [r for r in REASONS if r != AI_ERROR]  # ai_error is ours, not the model's
_TOOL_NAME = re.compile(r"[^A-Za-z0-9_-]")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class ToolCallError(Exception):
    """The model called a tool we did not offer, or with arguments we cannot read."""


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: str  # JSON, as the model wrote it


class _SentimentArguments(BaseModel):
    label: Literal["angry", "neutral", "happy"]
    score: float = Field(ge=-1, le=1)


class _HandOffArguments(BaseModel):
    reasons: list[str] = []
    summary: str = ""
    sentiment: _SentimentArguments | None = None
    language: str = ""


def tools(context: BrainContext) -> list[ChatCompletionToolParam]:
    offered = [_hand_off_tool()] if context.policy.hands_off else []
    return offered + [_action_tool(action) for action in context.actions]


def tool_name(action: ActionSpec) -> str:
    """Chat-completions tool names allow letters, digits, `_` and `-` only."""
    return _TOOL_NAME.sub("_", action.name)[:64]


def reply_for(call: ToolCall, context: BrainContext, found: MessageAnalysis) -> BrainReply:
    arguments = _json_object(call.arguments)
    if call.name == HAND_OFF and context.policy.hands_off:
        return _handoff(_parse(arguments), context, found)
    action = next((a for a in context.actions if tool_name(a) == call.name), None)
    if action is None:
        raise ToolCallError(f"the model called an unknown tool {call.name!r}")
    return BrainReply(text="", action=ActionCall(action.name, arguments), language=found.language)


def _hand_off_tool() -> ChatCompletionToolParam:
    parameters: dict[str, object] = {
        "type": "object",
        "properties": {
            "reasons": {
                "type": "array",
                "items": {"type": "string", "enum": HANDOFF_REASONS},
                "minItems": 1,
            },
            "summary": {
                "type": "string",
                "description": "One or two sentences for the person taking over: what the "
                "visitor wants (the record adds what was answered and why it hands off).",
            },
            "sentiment": {
                "type": "object",
                "properties": {
                    "label": {"type": "string", "enum": ["angry", "neutral", "happy"]},
                    "score": {"type": "number", "minimum": -1, "maximum": 1},
                },
                "required": ["label", "score"],
            },
            "language": {
                "type": "string",
                "description": "The visitor's language as an ISO 639-1 code, e.g. en, de.",
            },
        },
        "required": ["reasons", "summary", "sentiment", "language"],
    }
    return {
        "type": "function",
        "function": {
            "name": HAND_OFF,
            "description": "Pass the conversation to a person from the team.",
            "parameters": parameters,
        },
    }


def _action_tool(action: ActionSpec) -> ChatCompletionToolParam:
    parameters = action.parameters or {"type": "object", "properties": {}}
    return {
        "type": "function",
        "function": {
            "name": tool_name(action),
            "description": action.description or action.name,
            "parameters": parameters,
        },
    }


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise ToolCallError("the model's tool arguments are not JSON") from exc
    if not isinstance(value, dict):
        raise ToolCallError("the model's tool arguments are not a JSON object")
    return value


def _parse(arguments: dict[str, Any]) -> _HandOffArguments:
    try:
        return _HandOffArguments.model_validate(arguments)
    except ValidationError as exc:
        raise ToolCallError(f"unreadable hand_off arguments: {exc.error_count()} errors") from exc


def _handoff(
    arguments: _HandOffArguments, context: BrainContext, found: MessageAnalysis
) -> BrainReply:
    """The model's judgement, with our own analysis filling whatever it left out or garbled."""
    reasons = [r for r in dict.fromkeys(arguments.reasons) if r in HANDOFF_REASONS]
    reasons = reasons or found.reasons or [INSUFFICIENT_KNOWLEDGE]
    given = arguments.sentiment
    sentiment = Sentiment(given.label, given.score) if given else found.sentiment
    language = arguments.language.strip().lower().split("-")[0]  # pt-BR → pt
    language = language if _LANGUAGE.match(language) else found.language
    summary = arguments.summary.strip() or summarize(context.visitor_texts, reasons)
    decision = HandoffDecision(reasons, summary, sentiment, language, found.topic)
    return BrainReply(text="", handoff=decision, language=language, sentiment=sentiment)


def first_call(calls: Sequence[ToolCall]) -> ToolCall | None:
    """A handoff wins over an action when the model asks for both."""
    return next((c for c in calls if c.name == HAND_OFF), calls[0] if calls else None)
