"""The LLM brain: any OpenAI-compatible chat-completions endpoint (OpenAI, Azure, Ollama, vLLM,
LM Studio…), grounded in the organization's knowledge base, with tools for the handoff and the
AI actions, streaming its answer. Errors and timeouts raise, so the reply job hands off with
`ai_error`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import httpx
from openai import AsyncOpenAI, omit
from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolParam

from ..settings import LLMSettings
from .analysis import MessageAnalysis
from .brain import BrainContext, BrainReply
from .llm_prompt import Passage, cited, messages, retrieve, without_citations
from .llm_tools import ToolCall, first_call, reply_for, tools
from .triage import after_a_miss, analyze_latest, before_answering

Delta = Callable[[str], Awaitable[None]] | None


class LLMReplyError(Exception):
    """The model answered with neither text nor a tool call."""


@dataclass(frozen=True)
class Completion:
    text: str
    calls: list[ToolCall]


class LLMBrain:
    def __init__(self, settings: LLMSettings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = AsyncOpenAI(
            base_url=settings.base_url,
            # Local servers (Ollama, vLLM, LM Studio) want no key, the SDK wants one.
            api_key=settings.api_key.get_secret_value() or "unused",
            http_client=cast(Any, http),  # the SDK accepts httpx clients; its stubs name httpx2
            timeout=settings.timeout_s,  # connect, each read and write
            max_retries=settings.max_retries,
        )

    async def reply(self, context: BrainContext) -> BrainReply:
        # The same deterministic triage as the embedded brain first, so both agree on
        # explicit requests, topics, frustration and repetition.
        found = analyze_latest(context)
        decided = before_answering(context, found)
        if decided is not None:
            return decided
        passages = retrieve(context, found.language)
        if not passages:
            missed = after_a_miss(context, found)
            if missed is not None:
                return missed
        completion = await self._complete(
            messages(context, passages, found.language), tools(context), context.on_delta
        )
        call = first_call(completion.calls)
        if call is not None:
            return reply_for(call, context, found)
        return _answer(completion.text, passages, found)

    async def _complete(
        self,
        prompt: list[ChatCompletionMessageParam],
        offered: list[ChatCompletionToolParam],
        on_delta: Delta,
    ) -> Completion:
        if self.settings.stream:
            return await self._stream(prompt, offered, on_delta)
        response = await self.client.chat.completions.create(
            model=self.settings.model,
            messages=prompt,
            tools=offered or omit,
            temperature=self.settings.temperature,
            max_tokens=self.settings.max_tokens,
        )
        if not response.choices:
            raise LLMReplyError("the model returned no choices")
        message = response.choices[0].message
        calls = [
            ToolCall(c.function.name, c.function.arguments)
            for c in message.tool_calls or []
            if c.type == "function"
        ]
        return Completion(message.content or "", calls)

    async def _stream(
        self,
        prompt: list[ChatCompletionMessageParam],
        offered: list[ChatCompletionToolParam],
        on_delta: Delta,
    ) -> Completion:
        """Accumulate text (pushed to `on_delta` as it grows) and tool calls (by index)."""
        stream = await self.client.chat.completions.create(
            model=self.settings.model,
            messages=prompt,
            tools=offered or omit,
            temperature=self.settings.temperature,
            max_tokens=self.settings.max_tokens,
            stream=True,
        )
        text = ""
        names: dict[int, str] = {}
        arguments: dict[int, str] = {}
        async with stream:
            async for chunk in stream:
                for choice in chunk.choices[:1]:
                    delta = choice.delta
                    for part in delta.tool_calls or []:
                        if part.function and part.function.name:
                            names[part.index] = part.function.name
                        if part.function and part.function.arguments:
                            arguments[part.index] = (
                                arguments.get(part.index, "") + part.function.arguments
                            )
                    if delta.content:
                        text += delta.content
                        if on_delta is not None and not names:
                            await on_delta(without_citations(text).strip())
        calls = [ToolCall(names[i], arguments.get(i, "")) for i in sorted(names)]
        return Completion(text, calls)


def _answer(text: str, passages: list[Passage], found: MessageAnalysis) -> BrainReply:
    """An answer counts as answered when it cites a passage; an honest miss cites none."""
    sources = cited(text, passages)
    answer = without_citations(text).strip()
    if not answer:
        raise LLMReplyError("the model returned an empty answer")
    return BrainReply(
        text=answer,
        sources=sources,
        answered=bool(sources),
        language=found.language,
        sentiment=found.sentiment,
    )
