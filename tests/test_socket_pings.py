"""Keepalive pings on a shared clock (`web/socket_pings.py`), through uvicorn over TCP: the
pings of sockets opened at different moments leave together on the grid, and a peer that stops
answering is still dropped."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
import uvicorn
import wsproto
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket
from wsproto.events import AcceptConnection, CloseConnection, Ping, Request

from relaydesk.web.socket_pings import AlignedPings

from .support import free_port, serve_in_thread

INTERVAL_S, TIMEOUT_S = 0.3, 0.5


class TenthGrid(AlignedPings):
    grid_s = 0.1


async def hold(websocket: WebSocket) -> None:
    await websocket.accept()
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass


@pytest.fixture
def port() -> Iterator[int]:
    port = free_port()
    config = uvicorn.Config(
        Starlette(routes=[WebSocketRoute("/ws", hold)]), host="127.0.0.1", port=port,
        ws=TenthGrid, ws_ping_interval=INTERVAL_S, ws_ping_timeout=TIMEOUT_S,
        log_level="warning",
    )  # fmt: skip
    server, thread = serve_in_thread(config)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


async def client(port: int, seconds: float, answer: bool = True) -> tuple[list[float], bool]:
    """A raw WebSocket client for `seconds`: when each ping came (monotonic clock), and
    whether the server closed the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    connection = wsproto.WSConnection(wsproto.ConnectionType.CLIENT)
    writer.write(connection.send(Request(host="127.0.0.1", target="/ws")))
    pings: list[float] = []
    deadline = time.monotonic() + seconds
    try:
        while (left := deadline - time.monotonic()) > 0:
            try:
                data = await asyncio.wait_for(reader.read(65536), left)
            except TimeoutError:
                break
            if not data:
                return pings, True
            connection.receive_data(data)
            for event in connection.events():
                if isinstance(event, Ping):
                    pings.append(time.monotonic())
                    if answer:
                        writer.write(connection.send(event.response()))
                elif isinstance(event, CloseConnection):
                    return pings, True
                else:
                    assert isinstance(event, AcceptConnection)
        return pings, False
    finally:
        writer.close()


async def test_pings_of_sockets_opened_apart_leave_together_on_the_grid(port: int) -> None:
    async def opened_after(delay: float) -> list[float]:
        await asyncio.sleep(delay)
        pings, closed = await client(port, 1.6 - delay)
        assert not closed
        return pings

    found = await asyncio.gather(*(opened_after(n * 0.037) for n in range(6)))
    assert all(len(pings) >= 3 for pings in found)
    stamps = [at for pings in found for at in pings]
    phases = [at % TenthGrid.grid_s for at in stamps]
    # Each ping arrives just after a multiple of the grid (sent when its timer fired there).
    # Sent at uvicorn's own moments they would spread over the whole tenth of a second.
    on_grid = [phase < 0.04 for phase in phases]
    assert sum(on_grid) >= 0.8 * len(stamps), sorted(phases)


async def test_a_peer_that_stops_answering_is_dropped(port: int) -> None:
    (silent_pings, silent_closed), (_, answering_closed) = await asyncio.gather(
        client(port, 2.0, answer=False), client(port, 2.0)
    )
    assert silent_pings and silent_closed
    assert not answering_closed
