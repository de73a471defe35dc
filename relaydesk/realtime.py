"""Real-time fan-out: a Hub delivers JSON frames to the sockets subscribed to a channel.

`MemoryHub` serves one node; `RedisHub` (`redis_hub.py`) carries frames between nodes through
Redis, subscribing each node only to the channels it has sockets for.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

QUEUE_LIMIT = 256


class Subscription:
    """Frames for one socket. A subscriber that falls too far behind is cut off; it resumes
    from the HTTP history, which is the truth."""

    __slots__ = ("queue", "resync_frame")

    def __init__(self, resync_frame: str | None = None) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(QUEUE_LIMIT)
        # Sent when the hub may have lost frames for this socket: the client then catches up
        # from the history as it does after its own reconnect.
        self.resync_frame = resync_frame

    def deliver(self, frame: str) -> None:
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.close()

    def resync(self) -> None:
        if self.resync_frame is None:
            self.close()
        else:
            self.deliver(self.resync_frame)

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


@dataclass
class HubStats:
    """What a node's hub has seen, for /metrics and the cluster benchmark."""

    frames_received: int = 0  # frames that reached this node's hub from the cluster
    frames_unrouted: int = 0  # of those, frames for a channel with no socket here
    resyncs: int = 0  # times every socket here was told to catch up after a gap
    connected: bool = True  # whether the hub reaches the other nodes right now


class Hub(Protocol):
    stats: HubStats

    async def subscribe(self, channel: str, resync_frame: str | None = None) -> Subscription:
        """Frames published on `channel` from now on (once this returns) reach the result."""
        ...

    def unsubscribe(self, channel: str, sub: Subscription) -> None: ...
    async def publish(self, channel: str, frame: dict[str, Any]) -> None: ...

    async def online(self, channel: str) -> bool:
        """Whether a socket listens on `channel` anywhere in the cluster."""
        ...

    async def start(self) -> None: ...
    async def close(self) -> None: ...


class MemoryHub:
    def __init__(self) -> None:
        self._channels: dict[str, set[Subscription]] = {}
        self.stats = HubStats()

    async def subscribe(self, channel: str, resync_frame: str | None = None) -> Subscription:
        return self._add(channel, Subscription(resync_frame))

    def attach(self, channel: str, sub: Subscription) -> None:
        """Subscribe an in-process listener at once, without waiting for the cluster to
        confirm (what is published meanwhile may pass it by)."""
        self._add(channel, sub)

    def _add(self, channel: str, sub: Subscription) -> Subscription:
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

    def resync(self, channels: list[str] | None = None) -> None:
        """Tell the sockets of `channels` (all when None) that frames may have been lost."""
        for channel in self._channels if channels is None else channels:
            for sub in tuple(self._channels.get(channel, ())):
                sub.resync()

    async def publish(self, channel: str, frame: dict[str, Any]) -> None:
        self.dispatch(channel, json.dumps(frame, separators=(",", ":")))

    async def online(self, channel: str) -> bool:
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


def create_hub(redis_url: str | None) -> MemoryHub:
    if not redis_url:
        return MemoryHub()
    from .redis_hub import RedisHub

    return RedisHub(redis_url)
