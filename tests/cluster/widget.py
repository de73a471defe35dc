"""A visitor's widget as `relaydesk/web/static/widget.js` behaves, over the balancer:

- every hello on the socket (after connecting, or sent again by the server) fetches the history
  after the highest contiguous `seq` shown;
- a `message.created` frame is shown at once when it continues the run, else the history fills
  the gap; messages are shown once, by id (and by conversation and `seq`);
- a closed socket reconnects with backoff and jitter; a message is posted with a `client_id` and
  posted again, with the same id, after a network error or a 5xx.

The test counts what it shows against the HTTP history, which is the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import uuid
from collections import Counter
from typing import Any

import httpx
import websockets

from ..support import wait_for

SEND_TRIES = 8


def backoff(attempt: int) -> float:
    return min(2.0, 0.1 * 2**attempt) * random.uniform(0.5, 1.0)


class Widget:
    def __init__(self, http: httpx.AsyncClient, ws_url: str, widget_key: str) -> None:
        self.http = http
        self.ws_url = ws_url
        self.widget_key = widget_key
        self.token = ""
        self.visitor_id = ""
        self.conversation_id: str | None = None
        self.shown: dict[str, dict[str, Any]] = {}  # by message id, in the order shown
        self.seen: set[tuple[str, int]] = set()
        self.hi: dict[str, int] = {}
        self.frames: Counter[str] = Counter()  # message.created frames received, by message id
        self.hellos = 0
        self.node: str | None = None  # the node holding the socket (the balancer says)
        self.sockets = 0  # sockets opened so far
        self._hello = asyncio.Event()
        self._syncing: asyncio.Lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        answer = await self.http.post(
            "/api/widget/v1/sessions", json={"widget_key": self.widget_key}
        )
        answer.raise_for_status()
        body = answer.json()
        self.token, self.visitor_id = body["visitor_token"], body["visitor"]["id"]

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    # -- the socket

    async def connect(self, timeout: float = 20) -> None:
        """Open the socket (it reconnects by itself until `close`); returns after the hello."""
        self._hello.clear()
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._hello.wait(), timeout)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def reconnected(self, after: int, timeout: float = 30) -> None:
        """Wait until a socket newer than the `after`-th has said hello."""

        async def newer() -> bool:
            return self.sockets > after and self._hello.is_set()

        await wait_for(newer, timeout)

    async def _run(self) -> None:
        attempt = 0
        url = f"{self.ws_url}/api/widget/v1/ws?token={self.token}"
        while True:
            try:
                async with websockets.connect(url, ping_interval=None, open_timeout=10) as ws:
                    self.sockets += 1
                    self._hello.clear()
                    self.node = ws.response.headers.get("x-relaydesk-node") if ws.response else None
                    async for raw in ws:
                        attempt = 0
                        await self._on_frame(json.loads(raw))
            except (OSError, TimeoutError, websockets.WebSocketException):
                pass
            self._hello.clear()
            await asyncio.sleep(backoff(attempt))
            attempt += 1

    async def _on_frame(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "hello":
            self.hellos += 1
            self._hello.set()
            await self.sync()
        elif frame["type"] == "message.created":
            message = frame["message"]
            self.frames[message["id"]] += 1
            conversation = message["conversation_id"]
            if self.conversation_id is None:
                self.conversation_id = conversation
            if message["seq"] <= self.hi.get(conversation, 0) + 1:
                self._add(message)
            else:
                await self.sync()

    # -- HTTP, the truth

    async def sync(self) -> None:
        """Everything after the contiguous `seq` shown; one fetch at a time, as the widget."""
        async with self._syncing:
            if self.conversation_id is None:
                return
            for message in await self.history(self.hi.get(self.conversation_id, 0)):
                self._add(message)

    async def history(self, after_seq: int = 0) -> list[dict[str, Any]]:
        for attempt in range(SEND_TRIES):
            try:
                answer = await self.http.get(
                    f"/api/widget/v1/conversations/{self.conversation_id}/messages",
                    params={"after_seq": after_seq},
                    headers=self.auth,
                )
                if answer.status_code < 500:
                    answer.raise_for_status()
                    messages: list[dict[str, Any]] = answer.json()["messages"]
                    return messages
            except httpx.TransportError:
                pass
            await asyncio.sleep(backoff(attempt))
        raise AssertionError("the history stayed out of reach")

    async def send(self, text: str) -> dict[str, Any]:
        """Post a message as the widget does: the same client_id on every try."""
        body = {"client_id": uuid.uuid4().hex, "text": text}
        for attempt in range(SEND_TRIES):
            try:
                answer = await self.http.post(
                    "/api/widget/v1/messages", json=body, headers=self.auth
                )
                if answer.status_code < 500 and answer.status_code != 429:
                    answer.raise_for_status()
                    message: dict[str, Any] = answer.json()
                    self.conversation_id = message["conversation_id"]
                    self._add(message)
                    return message
            except httpx.TransportError:
                pass
            await asyncio.sleep(backoff(attempt))
        raise AssertionError(f"{text!r} could not be sent")

    def _add(self, message: dict[str, Any]) -> None:
        conversation, seq = message["conversation_id"], message["seq"]
        if message["id"] in self.shown or (conversation, seq) in self.seen:
            return
        if seq == self.hi.get(conversation, 0) + 1:
            self.hi[conversation] = seq
        self.shown[message["id"]] = message
        self.seen.add((conversation, seq))

    def shown_with_role(self, role: str) -> list[dict[str, Any]]:
        return [m for m in self.shown.values() if m["role"] == role]
