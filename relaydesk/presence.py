"""Presence across the cluster: is a socket listening on a channel on any node?

Each channel with sockets has a sorted set in Redis, one member per node holding sockets for it,
scored by the time that node's claim expires. Nodes renew their claims every third of the
lifetime, so the claims of a node that died lapse on their own.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from redis.asyncio import Redis

KEY = "relaydesk:presence:"
BATCH = 1000


class Presence:
    def __init__(self, redis: Redis, node: str, ttl_s: float) -> None:
        self.redis = redis
        self.node = node
        self.ttl_s = ttl_s

    async def claim(self, channels: Sequence[str]) -> None:
        """This node holds sockets for `channels`, for the next `ttl_s` seconds."""
        expires = time.time() + self.ttl_s
        for first in range(0, len(channels), BATCH):
            async with self.redis.pipeline(transaction=False) as pipe:
                for channel in channels[first : first + BATCH]:
                    pipe.zadd(KEY + channel, {self.node: expires})
                    pipe.expire(KEY + channel, int(self.ttl_s) + 1)
                await pipe.execute()

    async def release(self, channels: Sequence[str]) -> None:
        for first in range(0, len(channels), BATCH):
            async with self.redis.pipeline(transaction=False) as pipe:
                for channel in channels[first : first + BATCH]:
                    pipe.zrem(KEY + channel, self.node)
                await pipe.execute()

    async def anywhere(self, channel: str) -> bool:
        """Whether some node's claim on `channel` has not expired."""
        live = await self.redis.zcount(KEY + channel, time.time(), "+inf")
        return bool(live)
