"""The Redis hub between nodes, against a Redis of the test's own: subscriptions per channel,
recovery after Redis restarts, presence for the whole cluster."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from relaydesk.cluster_wakeup import JOBS, ClusterWakeup
from relaydesk.realtime import RESUME
from relaydesk.redis_hub import RedisHub

from ..hub_sockets import HeldSocket, listen
from ..support import wait_for
from .processes import OwnRedis

RESYNC = '{"type":"hello"}'


@asynccontextmanager
async def hubs(redis: OwnRedis, count: int, **options: float) -> AsyncIterator[list[RedisHub]]:
    """`count` nodes' hubs, connected."""
    started = [RedisHub(redis.url, **options) for _ in range(count)]
    for hub in started:
        await hub.start()
    try:
        await wait_for(lambda: _connected(started))
        yield started
    finally:
        for hub in started:
            await hub.close()


async def _connected(nodes: list[RedisHub]) -> bool:
    return all(hub.stats.connected for hub in nodes)


async def test_a_frame_reaches_only_the_nodes_with_a_socket_on_its_channel(
    redis: OwnRedis,
) -> None:
    async with hubs(redis, 3) as (holder, publisher, bystander):
        socket = await listen(holder, "visitor:a")
        for n in range(20):
            await publisher.publish("visitor:a", {"type": "message.created", "n": n})
        frames = await socket.next_frames(20)
        assert [json.loads(f)["n"] for f in frames] == list(range(20))
        await publisher.publish("visitor:nobody", {"type": "typing"})
        await holder.publish("visitor:a", {"type": "last"})
        assert json.loads((await socket.next_frames(1))[0]) == {"type": "last"}
        assert holder.stats.frames_received == 21 and holder.stats.frames_unrouted == 0
        assert publisher.stats.frames_received == 0
        assert bystander.stats.frames_received == 0


async def test_a_subscription_is_in_effect_once_subscribe_returns(redis: OwnRedis) -> None:
    async with hubs(redis, 2) as (holder, publisher):
        channels = [f"visitor:{n}" for n in range(300)]
        sockets = await asyncio.gather(*(listen(holder, c) for c in channels))
        await asyncio.gather(*(publisher.publish(c, {"c": c}) for c in channels))
        for channel, socket in zip(channels, sockets, strict=True):
            assert json.loads((await socket.next_frames(1))[0]) == {"c": channel}


async def test_a_node_stops_receiving_a_channel_once_its_last_socket_leaves(
    redis: OwnRedis,
) -> None:
    async with hubs(redis, 2) as (holder, publisher):
        first = await listen(holder, "visitor:b")
        second = await listen(holder, "visitor:b")
        holder.unsubscribe("visitor:b", first.subscription)
        await publisher.publish("visitor:b", {"n": 1})
        assert await second.next_frames(1) == ['{"n":1}']
        holder.unsubscribe("visitor:b", second.subscription)
        again = await listen(holder, "visitor:b")  # unsubscribed, then subscribed again
        await publisher.publish("visitor:b", {"n": 2})
        assert await again.next_frames(1) == ['{"n":2}']
        holder.unsubscribe("visitor:b", again.subscription)

        async def unsubscribed() -> bool:
            received = holder.stats.frames_received
            await publisher.publish("visitor:b", {"n": 3})
            await asyncio.sleep(0.05)
            return holder.stats.frames_received == received

        await wait_for(unsubscribed)
        assert not first.take() and not second.take() and not again.take()


async def test_after_redis_restarts_the_hub_resubscribes_and_every_socket_catches_up(
    redis: OwnRedis,
) -> None:
    async with hubs(redis, 2) as (holder, publisher):
        sockets = [await listen(holder, f"visitor:r{n}", RESYNC) for n in range(250)]
        plain = await listen(holder, "visitor:plain")  # no resync frame: it is cut off
        await asyncio.to_thread(redis.restart)
        await wait_for(lambda: _connected([holder, publisher]), timeout=20)
        assert holder.stats.resyncs == 1
        await wait_for(lambda: _all_written(sockets))  # a batch at a time, not all at once
        for socket in sockets:
            assert socket.take() == [RESYNC]
        await wait_for(lambda: plain.closed_with == RESUME)
        assert plain.frames == []
        await publisher.publish("visitor:r7", {"after": "restart"})
        assert await sockets[7].next_frames(1) == ['{"after":"restart"}']


async def test_a_frame_published_while_redis_is_down_reaches_this_nodes_sockets(
    redis: OwnRedis,
) -> None:
    async with hubs(redis, 2) as (here, there):
        local = await listen(here, "visitor:down", RESYNC)
        remote = await listen(there, "visitor:down", RESYNC)
        redis.process.stop()
        await wait_for(lambda: _disconnected([here, there]), timeout=20)
        await here.publish("visitor:down", {"while": "down"})
        assert await local.next_frames(1) == ['{"while":"down"}']
        await asyncio.to_thread(redis.restart)
        await wait_for(lambda: _connected([here, there]), timeout=20)
        # Both catch up: `there` lost its connection, and `here` tells the channel what it
        # could not send once Redis answers again.
        await wait_for(lambda: _got(remote, RESYNC), timeout=5)
        await wait_for(lambda: _got(local, RESYNC), timeout=5)


async def test_close_returns_when_it_lands_as_a_write_to_redis_completes(
    redis: OwnRedis,
) -> None:
    """A socket leaves, so the hub releases its presence, and the node shuts down meanwhile.
    On Python 3.11 redis-py's write timeout (`asyncio.wait_for`) drops a cancellation that
    lands in the loop turn the write completes: close() waited for ever on the hub's task."""
    for turns in range(8):  # loop turns between the socket leaving and close()
        hub = RedisHub(redis.url)
        await hub.start()
        await wait_for(lambda started=hub: _connected([started]))
        socket = await listen(hub, "visitor:leaving")
        await wait_for(lambda started=hub: started.presence.anywhere("visitor:leaving"))
        hub.unsubscribe("visitor:leaving", socket.subscription)
        for _ in range(turns):
            await asyncio.sleep(0)
        try:
            async with asyncio.timeout(5):
                await hub.close()
        except TimeoutError:
            pytest.fail(f"close() never returned, {turns} loop turns after the socket left")


async def _all_written(sockets: list[HeldSocket]) -> bool:
    return all(socket.frames for socket in sockets)


async def _disconnected(nodes: list[RedisHub]) -> bool:
    return not any(hub.stats.connected for hub in nodes)


async def _got(socket: HeldSocket, frame: str) -> bool:
    return frame in socket.take()


async def test_presence_answers_for_the_whole_cluster_and_lapses_when_a_node_dies(
    redis: OwnRedis,
) -> None:
    async with hubs(redis, 2, presence_ttl_s=1.5) as (holder, asker):
        socket = await listen(holder, "visitor:p")
        assert await wait_for(lambda: asker.online("visitor:p"))
        assert await holder.online("visitor:p")
        holder.unsubscribe("visitor:p", socket.subscription)
        await wait_for(lambda: _offline(asker, "visitor:p"))

        crashing = RedisHub(redis.url, presence_ttl_s=1.5)
        await crashing.start()
        await wait_for(lambda: _connected([crashing]))
        await listen(crashing, "visitor:q")
        assert await wait_for(lambda: asker.online("visitor:q"))
        for task in crashing._tasks:  # the node dies: nothing releases its claims
            task.cancel()
        await asyncio.sleep(3)  # its claim is renewed every 0.5 s while it lives
        assert await wait_for(lambda: _offline(asker, "visitor:q"), timeout=3)
        await crashing._redis.aclose()


async def _offline(hub: RedisHub, channel: str) -> bool:
    return not await hub.online(channel)


async def test_a_job_committed_on_a_node_without_worker_wakes_the_worker_process(
    redis: OwnRedis,
) -> None:
    async with hubs(redis, 2) as (node, worker_process):
        on_node, on_worker = ClusterWakeup(node), ClusterWakeup(worker_process)
        on_worker.listen()
        await wait_for(lambda: _subscribed(worker_process, JOBS))
        await on_node.notify()
        await asyncio.wait_for(on_worker.event.wait(), 5)
        assert node.stats.frames_received == 0  # no worker here: no wake-ups either


async def _subscribed(hub: RedisHub, channel: str) -> bool:
    link = hub._link
    return link is not None and channel in link.subscribed and channel not in link.confirming
