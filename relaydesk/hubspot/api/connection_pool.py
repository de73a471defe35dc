"""The connections to one origin: a bounded pool of keep-alive connections that reuses idle ones
and serves the callers waiting for one in the order they came."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

import httpx

from .keepalive import Connection


class Pool:
    """Up to `size` connections to one origin: idle ones reused newest first (none idle longer
    than `expiry_s`, as httpx), callers beyond `size` wait in order (no longer than `wait_s`)
    for one to come back or a slot to free."""

    def __init__(
        self,
        connect: Callable[[], Awaitable[Connection]],
        size: int,
        wait_s: float | None,
        expiry_s: float = 5.0,
    ) -> None:
        self.connect = connect
        self.size = size
        self.wait_s = wait_s
        self.expiry_s = expiry_s
        self.count = 0  # connections open or being opened
        self.idle: list[Connection] = []
        self.waiting: deque[asyncio.Future[Connection | None]] = deque()
        self.closed = False

    async def acquire(self) -> Connection:
        while self.idle:
            connection = self.idle.pop()
            if connection.open and connection.loop.time() < connection.idle_until:
                return connection
            connection.close()  # the server closed it, or may be about to: idle too long
            self.count -= 1
        if self.count < self.size:
            self.count += 1
            return await self._open()
        return await self._wait()

    def release(self, connection: Connection) -> None:
        """Back to the first waiter or the idle list; a closed one frees its slot."""
        if not connection.open or self.closed:
            connection.close()
            self._free_slot()
            return
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        connection.idle_until = connection.loop.time() + self.expiry_s
        self.idle.append(connection)

    async def reopen(self, stale: Connection) -> Connection:
        """A fresh connection in the slot `stale` holds (the caller still releases `stale`)."""
        stale.close()
        fresh = await self.connect()
        self.count += 1
        return fresh

    def close(self) -> None:
        self.closed = True
        for connection in self.idle:
            connection.close()
        self.count -= len(self.idle)
        self.idle.clear()

    async def _open(self) -> Connection:
        try:
            return await self.connect()
        except BaseException:
            self._free_slot()
            raise

    async def _wait(self) -> Connection:
        waiter: asyncio.Future[Connection | None] = asyncio.get_running_loop().create_future()
        self.waiting.append(waiter)
        try:
            async with asyncio.timeout(self.wait_s):
                given = await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():  # handed over as we gave up: pass it on
                handed = waiter.result()
                if handed is None:
                    self._free_slot()
                else:
                    self.release(handed)
            waiter.cancel()
            if isinstance(exc, TimeoutError):
                raise httpx.PoolTimeout(f"no connection came free in {self.wait_s:g} s") from exc
            raise
        return given if given is not None else await self._open()

    def _free_slot(self) -> None:
        self.count -= 1
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                self.count += 1
                waiter.set_result(None)  # the waiter opens a connection in this slot
                return
