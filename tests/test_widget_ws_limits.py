"""The widget's socket against abuse: one visitor's sockets per node are capped, and frames the
widget never sends (binary, JSON nested thousands deep) get a clear answer, not a traceback."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from typing import Any

import httpx
import websockets

from .orgs import Org
from .support import RunningServer, WidgetClient


async def next_frame(ws: Any, kind: str, timeout: float = 10) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        while True:
            frame: dict[str, Any] = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame

    return await asyncio.wait_for(read(), timeout)


async def close_code(ws: Any, timeout: float = 10) -> int | None:
    """The code the server closed the socket with (frames before it are skipped); None if it
    stayed open."""
    try:
        async with asyncio.timeout(timeout):
            async for _ in ws:
                pass
    except TimeoutError:
        return None
    except websockets.ConnectionClosed:  # closed without a close frame
        pass
    return ws.close_code  # type: ignore[no-any-return]


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def server_errors() -> Iterator[list[logging.LogRecord]]:
    """What the server logs at ERROR; uvicorn's own loggers do not reach the root logger."""
    handler = Records()
    loggers = [logging.getLogger(), logging.getLogger("uvicorn.error")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield [r for r in handler.records if r.levelno >= logging.ERROR]
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


async def visitor_url(server: RunningServer, client: httpx.AsyncClient, org: Org) -> str:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    return f"{server.ws_url}/api/widget/v1/ws?token={visitor.token}"


async def test_one_visitor_holds_at_most_the_sockets_allowed_per_node(
    server: RunningServer, client: httpx.AsyncClient, org: Org
) -> None:
    url = await visitor_url(server, client, org)
    cap = server.settings.limits.visitor_sockets_per_node
    assert cap == 10  # the documented default
    async with AsyncExitStack() as held:
        sockets = [await held.enter_async_context(websockets.connect(url)) for _ in range(cap)]
        for ws in sockets:
            await next_frame(ws, "hello")
        async with websockets.connect(url) as refused:
            assert await close_code(refused) == 4429
            assert refused.close_reason == "too many sockets"
        # The ones held keep working.
        await sockets[0].send(json.dumps({"type": "ping"}))
        await next_frame(sockets[0], "pong")
        await sockets[0].close()
        # A socket closed frees its place; another visitor was never affected.
        async with websockets.connect(url) as again:
            await next_frame(again, "hello")
        async with websockets.connect(await visitor_url(server, client, org)) as other:
            await next_frame(other, "hello")


async def test_a_binary_frame_closes_the_socket_with_1003_and_no_traceback(
    server: RunningServer, client: httpx.AsyncClient, org: Org
) -> None:
    url = await visitor_url(server, client, org)
    with server_errors() as errors:
        async with websockets.connect(url) as ws:
            await next_frame(ws, "hello")
            await ws.send(b"\x00\x01binary")
            assert await close_code(ws) == 1003
        async with websockets.connect(url) as ws:  # the visitor's place was given back
            await next_frame(ws, "hello")
    assert errors == []


async def test_deeply_nested_json_is_answered_with_an_error_frame(
    server: RunningServer, client: httpx.AsyncClient, org: Org
) -> None:
    url = await visitor_url(server, client, org)
    with server_errors() as errors:
        async with websockets.connect(url) as ws:
            await next_frame(ws, "hello")
            for bad in ("[" * 2000 + "]" * 2000, "[{}]", '{"type": "ping"', "not json"):
                await ws.send(bad)
                error = await next_frame(ws, "error")
                assert error["error"]["code"] == "malformed_frame"
            # The socket is still serving.
            await ws.send(json.dumps({"type": "ping"}))
            await next_frame(ws, "pong")
    assert errors == []
