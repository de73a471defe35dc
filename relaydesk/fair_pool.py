"""A connection pool that serves the requests waiting for a connection in the order they came.

SQLAlchemy's asyncio pool queues its connections in an `asyncio.Queue`, and a caller takes a
connection that is free without waiting. A connection handed back wakes the longest waiter, but
any task that runs before it (a visitor's next message, sent the moment the last one was
answered) takes the connection first; the woken waiter finds the queue empty and queues again
at the back. Under load, on PostgreSQL, a few visitors were served again and again while others
waited seconds (`python -m bench roundtrip`: p99 1.6–1.9 s against a p50 of 0.2–0.5 s).

Here a connection handed back goes straight to the longest waiter, and a caller only takes a
free connection when nobody waits.

`connect_now` takes a free connection outside SQLAlchemy's greenlet when taking it cannot wait
on the driver. A greenlet costs its own frame stack, mapped and unmapped each time: ~12 us of
CPU back to back, ~80 us on a process whose caches went cold since its last request, as a rep
reply's are when replies come 20 ms apart (`python -m bench repreply`).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from sqlalchemy import PoolProxiedConnection
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util.concurrency import await_
from sqlalchemy.util.queue import Empty, Full, QueueCommon


class FairQueue(QueueCommon[Any]):
    """The pool's free connections and its waiters, first come, first served."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        self.maxsize = maxsize
        self.use_lifo = use_lifo
        self._free: deque[Any] = deque()
        self._waiters: deque[asyncio.Future[Any]] = deque()

    def empty(self) -> bool:
        return not self._free

    def full(self) -> bool:
        return 0 < self.maxsize <= len(self._free)

    def qsize(self) -> int:
        return len(self._free)

    def put_nowait(self, item: Any) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # a waiter that gave up (timeout, cancel) is done
                waiter.set_result(item)
                return
        if self.full():
            raise Full()
        self._free.append(item)

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        self.put_nowait(item)  # never blocks: a pool hands back at most what it took

    def get_nowait(self) -> Any:
        if not self._free:
            raise Empty()
        return self._free.pop() if self.use_lifo else self._free.popleft()

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if self._free or not block:
            return self.get_nowait()  # nobody waits when a connection is free
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        return await_(self._wait(waiter, timeout))  # the pool's timeout: None waits for ever

    async def _wait(self, waiter: asyncio.Future[Any], within_s: float | None) -> Any:
        try:
            async with asyncio.timeout(within_s):
                return await waiter
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                return waiter.result()  # handed over as the time ran out: taken after all
            self._forget(waiter)
            raise Empty() from None
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.put_nowait(waiter.result())  # handed over to a caller who left: passed on
            self._forget(waiter)
            raise

    def next_free(self) -> Any:
        """The connection `get_nowait` would hand out, left in place; None when none is free or
        a caller waits for one."""
        if not self._free or self._waiters:
            return None
        return self._free[-1] if self.use_lifo else self._free[0]

    def _forget(self, waiter: asyncio.Future[Any]) -> None:
        waiter.cancel()
        if waiter in self._waiters:
            self._waiters.remove(waiter)


class FairPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio queue pool, its waiters served in order (`FairQueue`)."""

    _queue_class = FairQueue

    def connect_now(self) -> PoolProxiedConnection | None:
        """A pooled connection taken at once, outside SQLAlchemy's greenlet, when taking it does
        not wait: one is free, nobody waits for one, and it is open and not due to be opened
        again (recycled or invalidated); no pre-ping or checkout listener runs. None otherwise:
        take one inside the greenlet (`Engine.raw_connection` in `greenlet_spawn`)."""
        queue = self._pool
        if self._pre_ping or self.dispatch.checkout or not isinstance(queue, FairQueue):
            return None
        record = queue.next_free()
        if record is None or record._is_hard_or_soft_invalidated():
            return None
        if self._recycle > -1 and time.time() - record.starttime > self._recycle:
            return None
        return self.connect()
