"""Real-time fan-out: a Hub delivers JSON frames to the sockets subscribed to a channel.

`MemoryHub` serves one node; `RedisHub` publishes through Redis so every node's sockets get the
frame (each node keeps one pattern subscription and dispatches locally).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

log = logging.getLogger(__name__)

QUEUE_LIMIT = 256


class Subscription:
    """Frames for one socket. A subscriber that falls too far behind is cut off; it resumes
    from the HTTP history, which is the truth."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(QUEUE_LIMIT)

    def deliver(self, frame: str) -> None:
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.close()

    def close(self) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)
            return
        # Make room for the end marker: the frames dropped are replayed from history.
        self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def frames(self) -> AsyncIterator[str]:
        while (frame := await self.queue.get()) is not None:
            yield frame


class Hub(Protocol):
    def subscribe(self, channel: str) -> Subscription: ...
    def unsubscribe(self, channel: str, sub: Subscription) -> None: ...
    async def publish(self, channel: str, frame: dict[str, Any]) -> None: ...
    def online(self, channel: str) -> bool: ...
    async def start(self) -> None: ...
    async def close(self) -> None: ...


class MemoryHub:
    def __init__(self) -> None:
        self._channels: dict[str, set[Subscription]] = {}

    def subscribe(self, channel: str) -> Subscription:
        sub = Subscription()
        self._channels.setdefault(channel, set()).add(sub)
        return sub

    def unsubscribe(self, channel: str, sub: Subscription) -> None:
        subs = self._channels.get(channel)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._channels[channel]

    def dispatch(self, channel: str, frame: str) -> None:
        for sub in tuple(self._channels.get(channel, ())):
            sub.deliver(frame)

    async def publish(self, channel: str, frame: dict[str, Any]) -> None:
        self.dispatch(channel, json.dumps(frame, separators=(",", ":")))

    def online(self, channel: str) -> bool:
        """Whether a socket on this node listens on `channel` (other nodes are not asked)."""
        return channel in self._channels

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._channels.values())

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        for subs in self._channels.values():
            for sub in subs:
                sub.close()
        self._channels.clear()


class RedisHub(MemoryHub):
    PREFIX = "relaydesk:rt:"

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._listener: asyncio.Task[None] | None = None

    async def publish(self, channel: str, frame: dict[str, Any]) -> None:
        await self._redis.publish(self.PREFIX + channel, json.dumps(frame, separators=(",", ":")))

    async def start(self) -> None:
        pubsub = self._redis.pubsub()
        await pubsub.psubscribe(self.PREFIX + "*")
        self._listener = asyncio.create_task(self._listen(pubsub))

    async def _listen(self, pubsub: Any) -> None:
        async for item in pubsub.listen():
            if item["type"] != "pmessage":
                continue
            channel = item["channel"].decode()[len(self.PREFIX) :]
            self.dispatch(channel, item["data"].decode())

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await super().close()
        await self._redis.aclose()


def create_hub(redis_url: str | None) -> MemoryHub:
    return RedisHub(redis_url) if redis_url else MemoryHub()
