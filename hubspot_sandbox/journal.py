"""The record of every API request the sandbox received, with credentials redacted."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hubspot_sandbox.records import RecordedRequest
from hubspot_sandbox.store import Store

REDACTED = "[redacted]"
SECRET_FIELDS = {
    "hapikey",
    "access_token",
    "client_secret",
    "code",
    "refresh_token",
    "code_verifier",
    "token",
}
TOKEN_PATH = re.compile(r"^(/oauth/v\d/(?:access|refresh)-tokens/)[^/]+$")


class Journal:
    """ASGI middleware appending a `RecordedRequest` to the store once each API call is answered."""

    def __init__(self, app: ASGIApp, store: Store, is_api_path: Callable[[str], bool]) -> None:
        self.app = app
        self.store = store
        self.is_api_path = is_api_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        status = 500

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive_and_keep, send_and_note)
        finally:
            self.store.requests.append(recorded(scope, b"".join(chunks), status, self.store))


def recorded(scope: Scope, body: bytes, status: int, store: Store) -> RecordedRequest:
    query = parse_qs(
        scope.get("query_string", b"").decode(errors="replace"), keep_blank_values=True
    )
    return RecordedRequest(
        method=scope["method"],
        path=TOKEN_PATH.sub(rf"\g<1>{REDACTED}", scope["path"]),
        query={k: [REDACTED] if k in SECRET_FIELDS else v for k, v in query.items()},
        body=parsed_body(content_type(scope), body),
        status=status,
        at=store.clock.now(),
    )


def content_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return str(value.decode(errors="replace")).split(";")[0].strip().lower()
    return ""


def parsed_body(kind: str, body: bytes) -> Any:
    if not body:
        return None
    if kind == "application/x-www-form-urlencoded":
        form = parse_qs(body.decode(errors="replace"), keep_blank_values=True)
        return {k: REDACTED if k in SECRET_FIELDS else v[-1] for k, v in form.items()}
    if kind.startswith("multipart/"):
        return {"contentType": kind, "size": len(body)}
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {"contentType": kind, "size": len(body)}
