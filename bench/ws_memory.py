"""Server memory per idle widget WebSocket: RSS before and after opening N sockets."""

from __future__ import annotations

import asyncio
import gc
import resource

import httpx
import websockets

from .server import BenchServer

BATCH = 200


async def _tokens(server: BenchServer, count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:

        async def one() -> str:
            answer = await http.post("/api/widget/v1/sessions", json={"widget_key": "demo"})
            return str(answer.json()["visitor_token"])

        tokens: list[str] = []
        for _ in range(0, count, BATCH):
            tokens += await asyncio.gather(*(one() for _ in range(min(BATCH, count - len(tokens)))))
        return tokens


async def measure(server: BenchServer, count: int) -> tuple[int, int, int]:
    tokens = await _tokens(server, count)
    # Warm the code paths (one socket open and closed) so the baseline holds them.
    async with websockets.connect(f"{server.ws_url}/api/widget/v1/ws?token={tokens[0]}") as ws:
        await ws.recv()
    await asyncio.sleep(1)
    before = server.rss_kib()
    sockets = []
    for start in range(0, count, BATCH):
        batch = tokens[start : start + BATCH]
        opened = await asyncio.gather(
            *(
                websockets.connect(
                    f"{server.ws_url}/api/widget/v1/ws?token={t}", ping_interval=None
                )
                for t in batch
            )
        )
        await asyncio.gather(*(ws.recv() for ws in opened))  # hello: the server holds them
        sockets += opened
    await asyncio.sleep(2)
    after = server.rss_kib()
    await asyncio.gather(*(ws.close() for ws in sockets))
    gc.collect()
    return before, after, len(sockets)


def run(server: BenchServer, count: int = 2000) -> float:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, count * 2 + 512)), hard))
    before, after, opened = asyncio.run(measure(server, count))
    per_socket = (after - before) * 1024 / opened
    print(
        f"idle WebSocket memory: {opened} sockets, server RSS {before / 1024:.1f} MiB -> "
        f"{after / 1024:.1f} MiB, {per_socket / 1024:.1f} KiB per connection"
    )
    return per_socket
