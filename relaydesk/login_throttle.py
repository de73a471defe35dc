"""How often one address may try to sign in, and what wrong passwords cost.

Per node and in memory: an address gets `attempts_per_minute` tries (a token bucket), and after
`failures` wrong passwords for one account that address is refused for that account for
`lockout_s`. Other addresses are not, so nobody can lock an owner out from outside, and a
guesser is held to a few tries per address and account.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from .ratelimit import MemoryLimiter

MAX_TRACKED = 100_000


@dataclass
class _Failures:
    count: int
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(self, attempts_per_minute: int, failures: int, lockout_s: float) -> None:
        self.attempts_per_minute = attempts_per_minute
        self.failures = failures
        self.lockout_s = lockout_s
        self._attempts = MemoryLimiter()
        self._failed: dict[tuple[str, str], _Failures] = {}
        # One argon2 verification at a time per node: each takes a core for tens of ms, and
        # the event loop serving everyone else needs one too.
        self.hashing = asyncio.Semaphore(1)

    async def admit(self, address: str) -> float:
        """0 when `address` may try now, else the seconds to wait."""
        rate = self.attempts_per_minute / 60
        return await self._attempts.acquire(f"login:{address}", rate, max(1.0, rate * 30))

    def locked(self, email: str, address: str) -> bool:
        found = self._failed.get((email.strip().lower(), address))
        return found is not None and found.locked_until > time.monotonic()

    def failed(self, email: str, address: str) -> None:
        key = (email.strip().lower(), address)
        if key not in self._failed and len(self._failed) >= MAX_TRACKED:
            self._forget_expired()
        found = self._failed.setdefault(key, _Failures(0))
        found.count += 1
        if found.count >= self.failures:
            found.count = 0
            found.locked_until = time.monotonic() + self.lockout_s

    def succeeded(self, email: str, address: str) -> None:
        self._failed.pop((email.strip().lower(), address), None)

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for key in [k for k, f in self._failed.items() if f.locked_until <= now]:
            del self._failed[key]
