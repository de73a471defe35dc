"""Real-time fan-out: a Hub delivers JSON frames to the listeners subscribed to a channel.

`MemoryHub` serves one node; `RedisHub` (`redis_hub.py`) carries frames between nodes through
Redis, subscribing each node only to the channels it has sockets for.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .json_text import compact

QUEUE_LIMIT = 256
# The text of a frame: compact JSON, by an encoder built once.
encode_frame = compact()
RESUME = 1013  # RFC 6455 "try again later": the widget reconnects and catches up
# The scope extension of a socket that can take a frame at once (`web/socket_writes.py`): a
# function of the frame's text, True once written, False when the frame must wait its turn.
WRITE_TEXT = "relaydesk.write_text"


class Listener(Protocol):
    """What a hub hands frames to: a socket's `Subscription`, or a signal inside the process."""

    def deliver(self, frame: str) -> None: ...

    def resync(self) -> None:
        """Frames for this listener may have been lost."""
        ...

    def close(self) -> None:
        """The hub stops serving this listener (it fell behind, or the hub is closing)."""
        ...


class Socket(Protocol):
    """The client end of a subscription (a Starlette `WebSocket` is one)."""

    async def send_text(self, data: str) -> None: ...
    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


class Subscription:
    """Frames for one socket, written in order. An idle socket holds no task and no queue: a
    frame is written at once when the socket offers `WRITE_TEXT` and takes it now, else by a
    task that runs only while frames wait to be written. A socket that falls `QUEUE_LIMIT` frames
    behind is cut off (closed with `RESUME`); its client catches up from the HTTP history, the
    truth, as after any reconnect."""

    __slots__ = ("socket", "resync_frame", "_write_now", "_backlog", "_writer", "_ended")

    def __init__(self, socket: Socket, resync_frame: str | None = None) -> None:
        self.socket = socket
        # Sent when the hub may have lost frames for this socket: the client then catches up
        # from the history as it does after its own reconnect.
        self.resync_frame = resync_frame
        extensions = (getattr(socket, "scope", None) or {}).get("extensions") or {}
        self._write_now: Callable[[str], bool] | None = extensions.get(WRITE_TEXT)
        self._backlog: deque[str] | None = None  # frames not written yet, while a writer runs
        self._writer: asyncio.Task[None] | None = None
        self._ended = False

    def deliver(self, frame: str) -> None:
        if self._ended:
            return
        if self._backlog is None:
            if self._write_now is not None and self._write_now(frame):
                return
            self._backlog = deque()
            self._writer = asyncio.create_task(self._write())
        elif len(self._backlog) >= QUEUE_LIMIT:
            self.close()
            return
        self._backlog.append(frame)

    def resync(self) -> None:
        if self.resync_frame is None:
            self.close()
        else:
            self.deliver(self.resync_frame)

    def close(self) -> None:
        """Cut off: the frames not written yet are dropped, then the socket is closed."""
        if self._ended:
            return
        self._ended = True
        if self._backlog is None:
            self._writer = asyncio.create_task(self._write())
        else:
            self._backlog.clear()  # the running writer closes after the frame it is writing

    async def _write(self) -> None:
        backlog = self._backlog
        while backlog:
            await self.socket.send_text(backlog.popleft())
        self._backlog = None
        if self._ended:
            await self.socket.close(code=RESUME, reason="resume")

    async def stop(self) -> None:
        """The socket's handler is done: nothing more is written. Raises what a write raised
        (the socket closing under it, say)."""
        self._ended = True
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer


@dataclass
class HubStats:
    """What a node's hub has seen, for /metrics and the cluster benchmark."""

    frames_received: int = 0  # frames that reached this node's hub from the cluster
    frames_unrouted: int = 0  # of those, frames for a channel with no socket here
    resyncs: int = 0  # times every socket here was told to catch up after a gap
    connected: bool = True  # whether the hub reaches the other nodes right now


class Hub(Protocol):
    stats: HubStats

    async def subscribe(self, channel: str, listener: Listener) -> None:
        """Frames published on `channel` from now on (once this returns) reach `listener`."""
        ...

    def unsubscribe(self, channel: str, listener: Listener) -> None: ...
    async def publish(self, channel: str, frame: dict[str, Any]) -> None: ...

    async def online(self, channel: str) -> bool:
        """Whether a socket listens on `channel` anywhere in the cluster."""
        ...

    async def start(self) -> None: ...
    async def close(self) -> None: ...


class MemoryHub:
    def __init__(self) -> None:
        # A list per channel, not a set: most channels have one socket, and a visitor has at
        # most `visitor_sockets_per_node`; a one-item set takes 216 bytes, a list 88.
        self._channels: dict[str, list[Listener]] = {}
        self.stats = HubStats()

    async def subscribe(self, channel: str, listener: Listener) -> None:
        self._add(channel, listener)

    def attach(self, channel: str, listener: Listener) -> None:
        """Subscribe an in-process listener at once, without waiting for the cluster to
        confirm (what is published meanwhile may pass it by)."""
        self._add(channel, listener)

    def _add(self, channel: str, listener: Listener) -> None:
        self._channels.setdefault(channel, []).append(listener)

    def unsubscribe(self, channel: str, listener: Listener) -> None:
        listeners = self._channels.get(channel)
        if listeners is not None and listener in listeners:
            listeners.remove(listener)
            if not listeners:
                del self._channels[channel]

    def dispatch(self, channel: str, frame: str) -> None:
        for listener in tuple(self._channels.get(channel, ())):
            listener.deliver(frame)

    def resync(self, channels: list[str] | None = None) -> None:
        """Tell the sockets of `channels` (all when None) that frames may have been lost."""
        for channel in self._channels if channels is None else channels:
            for listener in tuple(self._channels.get(channel, ())):
                listener.resync()

    async def publish(self, channel: str, frame: dict[str, Any]) -> None:
        self.dispatch(channel, encode_frame(frame))

    async def online(self, channel: str) -> bool:
        return channel in self._channels

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._channels.values())

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        for listeners in self._channels.values():
            for listener in listeners:
                listener.close()
        self._channels.clear()


def create_hub(redis_url: str | None) -> MemoryHub:
    if not redis_url:
        return MemoryHub()
    from .redis_hub import RedisHub

    return RedisHub(redis_url)
