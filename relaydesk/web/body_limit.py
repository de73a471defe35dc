"""Request bodies are bounded at the ASGI edge, before any route reads them: a declared
`Content-Length` over the limit is refused at once, a body that streams past it is cut off, and
one that stops arriving is given up after a timeout. The webhook endpoints are unauthenticated
and read the whole body before checking its signature, so this is what bounds them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Generator, Iterable
from dataclasses import dataclass
from typing import Any, cast

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_body


@dataclass(frozen=True)
class BodyLimits:
    default_bytes: int  # every request but an upload
    uploads: tuple[tuple[str, int], ...]  # (path prefix, bytes) of the routes taking files
    timeout_s: float  # how long a body may take between two chunks

    def for_path(self, path: str) -> int:
        return next(
            (n for prefix, n in self.uploads if path.startswith(prefix)), self.default_bytes
        )


class BodyLimit:
    """ASGI middleware applying `BodyLimits`; refusals are the API's JSON error (413 / 408)."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # A WebSocket, and a request without a body, pass through without a frame of this layer.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        declared = body_length(scope["headers"])
        if declared == 0:
            return self.app(scope, receive, send)
        return self._http(scope, receive, send, declared)

    async def _http(self, scope: Scope, receive: Receive, send: Send, declared: int | None) -> None:
        limit = self.limits.for_path(scope["path"])
        if declared is not None and declared > limit:
            await refuse(send, 413, "body_too_large", f"the request body exceeds {limit} bytes")
            return
        guard = BodyGuard(receive, limit, self.limits.timeout_s)
        started = False

        async def send_and_note(message: Message) -> None:
            nonlocal started
            if guard.refusal is not None and not started:
                return  # the app's answer to a body it never got: the refusal goes instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, guard.receive, send_and_note)
        except Exception:
            if guard.refusal is None:
                raise
        if guard.refusal is not None and not started:
            await refuse(send, *guard.refusal)


def body_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    """The body's declared length: 0 when the request has none (neither a length nor a
    transfer encoding: HTTP/1.1 then has no body), None when it is sent chunked or the length
    is unreadable (the server refuses a malformed one before the app sees it)."""
    length: int | None = 0
    for name, value in headers:
        if name == b"content-length":
            length = int(value) if value.isdigit() else None
        elif name == b"transfer-encoding":
            return None
    return length


class BodyGuard:
    """Counts the body as the app reads it; past the limit or the timeout the app is told the
    client went away, and the middleware answers instead."""

    def __init__(self, receive: Receive, limit: int, timeout_s: float) -> None:
        self._receive = receive
        self.limit = limit
        self.timeout_s = timeout_s
        self.seen = 0
        self.refusal: tuple[int, str, str] | None = None

    async def receive(self) -> Message:
        if self.refusal is not None:
            return {"type": "http.disconnect"}
        # The server's receive is run up to its first wait: a body that is already there (a
        # small one arrives with its headers) is taken without arming a timer, which cost
        # ~12 µs of a request's CPU on uvloop.
        steps = self._receive().__await__()
        try:
            waiting_on = next(steps)
        except StopIteration as arrived:
            return self.counted(arrived.value)
        try:
            # A timeout in this task, not wait_for's task per call around the receive.
            async with asyncio.timeout(self.timeout_s):
                message = await Resumed(steps, waiting_on)
        except TimeoutError:
            self.refusal = (408, "body_timeout", "the request body did not arrive in time")
            return {"type": "http.disconnect"}
        return self.counted(message)

    def counted(self, message: Message) -> Message:
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                self.refusal = (
                    413,
                    "body_too_large",
                    f"the request body exceeds {self.limit} bytes",
                )
                return {"type": "http.disconnect"}
        return message


class Resumed:
    """An awaitable already run up to its first wait (`steps`, having handed out `waiting_on`):
    awaiting this waits on that, then runs it to its end, as awaiting it whole would have. A
    cancellation (the timeout's) is thrown into it where it waits."""

    def __init__(self, steps: Generator[Any, None, Message], waiting_on: Any) -> None:
        self.steps = steps
        self.waiting_on = waiting_on

    def __await__(self) -> Generator[Any, None, Message]:
        waiting_on = self.waiting_on
        while True:
            thrown: BaseException | None = None
            try:
                yield waiting_on
            except BaseException as exc:
                thrown = exc
            try:
                waiting_on = self.steps.send(None) if thrown is None else self.steps.throw(thrown)
            except StopIteration as done:
                return cast(Message, done.value)


async def refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
