"""A socket's subscription on one node's hub: frames written in order by a task that lives only
while frames wait, a socket that stops reading cut off, a closing hub closing every socket."""

from __future__ import annotations

import asyncio
import json

from relaydesk.realtime import QUEUE_LIMIT, RESUME, MemoryHub

from .hub_sockets import listen
from .support import wait_for


def tasks() -> int:
    return len(asyncio.all_tasks())


async def test_an_idle_socket_holds_no_task_and_frames_arrive_in_order() -> None:
    hub = MemoryHub()
    before = tasks()
    socket = await listen(hub, "visitor:a")
    assert tasks() == before
    for n in range(5):
        await hub.publish("visitor:a", {"n": n})
    assert [json.loads(f)["n"] for f in await socket.next_frames(5)] == list(range(5))
    await wait_for(lambda: tasks() == before)
    await hub.publish("visitor:a", {"n": 5})  # idle again, then written again
    assert await socket.next_frames(1) == ['{"n":5}']


async def test_a_socket_that_stops_reading_is_cut_off_and_told_to_resume() -> None:
    hub = MemoryHub()
    slow, other = await listen(hub, "visitor:b"), await listen(hub, "visitor:b")
    slow.paused = True
    for n in range(QUEUE_LIMIT + 2):  # one being written, QUEUE_LIMIT waiting, one too many
        await hub.publish("visitor:b", {"n": n})
        await asyncio.sleep(0)  # the socket still reading writes as they come
    assert len(await other.next_frames(QUEUE_LIMIT + 2)) == QUEUE_LIMIT + 2
    slow.resume()
    await wait_for(lambda: slow.closed_with == RESUME)
    assert slow.take() == ['{"n":0}']  # the rest is the history's to give
    await hub.publish("visitor:b", {"n": "after"})
    assert await other.next_frames(1) == ['{"n":"after"}']
    assert slow.take() == [] and other.closed_with is None


async def test_a_socket_without_a_resync_frame_is_closed_when_frames_may_be_lost() -> None:
    hub = MemoryHub()
    plain, resyncing = await listen(hub, "visitor:c"), await listen(hub, "visitor:c", "hello")
    hub.resync()
    assert await resyncing.next_frames(1) == ["hello"]
    await wait_for(lambda: plain.closed_with == RESUME)
    assert plain.take() == []


async def test_a_closing_hub_closes_every_socket_and_a_stopped_one_writes_nothing() -> None:
    hub = MemoryHub()
    idle, stuck = await listen(hub, "visitor:d"), await listen(hub, "visitor:e")
    stuck.paused = True
    await hub.publish("visitor:e", {"n": 1})
    await asyncio.sleep(0)  # its write has started and waits
    await asyncio.wait_for(stuck.subscription.stop(), 1)
    stuck.resume()
    await hub.close()
    await wait_for(lambda: idle.closed_with == RESUME)
    await asyncio.sleep(0.05)
    assert stuck.frames == [] and stuck.closed_with is None
