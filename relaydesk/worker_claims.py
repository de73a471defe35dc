"""The worker's claims: what the next may take, whether it may find anything, and the claim.

A kind may be limited to so many running jobs per worker (`WorkerSettings.kind_limits`): a claim
leaves out the kinds at their limit and takes no more than the smallest room left. A kind that
reached its limit opens again only once half its room is free (`_opens_at`): a backlog waiting
on HubSpot's rate limit, whose jobs end one by one, is then claimed half a limit at a time rather
than one claim per job that ends, while the jobs still running hold the rate limit's next turns.
A claim that found every job there was of its kinds is not run again for those kinds until a
wake-up says a job may have come, or the poll interval passed. Leases that ran out (their
process died) are looked for at most once per poll interval.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import outbox
from .outbox import ClaimedJob
from .settings import WorkerSettings

CLAIM_BATCH = 8


class Claims:
    """One worker's claims and their bookkeeping: its running jobs by kind, the kinds a claim
    would find nothing of, and when it next looks for run-out leases."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kinds: Collection[str],
        settings: WorkerSettings,
    ) -> None:
        self.sessions = sessions
        self.kinds = kinds  # the kinds the worker has handlers for
        self.settings = settings
        self._lock = asyncio.Lock()  # one claimer per process (all SQLite needs)
        self._running: Counter[str] = Counter()
        # Kinds a claim found no more jobs of, since the last wake-up and the last look for
        # run-out leases: a claim of only these kinds would find nothing either.
        self._drained: set[str] = set()
        # Kinds that reached their limit and have not had half their room free since.
        self._full: set[str] = set()
        # Kinds a job may be claimable of that no wake-up announced: one ended that opened its
        # kind again, or one held back by a job that ended.
        self._reopened: set[str] = set()
        self._expired_due = 0.0  # monotonic time the next claim looks for run-out leases

    def at_limit(self, kind: str) -> bool:
        """No job of `kind` may start: it reached its limit and not half its room is free
        since. One committed now waits for them to end, and a wake-up for it would only cost a
        claim that cannot take it."""
        return kind in self._full

    def _room(self, kind: str) -> int:
        """How many more jobs of `kind` its limit allows (`WorkerSettings.kind_limits`)."""
        limit = self.settings.kind_limits.get(kind)
        return self.settings.concurrency if limit is None else limit - self._running[kind]

    def _opens_at(self, kind: str) -> int:
        """The room a kind that reached its limit needs before a claim takes more of it: half
        its limit (a limit of 8 is claimed 4 at a time)."""
        limit = self.settings.kind_limits.get(kind)
        return 1 if limit is None else max(1, limit // 2)

    def claimable(self, free: int) -> tuple[list[str], int]:
        """The kinds a claim may take now, and at most how many jobs: no more than `free` (slots)
        nor `CLAIM_BATCH`, and no kind past its limit."""
        if free <= 0:
            return [], 0
        limit = min(free, CLAIM_BATCH)
        kinds = [kind for kind in self.kinds if not self.at_limit(kind)]
        return kinds, min([limit, *(self._room(kind) for kind in kinds)]) if kinds else 0

    def started(self, kind: str) -> None:
        self._running[kind] += 1
        if self._room(kind) <= 0:
            self._full.add(kind)

    def ended(self, kind: str) -> bool:
        """Count a job of `kind` as ended; whether that opened its kind again (`at_limit`), so
        that a claim may take more of it now."""
        self._running[kind] -= 1
        opened = kind in self._full and self._room(kind) >= self._opens_at(kind)
        if opened:
            self._full.discard(kind)
            self._reopened.add(kind)
        return opened

    def reopen(self, kind: str) -> None:
        """A job of `kind` may be claimable that no wake-up announced (one an ended job held
        back)."""
        self._reopened.add(kind)

    def catch_up(self, woken: bool) -> None:
        """Before a claim, forget what may have changed: every kind after a wake-up (`woken`: a
        job of any kind may have come), else the kinds reopened since."""
        if woken:
            self._drained.clear()
        # Jobs of a kind at its limit are committed without a wake-up (`enqueue`).
        self._drained -= self._reopened
        self._reopened.clear()

    def may_find(self, kinds: list[str]) -> bool:
        """Whether a claim of `kinds` may find a job: not when a claim found every job of them
        there was and since then no wake-up came nor the poll interval passed (a retry that
        came due, a lease that ran out: nothing says so but time)."""
        return not self._drained.issuperset(kinds) or time.monotonic() >= self._expired_due

    async def claim(
        self, kinds: list[str], limit: int, running: set[int], expired: bool = True
    ) -> list[ClaimedJob]:
        """Lease up to `limit` jobs of `kinds` to this worker, none of those it is `running`."""
        async with self._lock, self.sessions() as session:
            jobs = await outbox.claim(
                session,
                limit=limit,
                lease_s=self.settings.lease_s,
                kinds=kinds,
                running=running,
                expired=expired,
            )
            await session.commit()
        return jobs

    async def claim_more(
        self, kinds: list[str], wanted: int, running: set[int]
    ) -> list[ClaimedJob]:
        """The loop's claim: it looks for run-out leases once per poll interval, and remembers
        when it took every job of `kinds` there was."""
        claimed = await self.claim(kinds, wanted, running, self._expired_now())
        if len(claimed) < wanted:  # it took every job of these kinds there was
            self._drained.update(kinds)
        return claimed

    def _expired_now(self) -> bool:
        """Whether this claim looks for run-out leases: once per poll interval, as they are rare
        (a process died, or could not renew) and the pending jobs are what most claims find."""
        now = time.monotonic()
        if now < self._expired_due:
            return False
        self._expired_due = now + self.settings.poll_interval_s
        self._drained.clear()  # the poll interval passed: what it knew may have changed
        return True

    def poll_s(self) -> float:
        """How long the loop waits for a wake-up at most: the poll interval, or less until the
        kinds it found drained are forgotten."""
        left = self._expired_due - time.monotonic()
        poll = self.settings.poll_interval_s
        return left if 0 < left < poll else poll
