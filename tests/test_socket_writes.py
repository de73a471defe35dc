"""Frames written in the publisher's own step (`web/socket_writes.py`), through uvicorn over TCP:
a socket that takes them gets them before anything its handler sends after the publish, with no
task started; a socket whose transport is paused gets them all the same, in order, from the
subscription's task, and takes them at once again once it has caught up."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from relaydesk.realtime import MemoryHub, Subscription
from relaydesk.web.socket_pings import AlignedPings
from relaydesk.web.socket_writes import WidgetSockets

from .support import free_port, serve_in_thread

BIG = "x" * 60_000  # a frame large enough that a client not reading pauses the transport


async def publisher(websocket: WebSocket) -> None:
    """On "publish N SIZE": N frames published to this socket's channel, then, sent by the
    handler itself, whether that took a task (the subscription's writer)."""
    await websocket.accept()
    hub = MemoryHub()
    subscription = Subscription(websocket)
    await hub.subscribe("visitor:v", subscription)
    while (message := await websocket.receive())["type"] != "websocket.disconnect":
        _, count, size = message["text"].split()
        for n in range(int(count)):
            await hub.publish("visitor:v", {"n": n, "pad": BIG if size == "big" else ""})
        tasked = subscription._writer is not None and not subscription._writer.done()
        await websocket.send_text(json.dumps({"report": True, "tasked": tasked}))
    hub.unsubscribe("visitor:v", subscription)
    await subscription.stop()


def serve(protocol: type[AlignedPings]) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        Starlette(routes=[WebSocketRoute("/ws", publisher)]), host="127.0.0.1", port=port,
        ws=protocol, ws_per_message_deflate=False, log_level="warning",
    )  # fmt: skip
    server, thread = serve_in_thread(config)
    yield f"ws://127.0.0.1:{port}/ws"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def url() -> Iterator[str]:
    yield from serve(WidgetSockets)


@pytest.fixture
def plain_url() -> Iterator[str]:
    yield from serve(AlignedPings)


async def read(ws: websockets.ClientConnection, count: int) -> list[dict[str, object]]:
    return [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(count)]


async def test_frames_leave_in_the_publishers_step_before_what_the_handler_sends_next(
    url: str,
) -> None:
    async with websockets.connect(url, compression=None) as ws:
        for _ in range(2):
            await ws.send("publish 3 small")
            frames = await read(ws, 4)
            assert [f.get("n") for f in frames[:3]] == [0, 1, 2]
            assert frames[3] == {"report": True, "tasked": False}


async def test_without_the_extension_a_task_writes_them_after_the_handlers_own_send(
    plain_url: str,
) -> None:
    # What the extension changes: uvicorn's own protocol leaves the frames to the task, which
    # writes them on the loop's next turn, after the handler's report.
    async with websockets.connect(plain_url, compression=None) as ws:
        await ws.send("publish 3 small")
        frames = await read(ws, 4)
        assert frames[0] == {"report": True, "tasked": True}
        assert [f.get("n") for f in frames[1:]] == [0, 1, 2]


async def test_a_paused_socket_gets_every_frame_in_order_then_takes_them_at_once_again(
    url: str,
) -> None:
    async with websockets.connect(url, compression=None, max_size=None) as ws:
        await ws.send("publish 150 big")  # ~9 MB the client does not read for now
        await asyncio.sleep(0.5)
        frames = await read(ws, 151)
        numbers = [f["n"] for f in frames if "n" in f]
        assert numbers == list(range(150))
        report = next(f for f in frames if "report" in f)
        assert report["tasked"] is True  # the transport paused: the rest waited for the task
        await ws.send("publish 2 small")
        frames = await read(ws, 3)
        assert [f.get("n") for f in frames[:2]] == [0, 1]
        assert frames[2] == {"report": True, "tasked": False}
