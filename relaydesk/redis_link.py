"""One subscriber connection to Redis, opened by hand: the channels subscribed on it, the
commands awaiting Redis's answers (which come in order), and who waits for a subscription to
take effect. It never reconnects by itself: `RedisHub` must know of every gap.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field

from redis.asyncio import ConnectionPool
from redis.asyncio.connection import AbstractConnection

PREFIX = "relaydesk:rt:"
CONTROL = b"relaydesk:rt-control"  # a channel every node listens to
SILENCE_S = 15.0  # nothing heard for this long (the hub pings every 5 s): the connection is dead


@dataclass
class Command:
    """A (un)subscribe or ping sent on the link; Redis answers once per channel, in order."""

    answers_left: int
    done: asyncio.Future[None]
    waiters: list[tuple[str, asyncio.Future[None]]] = field(default_factory=list)


class Link:
    """One subscriber connection: the channels subscribed on it, the commands it awaits."""

    @classmethod
    async def open(cls, pool: ConnectionPool) -> Link:
        """Connected, on a connection of its own (the pool only makes it)."""
        link = cls(pool.make_connection())  # type: ignore[no-untyped-call]
        await link.conn.connect()  # type: ignore[no-untyped-call]
        return link

    def __init__(self, conn: AbstractConnection) -> None:
        self.conn = conn
        self.alive = True
        self.subscribed: set[str] = set()
        # Sockets waiting for their channel's subscription to take effect.
        self.confirming: dict[str, asyncio.Future[None]] = {}
        self.commands: deque[Command] = deque()
        self.last_ping = time.monotonic()

    async def receive(self) -> tuple[bytes, bytes]:
        """The next message (channel, data); the answers to our commands settle them."""
        while True:
            reply = await self.conn.read_response(timeout=SILENCE_S, push_request=True)
            if reply is None:
                raise ConnectionError(f"Redis did not answer for {SILENCE_S:g} s")
            if isinstance(reply, list) and reply[0] == b"message":
                return reply[1], reply[2]
            self.answered()

    async def close(self) -> None:
        self.die()
        await self.conn.disconnect()

    def confirmation(self, channel: str) -> asyncio.Future[None]:
        future = self.confirming.get(channel)
        if future is None:
            future = self.confirming[channel] = asyncio.get_running_loop().create_future()
        return future

    async def listen_control(self) -> Command:
        command = self._expect(1)
        await self.conn.send_command("SUBSCRIBE", CONTROL)
        return command

    async def subscribe(self, channels: list[str]) -> Command:
        command = self._expect(len(channels))
        command.waiters = [(c, self.confirmation(c)) for c in channels]
        self.subscribed.update(channels)
        await self.conn.send_command("SUBSCRIBE", *_names(channels))
        return command

    async def unsubscribe(self, channels: list[str]) -> None:
        self._expect(len(channels))
        for channel in channels:
            self.subscribed.discard(channel)
            # A later SUBSCRIBE gets a waiter of its own; the earlier one still settles this.
            self.confirming.pop(channel, None)
        await self.conn.send_command("UNSUBSCRIBE", *_names(channels))

    async def ping(self) -> None:
        self._expect(1)
        self.last_ping = time.monotonic()
        await self.conn.send_command("PING")

    def _expect(self, answers: int) -> Command:
        command = Command(answers, asyncio.get_running_loop().create_future())
        self.commands.append(command)
        return command

    def answered(self) -> None:
        if not self.commands:
            return
        command = self.commands[0]
        command.answers_left -= 1
        if command.answers_left <= 0:
            self.commands.popleft()
            self._settle(command)

    def _settle(self, command: Command) -> None:
        if not command.done.done():
            command.done.set_result(None)
        for channel, future in command.waiters:
            if not future.done():
                future.set_result(None)
            if self.confirming.get(channel) is future:
                del self.confirming[channel]

    def die(self) -> None:
        """Release everyone waiting: the hub's catch-up after reconnecting covers them."""
        self.alive = False
        while self.commands:
            self._settle(self.commands.popleft())
        for future in self.confirming.values():
            if not future.done():
                future.set_result(None)
        self.confirming.clear()


def _names(channels: list[str]) -> list[str]:
    return [PREFIX + channel for channel in channels]
