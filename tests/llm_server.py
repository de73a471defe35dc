"""A tiny OpenAI-compatible chat-completions server for the LLM brain's tests.

Each test scripts the answer to its own question (`fake.script("shipping take", Script(...))`):
the script whose key the last user message contains decides the reply: text, a tool call,
a delay or an HTTP error, as one JSON answer or as SSE chunks ending with `data: [DONE]`.
Every request is recorded, so tests can assert what the model was shown.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .support import free_port


@dataclass(frozen=True)
class Script:
    text: str = "I don't know."
    tool: tuple[str, dict[str, Any]] | None = None
    delay_s: float = 0.0
    word_delay_s: float = 0.01  # between streamed words
    status: int = 200


@dataclass
class FakeLLM:
    base_url: str = ""  # set once served: http://127.0.0.1:<port>/v1
    scripts: dict[str, Script] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def script(self, key: str, script: Script) -> None:
        self.scripts[key] = script

    def requests_about(self, key: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if key in _last_user_text(r)]

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self._complete, methods=["POST"])])

    async def _complete(self, request: Request) -> Response:
        body: dict[str, Any] = await request.json()
        self.requests.append(body)
        last = _last_user_text(body)
        script = next((s for key, s in self.scripts.items() if key in last), Script())
        await asyncio.sleep(script.delay_s)
        if script.status != 200:
            return JSONResponse({"error": {"message": "scripted failure"}}, script.status)
        if body.get("stream"):
            return StreamingResponse(_sse(body["model"], script), media_type="text/event-stream")
        return JSONResponse(_completion(body["model"], script))


def _last_user_text(body: dict[str, Any]) -> str:
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    return str(users[-1]["content"]) if users else ""


def _tool_call(script: Script, arguments: str, index: int | None = None) -> dict[str, Any]:
    assert script.tool is not None
    call: dict[str, Any] = {
        "id": "call_1",
        "type": "function",
        "function": {"name": script.tool[0], "arguments": arguments},
    }
    return call if index is None else {"index": index, **call}


def _completion(model: str, script: Script) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None if script.tool else script.text}
    if script.tool:
        message["tool_calls"] = [_tool_call(script, json.dumps(script.tool[1]))]
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:8]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if script.tool else "stop",
            }
        ],
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> str:
    chunk = {
        "id": "chatcmpl-stream",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n"


async def _sse(model: str, script: Script) -> AsyncIterator[str]:
    yield _chunk(model, {"role": "assistant", "content": ""})
    if script.tool:
        arguments = json.dumps(script.tool[1])
        half = len(arguments) // 2  # arguments arrive in pieces, as real servers send them
        yield _chunk(model, {"tool_calls": [_tool_call(script, arguments[:half], 0)]})
        yield _chunk(
            model, {"tool_calls": [{"index": 0, "function": {"arguments": arguments[half:]}}]}
        )
        yield _chunk(model, {}, "tool_calls")
    else:
        for word in script.text.split(" "):
            yield _chunk(model, {"content": word + " "})
            await asyncio.sleep(script.word_delay_s)
        yield _chunk(model, {}, "stop")
    yield "data: [DONE]\n\n"


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Serve `app` with uvicorn on a free port in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test HTTP server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
