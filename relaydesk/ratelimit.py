"""Token buckets: an in-memory limiter for one node (per-visitor and per-IP widget limits)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol


class Limiter(Protocol):
    async def acquire(self, key: str, rate_per_s: float, burst: float) -> float:
        """Take one token; return 0 when granted, else the seconds to wait."""
        ...


@dataclass
class _Bucket:
    tokens: float
    updated: float


class MemoryLimiter:
    def __init__(self, max_keys: int = 100_000) -> None:
        self._buckets: dict[str, _Bucket] = {}
        self._max_keys = max_keys

    async def acquire(self, key: str, rate_per_s: float, burst: float) -> float:
        now = time.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._evict_full(now, rate_per_s, burst)
            bucket = self._buckets[key] = _Bucket(tokens=burst, updated=now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate_per_s)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / rate_per_s

    def _evict_full(self, now: float, rate_per_s: float, burst: float) -> None:
        """Forget buckets that have refilled completely: they hold no information."""
        full = [
            k
            for k, b in self._buckets.items()
            if b.tokens + (now - b.updated) * rate_per_s >= burst
        ]
        for k in full:
            del self._buckets[k]
