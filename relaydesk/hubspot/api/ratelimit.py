"""The shared HubSpot rate limit: one token bucket per portal, in memory or in Redis.

Callers reserve a token and sleep until it is theirs, so none goes before its token and a
backlog drains at the bucket's rate. A caller who must wait sleeps until the next quarter
second on the loop's clock after its token (`GRID_S`): the callers whose tokens fall due within
it wake together, a few requests for one wake-up of the process rather than one each (a backlog
of status reports drains 9 a second at the default limit, each wake-up paying for cold caches).
The bucket is sized so that any ten-second window holds at most the portal's limit:
burst + rate x 10 s = limit.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

WINDOW_S = 10.0
BURST_SHARE = 0.1  # of the limit; the rest refills steadily over the window
GRID_S = 0.25  # a waiting caller wakes on the next multiple of it after its token is due


async def wait_for_token(wait_s: float) -> None:
    """Sleep `wait_s`, and on to the next multiple of `GRID_S` on the loop's clock."""
    loop = asyncio.get_running_loop()
    due = math.ceil((loop.time() + wait_s) / GRID_S) * GRID_S
    await asyncio.sleep(due - loop.time())


@dataclass(frozen=True)
class Bucket:
    """`limit` requests per ten seconds as a bucket of `burst` tokens refilled at `rate`/s."""

    limit: int

    @property
    def burst(self) -> float:
        return max(1.0, self.limit * BURST_SHARE)

    @property
    def rate(self) -> float:
        return (self.limit - self.burst) / WINDOW_S


class PortalLimiter(Protocol):
    async def acquire(self, portal: str) -> None:
        """Wait until one request to `portal` fits its rate limit."""

    async def observe(self, portal: str, remaining: int, interval_s: float) -> None:
        """HubSpot's own count (`X-HubSpot-RateLimit-Remaining`): the bucket never holds more
        than HubSpot still allows, and at 0 the next request waits out the interval. Other
        apps and processes on the portal spend the same limit."""

    async def close(self) -> None: ...


class MemoryPortalLimiter:
    """One process's buckets; enough for a single node."""

    def __init__(self, bucket: Bucket) -> None:
        self.bucket = bucket
        self._state: dict[str, tuple[float, float]] = {}  # portal -> (tokens, at)

    def reserve(self, portal: str) -> float:
        """Take a token (possibly one not yet refilled) and return the seconds until it is."""
        now = time.monotonic()
        tokens, at = self._state.get(portal, (self.bucket.burst, now))
        tokens = min(self.bucket.burst, tokens + (now - at) * self.bucket.rate) - 1
        self._state[portal] = (tokens, now)
        return 0.0 if tokens >= 0 else -tokens / self.bucket.rate

    async def acquire(self, portal: str) -> None:
        wait_s = self.reserve(portal)
        if wait_s:
            await wait_for_token(wait_s)

    async def observe(self, portal: str, remaining: int, interval_s: float) -> None:
        now = time.monotonic()
        tokens, at = self._state.get(portal, (self.bucket.burst, now))
        tokens = min(self.bucket.burst, tokens + (now - at) * self.bucket.rate)
        self._state[portal] = (min(tokens, allowed(self.bucket, remaining, interval_s)), now)

    async def close(self) -> None:
        self._state.clear()


def allowed(bucket: Bucket, remaining: int, interval_s: float) -> float:
    """The most tokens the bucket may hold once HubSpot said `remaining`: none left means
    waiting out the interval (a negative balance the refill pays back)."""
    return float(remaining) if remaining > 0 else -bucket.rate * interval_s


# KEYS[1] bucket; ARGV: burst, rate per second. Redis's own clock keeps nodes consistent.
RESERVE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate) - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate + (-math.min(tokens, 0)) / rate) + 60)
if tokens >= 0 then return '0' end
return tostring(-tokens / rate)
"""


# KEYS[1] bucket; ARGV: burst, rate per second, the most tokens HubSpot's count allows.
OBSERVE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate, cap)
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate + (-math.min(tokens, 0)) / rate) + 60)
return 'ok'
"""


class RedisPortalLimiter:
    """Buckets in Redis, shared by every node talking to the same portal."""

    def __init__(
        self, redis: Redis, bucket: Bucket, prefix: str = "relaydesk:hubspot:rate:"
    ) -> None:
        self.redis = redis
        self.bucket = bucket
        self.prefix = prefix
        self._script = redis.register_script(RESERVE)
        self._observe = redis.register_script(OBSERVE)

    @classmethod
    def from_url(cls, url: str, bucket: Bucket) -> RedisPortalLimiter:
        return cls(Redis.from_url(url), bucket)

    async def reserve(self, portal: str) -> float:
        args = [self.bucket.burst, self.bucket.rate]
        wait = await self._script(keys=[self.prefix + portal], args=args)
        return float(wait)

    async def acquire(self, portal: str) -> None:
        wait_s = await self.reserve(portal)
        if wait_s:
            await wait_for_token(wait_s)

    async def observe(self, portal: str, remaining: int, interval_s: float) -> None:
        cap = allowed(self.bucket, remaining, interval_s)
        args = [self.bucket.burst, self.bucket.rate, cap]
        await self._observe(keys=[self.prefix + portal], args=args)

    async def close(self) -> None:
        await self.redis.aclose()


def create_portal_limiter(redis_url: str | None, limit_per_10s: int) -> PortalLimiter:
    bucket = Bucket(limit_per_10s)
    if redis_url:
        return RedisPortalLimiter.from_url(redis_url, bucket)
    return MemoryPortalLimiter(bucket)
