"""The per-portal token bucket, in memory and in Redis: same arithmetic, same answers."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from relaydesk.hubspot.api.ratelimit import (
    GRID_S,
    Bucket,
    MemoryPortalLimiter,
    RedisPortalLimiter,
)

from ..services import unavailable


def test_any_ten_seconds_hold_at_most_the_limit() -> None:
    bucket = Bucket(100)
    assert bucket.burst + bucket.rate * 10 == pytest.approx(100)


def test_memory_bucket_reserves_in_order() -> None:
    limiter = MemoryPortalLimiter(Bucket(100))
    waits = [limiter.reserve("portal-1") for _ in range(12)]
    assert waits[:10] == [0.0] * 10
    assert waits[10] == pytest.approx(1 / 9, rel=0.05)
    assert waits[11] == pytest.approx(2 / 9, rel=0.05)
    assert limiter.reserve("portal-2") == 0.0  # buckets are per portal


async def test_waiting_callers_wake_together_on_the_grid_never_before_their_tokens() -> None:
    limiter = MemoryPortalLimiter(Bucket(200))  # a burst of 20, then 18 a second
    loop = asyncio.get_running_loop()
    started = loop.time()
    woke: list[float] = []

    async def call() -> None:
        await limiter.acquire("p")
        woke.append(loop.time())

    await asyncio.gather(*(call() for _ in range(32)))
    waited = sorted(at - started for at in woke)
    assert waited[:20] == pytest.approx([0.0] * 20, abs=0.02)  # the burst goes at once
    for k, wait in enumerate(waited[20:], start=1):  # the k-th token past the burst: k / 18 s
        assert wait >= k / 18 - 0.005
    later = sorted(woke)[20:]
    assert all(min(at % GRID_S, GRID_S - at % GRID_S) < 0.03 for at in later)
    moments = {round(at / GRID_S) for at in later}
    assert len(moments) <= 4  # 12 callers over two thirds of a second: a few wake-ups


async def test_redis_bucket_is_shared_between_limiters() -> None:
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        await redis.ping()
    except (RedisConnectionError, OSError):
        unavailable("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"relaydesk:test:{uuid.uuid4().hex}:"
    first = RedisPortalLimiter(redis, Bucket(100), prefix)
    second = RedisPortalLimiter(redis, Bucket(100), prefix)
    waits = await asyncio.gather(*(lim.reserve("p") for lim in [first, second] * 6))
    ordered = sorted(waits)
    assert ordered[:10] == [0.0] * 10
    # Each wait is measured from its own call; on a busy machine the calls spread out, so the
    # 11th waits at most 1/9 s and the 12th a further 1/9 s after it.
    assert 0 < ordered[10] <= 1 / 9 + 0.02
    assert ordered[11] - ordered[10] == pytest.approx(1 / 9, abs=0.03)
    await first.acquire("other")
    await redis.delete(prefix + "p", prefix + "other")
    await redis.aclose()


async def test_hubspots_count_caps_the_memory_bucket() -> None:
    limiter = MemoryPortalLimiter(Bucket(100))
    await limiter.observe("p", 3, 10.0)
    waits = [limiter.reserve("p") for _ in range(4)]
    assert waits[:3] == [0.0] * 3 and waits[3] > 0
    await limiter.observe("q", 0, 10.0)
    assert limiter.reserve("q") == pytest.approx(10.0 + 1 / 9, rel=0.05)


async def test_hubspots_count_caps_the_redis_bucket_for_every_node() -> None:
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        await redis.ping()
    except (RedisConnectionError, OSError):
        unavailable("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"relaydesk:test:{uuid.uuid4().hex}:"
    first = RedisPortalLimiter(redis, Bucket(100), prefix)
    second = RedisPortalLimiter(redis, Bucket(100), prefix)
    await first.observe("p", 0, 10.0)
    assert await second.reserve("p") == pytest.approx(10.0 + 1 / 9, rel=0.05)
    await redis.aclose()
