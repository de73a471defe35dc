"""The widget's WebSocket: frames pushed after commit, typing, and resume from the history."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import websockets
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .orgs import Org, make_org
from .support import RunningServer, WidgetClient


async def next_frame(ws: Any, kind: str, timeout: float = 10) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        while True:
            frame: dict[str, Any] = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame

    return await asyncio.wait_for(read(), timeout)


async def test_answer_is_pushed_over_the_socket(
    server: RunningServer, client: httpx.AsyncClient, org: Org
) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    async with websockets.connect(f"{server.ws_url}/api/widget/v1/ws?token={visitor.token}") as ws:
        hello = await next_frame(ws, "hello")
        assert hello["visitor_id"]
        await visitor.send("Can I get a refund?")
        own = await next_frame(ws, "message.created")
        assert own["message"]["role"] == "visitor" and own["message"]["seq"] == 1
        # The embedded brain answers at once: no typing frame before its answer (a slow
        # brain's comes first: tests/test_outbox.py).
        answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert answer["type"] == "message.created"
        assert answer["message"]["role"] == "ai" and answer["message"]["seq"] == 2
        assert "5 business days" in answer["message"]["text"]
        await ws.send(json.dumps({"type": "ping"}))
        assert (await next_frame(ws, "pong"))["type"] == "pong"


async def test_frames_reach_only_their_visitor(
    server: RunningServer, client: httpx.AsyncClient, org: Org
) -> None:
    alice, bob = WidgetClient(client, org.widget_key), WidgetClient(client, org.widget_key)
    await alice.start()
    await bob.start()
    url = f"{server.ws_url}/api/widget/v1/ws?token="
    async with (
        websockets.connect(url + str(alice.token)) as a,
        websockets.connect(url + str(bob.token)) as b,
    ):
        await next_frame(a, "hello")
        await next_frame(b, "hello")
        await bob.send("How do I delete my account?")
        await next_frame(b, "message.created")
        await bob.wait_for_reply()
        await alice.send("ping from alice")
        frame = await next_frame(a, "message.created")
        assert frame["message"]["text"] == "ping from alice"


async def test_missed_frames_are_recovered_from_history(
    server: RunningServer, client: httpx.AsyncClient, org: Org
) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    url = f"{server.ws_url}/api/widget/v1/ws?token={visitor.token}"
    async with websockets.connect(url) as ws:
        await next_frame(ws, "hello")
        await visitor.send("What does the Team plan cost?")
        first = await next_frame(ws, "message.created")
    last_seen = first["message"]["seq"]
    # Disconnected: the answer and two more exchanges happen without a socket.
    await visitor.wait_for_reply()
    await visitor.send("Is there a discount for non-profits?")
    await visitor.wait_for_reply(count=2)
    async with websockets.connect(url) as ws:
        await next_frame(ws, "hello")
        missed = await visitor.history(after_seq=last_seen)
    assert [m["seq"] for m in missed] == [2, 3, 4]
    assert [m["role"] for m in missed] == ["ai", "visitor", "ai"]


async def test_socket_with_a_bad_token_is_closed(server: RunningServer) -> None:
    async with websockets.connect(f"{server.ws_url}/api/widget/v1/ws?token=nope") as ws:
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4401
        else:
            raise AssertionError("the socket stayed open")


async def test_socket_from_an_origin_not_allowed_is_closed(
    server: RunningServer, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    org = await make_org(db, origins=["https://shop.example"])
    visitor = WidgetClient(client, org.widget_key, origin="https://shop.example")
    await visitor.start()
    url = f"{server.ws_url}/api/widget/v1/ws?token={visitor.token}"
    async with websockets.connect(url, origin="https://shop.example") as ws:
        await next_frame(ws, "hello")
    async with websockets.connect(url, origin="https://elsewhere.example") as ws:
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4403
            assert closed.rcvd.reason == "origin_not_allowed"
        else:
            raise AssertionError("the socket stayed open")
