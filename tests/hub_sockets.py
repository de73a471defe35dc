"""The client end of a hub subscription, as the tests see it: a socket that keeps what is
written to it (and can be made slow), for the hub tests with and without Redis."""

from __future__ import annotations

import asyncio

from relaydesk.realtime import MemoryHub, Subscription

from .support import wait_for


class HeldSocket:
    """Keeps the frames written to it and the code it was closed with; while `paused`, a
    write waits, as a client that stopped reading makes it."""

    def __init__(self, resync_frame: str | None = None) -> None:
        self.frames: list[str] = []
        self.closed_with: int | None = None
        self.paused = False
        self._resumed = asyncio.Event()
        self.subscription = Subscription(self, resync_frame)

    async def send_text(self, data: str) -> None:
        while self.paused:
            await self._resumed.wait()
        self.frames.append(data)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed_with = code

    def resume(self) -> None:
        self.paused = False
        self._resumed.set()

    def take(self) -> list[str]:
        """The frames written since the last take."""
        frames, self.frames = self.frames, []
        return frames

    async def next_frames(self, count: int, timeout: float = 10) -> list[str]:
        await wait_for(lambda: len(self.frames) >= count, timeout=timeout)
        frames, self.frames = self.frames[:count], self.frames[count:]
        return frames


async def listen(hub: MemoryHub, channel: str, resync_frame: str | None = None) -> HeldSocket:
    socket = HeldSocket(resync_frame)
    await hub.subscribe(channel, socket.subscription)
    return socket
