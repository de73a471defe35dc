"""The outbox worker: claims jobs, runs their handlers, records success or the error.

`run()` keeps up to `concurrency` jobs running and claims more as slots free up (at most
`CLAIM_BATCH` per claim), waking at once when a job is committed while a slot is free, when a
job ends while more may be waiting (slots were full, its kind opened again after its limit, or a
later job of its ordering key is pending), and polling for jobs other processes wrote or whose
retry came due. What a claim may take, and whether it may find anything, is
`worker_claims.Claims`'s bookkeeping. A job waiting on HubSpot (its rate limit, a slow answer)
holds only its own slot, and jobs start a few at a time rather than in bursts that would queue
every request of the process behind them. `run_once()` claims one batch and runs it to the end:
what tests call.

Recurring work (the sweep of unattached uploads) is a `Duty`: every `every_s` the loop lets it
queue its job, which the job's dedupe key keeps to one per interval across workers; the job
itself then runs, and is retried, like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import outbox
from .db import commit
from .outbox import CURRENT, ClaimedJob, JobRun, Wakeup
from .settings import WorkerSettings
from .worker_claims import CLAIM_BATCH, Claims

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Duty:
    """Recurring work: every `every_s`, `enqueue` writes the job that does it (in the session
    given; the worker commits)."""

    every_s: float
    enqueue: Callable[[AsyncSession], Awaitable[None]]


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
        duties: Sequence[Duty] = (),
    ) -> None:
        self.sessions = sessions
        self.wakeup = wakeup
        self.handlers = handlers
        self.settings = settings
        self.duties = duties
        self._duties_due = [0.0] * len(duties)  # monotonic time each is next due
        self._stopping = asyncio.Event()
        # Set when a job ended while every slot was taken or opened its kind again, or held
        # back a later job of its ordering key: a claim may take more now. (`wakeup.event`
        # says a job of any kind may have come: a commit.)
        self._claim_wanted = asyncio.Event()
        self._saturated = False
        self._claims = Claims(sessions, handlers.keys(), settings)
        self._running: set[asyncio.Task[None]] = set()
        self._running_ids: set[int] = set()
        self.processed = 0

    @property
    def lease_s(self) -> float:
        return self.settings.lease_s

    def has_room(self, kind: str) -> bool:
        """A free slot, for a job of `kind` this process is about to commit (`outbox.enqueue`'s
        `run_here`), and its kind under its limit."""
        free = not self._stopping.is_set() and len(self._running) < self.settings.concurrency
        return free and not self.at_limit(kind)

    def at_limit(self, kind: str) -> bool:
        """As many jobs of `kind` run as its limit allows: one committed now waits for one of
        them to end, and a wake-up for it would only cost a claim that cannot take it."""
        return self._claims.at_limit(kind)

    def adopt(self, job: ClaimedJob) -> None:
        """Run a job this process committed already leased to it. Once stopping, it is left to
        its lease, after which any worker claims it."""
        if not self._stopping.is_set():
            self._start(job)

    async def run_once(self) -> int:
        """Claim one batch and run it to the end; jobs of different conversations run
        concurrently."""
        kinds, limit = self._claims.claimable(CLAIM_BATCH)
        jobs = await self._claims.claim(kinds, limit, self._running_ids)
        await asyncio.gather(*(self._run(job) for job in jobs))
        return len(jobs)

    def _start(self, job: ClaimedJob) -> None:
        task = asyncio.create_task(self._run(job))
        self._running.add(task)
        self._claims.started(job.kind)

        def ended(done: asyncio.Task[None]) -> None:
            self._running.discard(done)
            opened = self._claims.ended(job.kind)
            if self._saturated or opened:
                self._claim_wanted.set()

        task.add_done_callback(ended)

    async def _keep_leased(self, job_id: int, finished: asyncio.Event) -> None:
        """Renew the lease of a job that runs long (a slow HubSpot, its rate limit), so no
        claimer, here or elsewhere, takes it while it is still at work."""
        every = self.settings.lease_s / 3
        while True:
            try:
                async with self.sessions() as session:
                    await outbox.extend_lease(session, job_id, self.settings.lease_s)
                    await session.commit()
            except Exception:  # the lease may lapse; the job's effects are idempotent
                log.warning("could not renew the lease of job %s", job_id, exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), every)
                return

    async def _run(self, job: ClaimedJob) -> None:
        self._running_ids.add(job.id)
        # Most jobs end long before their lease: the keeper's task starts only if this one is
        # still running a third of the way into it.
        finished = asyncio.Event()
        keepers: list[asyncio.Task[None]] = []
        timer = asyncio.get_running_loop().call_later(
            self.settings.lease_s / 3,
            lambda: keepers.append(asyncio.create_task(self._keep_leased(job.id, finished))),
        )
        try:
            await self._handle(job)
        finally:
            timer.cancel()
            finished.set()
            await asyncio.gather(*keepers)
            self._running_ids.discard(job.id)

    async def _handle(self, job: ClaimedJob) -> None:
        retry_after: float | None = None
        run = JobRun(job)
        CURRENT.set(run)  # this task's own context: `outbox.complete_current` finds the job
        try:
            await self.handlers[job.kind](job.payload)
        except asyncio.CancelledError:  # stopped before it ended (`_wind_down`)
            await self._hand_back(job)
            raise
        except RetryLater as exc:
            error, retry_after = str(exc), exc.retry_after_s
        except Exception as exc:  # the job's error is recorded on its row and retried
            log.exception("job %s (%s) failed", job.id, job.kind)
            error = f"{type(exc).__name__}: {exc}"
        else:
            followed = run.followed
            if not run.completed:
                async with self.sessions() as session:
                    followed = await outbox.complete(session, job.id)
                    await session.commit()
            self.processed += 1
            if followed is not None:  # a job of this kind it held back is claimable now
                self._claims.reopen(followed)
                self._claim_wanted.set()
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
        self.wakeup.runner = self
        try:
            while not self._stopping.is_set():
                self._claims.catch_up(woken=self.wakeup.event.is_set())
                self.wakeup.event.clear()
                self._claim_wanted.clear()
                await self._queue_duties()
                free = self.settings.concurrency - len(self._running)
                kinds, wanted = self._claims.claimable(free)
                claimed: list[ClaimedJob] = []
                if wanted and self._claims.may_find(kinds):
                    try:
                        claimed = await self._claims.claim_more(kinds, wanted, self._running_ids)
                    except Exception:  # a lost database connection must not end the loop
                        log.exception("worker iteration failed")
                for job in claimed:
                    self._start(job)
                room = len(self._running) < self.settings.concurrency
                if claimed and len(claimed) == wanted and room:
                    await asyncio.sleep(0)  # more may be waiting: claim again once others ran
                    continue
                # Every slot taken: a job committed now could not start here, so only a slot
                # freeing up wakes the loop (`_start`), not each commit's wake-up.
                self._saturated = not room
                await self._wait()
        finally:
            self.wakeup.runner = None
            await self._wind_down()

    async def _wait(self) -> None:
        """Until a slot or a kind's room frees up (`_claim_wanted`), or unless every slot is
        taken, a job may have come (`wakeup.event`); at most until the next poll."""
        events = [self._claim_wanted]
        if not self._saturated:  # a job committed now could start here
            events.append(self.wakeup.event)
        waiters = [asyncio.ensure_future(event.wait()) for event in events]
        poll = self._claims.poll_s()
        try:
            await asyncio.wait(waiters, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _wind_down(self) -> None:
        """Let the running jobs end, for up to `stop_grace_s`; the rest are cancelled and handed
        back (`_handle`), rather than holding the process's exit behind a rate limit."""
        if not self._running:
            return
        _, unfinished = await asyncio.wait(self._running, timeout=self.settings.stop_grace_s)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)

    async def _queue_duties(self) -> None:
        now = time.monotonic()
        for index, duty in enumerate(self.duties):
            if now < self._duties_due[index]:
                continue
            try:
                async with self.sessions() as session:
                    await duty.enqueue(session)
                    await commit(session)
            except Exception:  # a lost database connection: the next turn of the loop retries
                log.exception("could not queue a recurring job")
                continue
            self._duties_due[index] = now + duty.every_s

    async def _hand_back(self, job: ClaimedJob) -> None:
        try:
            async with self.sessions() as session:
                await outbox.hand_back(session, job.id)
                await session.commit()
        except Exception:  # its lease runs out instead, and any worker claims it then
            log.warning("could not hand back job %s", job.id, exc_info=True)

    def stop(self) -> None:
        self._stopping.set()
        self._claim_wanted.set()
        self.wakeup.event.set()
