"""The outbox worker: claims jobs, runs their handlers, records success or the error.

`run_once()` is what tests call; `run()` loops until `stop()`, waking at once when this process
commits a job and polling for jobs other processes wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import outbox
from .outbox import ClaimedJob, Wakeup
from .settings import WorkerSettings

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]
BATCH = 64


class RetryLater(Exception):
    """A handler's way to say "not now, try again in `retry_after_s`" (e.g. a 429)."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Worker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        wakeup: Wakeup,
        handlers: Mapping[str, Handler],
        settings: WorkerSettings,
    ) -> None:
        self.sessions = sessions
        self.wakeup = wakeup
        self.handlers = handlers
        self.settings = settings
        self._claim_lock = asyncio.Lock()  # one claimer per process (all SQLite needs)
        self._stopping = asyncio.Event()
        self.processed = 0

    async def run_once(self) -> int:
        """Claim one batch and run it; jobs of different conversations run concurrently."""
        async with self._claim_lock, self.sessions() as session:
            jobs = await outbox.claim(
                session, limit=BATCH, lease_s=self.settings.lease_s, kinds=self.handlers.keys()
            )
            await session.commit()
        await asyncio.gather(*(self._run(job) for job in jobs))
        return len(jobs)

    async def _run(self, job: ClaimedJob) -> None:
        retry_after: float | None = None
        try:
            await self.handlers[job.kind](job.payload)
        except RetryLater as exc:
            error, retry_after = str(exc), exc.retry_after_s
        except Exception as exc:  # the job's error is recorded on its row and retried
            log.exception("job %s (%s) failed", job.id, job.kind)
            error = f"{type(exc).__name__}: {exc}"
        else:
            async with self.sessions() as session:
                await outbox.complete(session, job.id)
                await session.commit()
            self.processed += 1
            return
        async with self.sessions() as session:
            await outbox.fail(
                session,
                job,
                error,
                max_attempts=self.settings.max_attempts,
                max_backoff_s=self.settings.max_backoff_s,
                retry_after_s=retry_after,
            )
            await session.commit()

    async def run(self) -> None:
        while not self._stopping.is_set():
            self.wakeup.event.clear()
            try:
                claimed = await self.run_once()
            except Exception:  # a lost database connection must not end the loop
                log.exception("worker iteration failed")
                claimed = 0
            if claimed:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wait(), self.settings.poll_interval_s)

    async def _wait(self) -> None:
        stop = asyncio.ensure_future(self._stopping.wait())
        wake = asyncio.ensure_future(self.wakeup.event.wait())
        try:
            await asyncio.wait({stop, wake}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            wake.cancel()

    def stop(self) -> None:
        self._stopping.set()
