"""Headers every answer carries: no content-type sniffing, so a JSON answer (or an uploaded
file) is never run as a page or a script by a browser that guesses."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOSNIFF = (b"x-content-type-options", b"nosniff")


class NoSniff:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # A WebSocket passes through without a frame of this layer held for its whole life.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_nosniff(message.get("headers", ()))
            await send(message)

        await self.app(scope, receive, send_with_header)


def with_nosniff(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The response's headers, with nosniff unless they say otherwise (ASGI header names are
    lowercase)."""
    listed = list(headers)
    if all(name != NOSNIFF[0] for name, _ in listed):
        listed.append(NOSNIFF)
    return listed
