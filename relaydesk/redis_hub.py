"""`RedisHub`: frames between nodes through Redis pub/sub, presence kept in Redis.

One connection per node subscribes to exactly the channels this node has sockets for, so a node
receives no frames for visitors connected elsewhere. When that connection is lost the hub
reconnects with backoff, subscribes again and then tells every socket here that it may have
missed frames: each catches up from the history, as after its own reconnect. A frame this node
cannot publish reaches its own sockets at once; once Redis answers again, the sockets of that
channel on the other nodes are told to catch up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from typing import Any

from redis.asyncio import BlockingConnectionPool, ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .presence import Presence
from .realtime import Listener, MemoryHub, encode_frame
from .redis_link import CONTROL, PREFIX, Link

log = logging.getLogger(__name__)

RESYNC = b"!resync"  # never a frame (frames are JSON objects); on CONTROL: every socket
BATCH = 1000  # channels per SUBSCRIBE command
PING_EVERY_S = 5.0
SUBSCRIBE_WAIT_S = 5.0
PUBLISH_CONNECTIONS = 16
CATCH_UP_BATCH, CATCH_UP_PAUSE_S = 100, 0.05  # 2,000 sockets a second catch up after a gap
MAX_UNSENT = 10_000  # beyond this many channels, every socket of the cluster catches up
ERRORS = (RedisError, OSError)
CANCEL_AGAIN_S = 0.1  # close(): a task still running this long after a cancel lost it


def backoff(failures: int) -> float:
    return min(5.0, 0.1 * 2.0 ** min(failures, 6)) * random.uniform(0.5, 1.0)


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel until they have ended: on Python 3.11 redis-py's write timeout (`wait_for`) drops a
    cancel landing in the loop turn its write completes, and the task carries on (gh-86296)."""
    pending = set(tasks)
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=CANCEL_AGAIN_S)
    await asyncio.gather(*tasks, return_exceptions=True)


class RedisHub(MemoryHub):
    def __init__(self, url: str, *, presence_ttl_s: float = 30.0) -> None:
        super().__init__()
        self.node = uuid.uuid4().hex
        # The subscriber connection is opened by hand and never retried behind our back: a
        # silent reconnect would lose frames without anyone catching up.
        self._pool = ConnectionPool.from_url(
            url, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0)
        )
        # Publishes and presence: many sockets' tasks share a few connections, queueing for
        # one rather than failing when all are busy.
        self._redis = Redis.from_pool(
            BlockingConnectionPool.from_url(
                url,
                max_connections=PUBLISH_CONNECTIONS,
                timeout=5,
                socket_connect_timeout=2,
                socket_timeout=5,
                retry=Retry(NoBackoff(), 1),
            )
        )
        self.presence = Presence(self._redis, self.node, presence_ttl_s)
        self._link: Link | None = None
        self._dirty: set[str] = set()  # channels whose subscription may need to change
        self._changed = asyncio.Event()
        self._unsent: set[str] = set()  # channels a frame could not be published to
        self._unsent_overflow = False
        self._gap = True  # no connection yet counts as a gap: frames may have been missed
        self._tasks: list[asyncio.Task[None]] = []
        self._catching_up: asyncio.Task[None] | None = None
        self.stats.connected = False

    async def subscribe(self, channel: str, listener: Listener) -> None:
        self._add(channel, listener)
        link = self._link
        if link is None or (channel in link.subscribed and channel not in link.confirming):
            return  # subscribed already, or the catch-up after reconnecting covers it
        confirmed = link.confirmation(channel)
        self._dirty.add(channel)
        self._changed.set()
        try:
            async with asyncio.timeout(SUBSCRIBE_WAIT_S):
                await asyncio.shield(confirmed)
        except TimeoutError:
            log.warning(
                "real-time: Redis has not confirmed a subscription in %s s", SUBSCRIBE_WAIT_S
            )
        except asyncio.CancelledError:
            self.unsubscribe(channel, listener)
            raise

    def attach(self, channel: str, listener: Listener) -> None:
        super().attach(channel, listener)
        self._dirty.add(channel)
        self._changed.set()

    def unsubscribe(self, channel: str, listener: Listener) -> None:
        super().unsubscribe(channel, listener)
        if channel not in self._channels:
            self._dirty.add(channel)
            self._changed.set()

    async def publish(self, channel: str, frame: dict[str, Any]) -> None:
        data = encode_frame(frame)
        if self._link is not None:
            try:
                await self._redis.publish(PREFIX + channel, data)
                return
            except ERRORS as exc:
                log.warning("real-time: publishing through Redis failed (%s)", exc)
        self.dispatch(channel, data)
        self._remember_unsent(channel)

    async def online(self, channel: str) -> bool:
        if channel in self._channels:
            return True
        try:
            return await self.presence.anywhere(channel)
        except ERRORS as exc:
            log.warning("real-time: presence unavailable (%s); answering for this node", exc)
            return False

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run()), asyncio.create_task(self._renew())]

    async def close(self) -> None:
        await stop([*self._tasks, *([self._catching_up] if self._catching_up else [])])
        if self._channels:
            with contextlib.suppress(*ERRORS, TimeoutError):
                async with asyncio.timeout(2):
                    await self.presence.release(list(self._channels))
        await super().close()
        await self._redis.aclose()
        await self._pool.disconnect()

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                link = await Link.open(self._pool)
            except ERRORS as exc:
                failures += 1
                level = logging.WARNING if failures == 1 else logging.DEBUG
                log.log(level, "real-time: Redis unreachable (%s); retrying", exc)
                await asyncio.sleep(backoff(failures))
                continue
            reader = asyncio.create_task(self._read(link))
            try:
                await self._resume(link)
                failures = 0
                await self._pump(link)
            except ERRORS as exc:
                log.warning("real-time: Redis connection lost (%s); reconnecting", exc)
            finally:
                self._link = None
                self.stats.connected = False
                self._gap = True
                link.die()
                reader.cancel()
                # The reader's cancellation is expected; this task's own (close()) must not be
                # swallowed here, or the loop goes on and close() waits for it forever.
                await asyncio.gather(reader, return_exceptions=True)
                await link.close()
            failures += 1
            await asyncio.sleep(backoff(failures))

    async def _resume(self, link: Link) -> None:
        """Subscribe to every channel with a socket here; only then catch everyone up."""
        command = await link.listen_control()
        while True:
            await command.done
            if not link.alive:
                raise ConnectionError("the connection closed while subscribing")
            todo = [c for c in self._channels if c not in link.subscribed]
            if not todo:
                break
            for first in range(0, len(todo), BATCH):
                command = await link.subscribe(todo[first : first + BATCH])
        self._link = link
        self.stats.connected = True
        if self._gap and self._channels:
            self.stats.resyncs += 1
            if self._catching_up is not None:
                self._catching_up.cancel()
            self._catching_up = asyncio.create_task(self._catch_up(list(self._channels)))
        self._gap = False
        await self.presence.claim(list(self._channels))
        await self._announce_unsent()

    async def _catch_up(self, channels: list[str]) -> None:
        """Tell the sockets here to catch up, a batch at a time: each widget then fetches its
        history (or starts a session), and ten thousand at once would queue on the nodes."""
        for first in range(0, len(channels), CATCH_UP_BATCH):
            self.resync(channels[first : first + CATCH_UP_BATCH])
            await asyncio.sleep(CATCH_UP_PAUSE_S)

    async def _pump(self, link: Link) -> None:
        """Bring the link's subscriptions in line with the sockets here; ping when idle."""
        while link.alive:
            if not self._dirty:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(PING_EVERY_S):
                        await self._changed.wait()
                self._changed.clear()
            if not link.alive:
                return
            dirty, self._dirty = self._dirty, set()
            await self._reconcile(link, dirty)
            if time.monotonic() - link.last_ping >= PING_EVERY_S:
                await link.ping()

    async def _reconcile(self, link: Link, dirty: set[str]) -> None:
        add = [c for c in dirty if c in self._channels and c not in link.subscribed]
        drop = [c for c in dirty if c not in self._channels and c in link.subscribed]
        for first in range(0, len(add), BATCH):
            await link.subscribe(add[first : first + BATCH])
        for first in range(0, len(drop), BATCH):
            await link.unsubscribe(drop[first : first + BATCH])
        try:
            await self.presence.claim(add)
            await self.presence.release(drop)
        except ERRORS as exc:
            log.warning("real-time: presence not updated (%s); the renewal retries", exc)

    async def _read(self, link: Link) -> None:
        try:
            while True:
                self._received(*await link.receive())
        except ERRORS as exc:
            if link.alive:
                log.warning("real-time: Redis connection lost (%s); reconnecting", exc)
        finally:
            link.die()
            self._changed.set()

    def _received(self, name: bytes, data: bytes) -> None:
        self.stats.frames_received += 1
        if name == CONTROL:
            if data == RESYNC:
                self.resync()
            return
        channel = name[len(PREFIX) :].decode()
        if channel not in self._channels:
            self.stats.frames_unrouted += 1
        elif data == RESYNC:
            self.resync([channel])
        else:
            self.dispatch(channel, data.decode())

    def _remember_unsent(self, channel: str) -> None:
        if len(self._unsent) < MAX_UNSENT:
            self._unsent.add(channel)
        else:
            self._unsent_overflow = True

    async def _announce_unsent(self) -> None:
        """Tell the sockets (on every node) of channels we could not publish to to catch up."""
        unsent, overflow = self._unsent, self._unsent_overflow
        self._unsent, self._unsent_overflow = set(), False
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                if overflow:
                    pipe.publish(CONTROL, RESYNC)
                else:
                    for channel in unsent:
                        pipe.publish(PREFIX + channel, RESYNC)
                await pipe.execute()
        except ERRORS:
            self._unsent |= unsent
            self._unsent_overflow |= overflow
            raise

    async def _renew(self) -> None:
        """Renew this node's presence claims before they lapse."""
        while True:
            await asyncio.sleep(self.presence.ttl_s / 3)
            if self._link is None or not self._channels:
                continue
            try:
                await self.presence.claim(list(self._channels))
            except ERRORS as exc:
                log.warning("real-time: presence not renewed (%s)", exc)
