"""The floor: a bare Starlette relay that does nothing but what the message paths must do.

A POST writes its body to one of the idle WebSockets it holds: no database, no auth, no AI.
`python -m bench.floor PORT` serves it (uvicorn with wsproto, as relaydesk); the functions here
measure it the way the relaydesk benchmarks measure relaydesk, in the same process layout
(server in a subprocess of its own, the clients here).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import httpx
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from .arrivals import Arrivals
from .lean_client import Http, Socket
from .roundtrip import WAIT_S
from .server import BenchServer, Window, _free_port, _wait_ready

SOCKETS: dict[str, WebSocket] = {}
ANSWER = "message.created"


async def _socket(websocket: WebSocket) -> None:
    token = websocket.query_params["token"]
    await websocket.accept()
    SOCKETS[token] = websocket
    await websocket.send_text('{"type":"hello"}')
    try:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    finally:
        SOCKETS.pop(token, None)


async def _relay(request: Request) -> Response:
    body = await request.body()
    await SOCKETS[request.path_params["token"]].send_text(body.decode())
    return Response(status_code=204)


async def _ready(_request: Request) -> Response:
    return Response(b'{"status":"ready"}', media_type="application/json")


def app() -> Starlette:
    return Starlette(
        routes=[
            WebSocketRoute("/ws", _socket),
            Route("/relay/{token}", _relay, methods=["POST"]),
            Route("/readyz", _ready),
        ]
    )


@contextmanager
def floor_server() -> Iterator[BenchServer]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", f"{__package__}.floor", str(port)], stdout=subprocess.DEVNULL
    )
    server = BenchServer(f"http://127.0.0.1:{port}", process)
    started = time.monotonic()
    try:
        _wait_ready(server)
        server.startup_s = time.monotonic() - started
        server.startup_rss_kib = server.rss_kib()
        yield server
    finally:
        process.terminate()
        process.wait(timeout=20)


# -- the visitor round trip: the message is relayed back to the visitor's own socket


async def _visitor(
    server: BenchServer, rounds: int, start: asyncio.Barrier, n: int, window: Window
) -> list[float]:
    token = f"visitor-{n}"
    timings = []
    http = await Http.connect(server.base_url)
    ws = await asyncio.wait_for(Socket.connect(f"{server.ws_url}/ws?token={token}"), WAIT_S)
    try:
        await ws.recv()  # hello
        await start.wait()
        window.began()
        for i in range(rounds):
            began = time.perf_counter()
            frame = {"type": "message.created", "message": {"role": "ai", "text": f"answer {i}"}}
            await http.post(f"/relay/{token}", frame)
            while (await asyncio.wait_for(ws.recv(), WAIT_S))["type"] != ANSWER:
                pass
            timings.append(time.perf_counter() - began)
        window.ended()
    finally:
        ws.close()
        http.close()
    return timings


async def round_trips(
    server: BenchServer, visitors: int, rounds: int, window: Window
) -> list[float]:
    """Round-trip times; `window` gets the first send's and the last answer's clock and CPU."""
    start = asyncio.Barrier(visitors)
    results = await asyncio.gather(
        *(_visitor(server, rounds, start, n, window) for n in range(visitors))
    )
    return [t for r in results for t in r]


# -- rep replies: one POST a reply to one of the idle sockets, round robin, at a fixed rate


async def relays(server: BenchServer, sockets: int, rate: float, count: int,
                 warm_up: int) -> tuple[list[float], float]:  # fmt: skip
    """Latencies (POST sent -> frame read) of `count` relays after `warm_up`, and the server
    CPU seconds the counted ones took."""
    arrived = Arrivals(warm_up)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        opened = await _open(server, sockets)
        readers = [asyncio.create_task(_read(ws, arrived)) for ws in opened]
        await _send(http, sockets, rate, [f"warm-up {n}" for n in range(warm_up)], arrived)
        arrived.expect(warm_up + count)
        cpu_before = server.cpu_seconds()
        sent = await _send(http, sockets, rate, [f"reply {n}" for n in range(count)], arrived)
        cpu_s = server.cpu_seconds() - cpu_before
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in opened))
    return [arrived.at[text] - at for text, at in sent.items() if text in arrived.at], cpu_s


async def _open(server: BenchServer, count: int) -> list[Any]:
    opened: list[Any] = []
    for first in range(0, count, 200):
        batch = await asyncio.gather(
            *(websockets.connect(f"{server.ws_url}/ws?token=w{n}", ping_interval=None)
              for n in range(first, min(count, first + 200)))
        )  # fmt: skip
        await asyncio.gather(*(ws.recv() for ws in batch))  # hello
        opened += batch
    return opened


async def _read(ws: Any, arrived: Arrivals) -> None:
    async for raw in ws:
        frame = json.loads(raw)
        if frame["type"] == "message.created":
            arrived.mark(frame["message"]["text"])


async def _send(http: httpx.AsyncClient, sockets: int, rate: float, texts: list[str],
                arrived: Arrivals) -> dict[str, float]:  # fmt: skip
    sent: dict[str, float] = {}

    async def one(n: int, text: str) -> None:
        frame = {"type": "message.created", "message": {"role": "agent", "text": text}}
        sent[text] = time.time()
        (await http.post(f"/relay/w{n % sockets}", content=json.dumps(frame))).raise_for_status()

    began, posts = time.perf_counter(), []
    for n, text in enumerate(texts):
        await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
        posts.append(asyncio.create_task(one(n, text)))
    await asyncio.gather(*posts)
    with suppress(TimeoutError):
        await asyncio.wait_for(arrived.done.wait(), 30)
    return sent


# -- idle sockets


async def idle_memory(server: BenchServer, count: int) -> float:
    """KiB of server RSS per idle socket, `count` of them open."""
    warm = await _open(server, 1)
    await warm[0].close()
    await asyncio.sleep(1)
    before = server.rss_kib()
    opened = await _open(server, count)
    await asyncio.sleep(2)
    after = server.rss_kib()
    await asyncio.gather(*(ws.close() for ws in opened))
    return (after - before) / len(opened)


def main() -> None:
    uvicorn.run(
        app(),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        ws="wsproto",
        ws_per_message_deflate=False,
        timeout_keep_alive=75,  # as `relaydesk serve`
        log_level="warning",
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
