"""Message round trip: a visitor sends over HTTP, the AI answer frame arrives on its socket.

200 visitors at once, each with its own WebSocket, each sending several questions in turn.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx
import websockets

from .server import BenchServer
from .stats import summary_ms

QUESTIONS = [
    "How long does shipping take?",
    "How do I reset my password?",
    "Can I pay with PayPal?",
    "What is your return policy?",
    "How much is the Team plan?",
]


async def _visitor(
    server: BenchServer, http: httpx.AsyncClient, rounds: int, start: asyncio.Barrier
) -> list[float]:
    session = (await http.post("/api/widget/v1/sessions", json={"widget_key": "demo"})).json()
    token = session["visitor_token"]
    headers = {"authorization": f"Bearer {token}"}
    timings = []
    async with websockets.connect(f"{server.ws_url}/api/widget/v1/ws?token={token}") as ws:
        await ws.recv()  # hello
        await start.wait()  # every visitor connected: then all send at once
        for i in range(rounds):
            began = time.perf_counter()
            body = {"client_id": uuid.uuid4().hex, "text": QUESTIONS[i % len(QUESTIONS)]}
            sent = await http.post("/api/widget/v1/messages", json=body, headers=headers)
            sent.raise_for_status()
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if frame["type"] == "message.created" and frame["message"]["role"] == "ai":
                    break
            timings.append(time.perf_counter() - began)
    return timings


async def measure(server: BenchServer, visitors: int = 200, rounds: int = 5) -> list[float]:
    limits = httpx.Limits(max_connections=visitors, max_keepalive_connections=visitors)
    async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=60) as http:
        start = asyncio.Barrier(visitors)
        results = await asyncio.gather(
            *(_visitor(server, http, rounds, start) for _ in range(visitors))
        )
    return [t for r in results for t in r]


def run(server: BenchServer, visitors: int = 200, rounds: int = 5) -> list[float]:
    print(startup_line(server))
    cpu_before = server.cpu_seconds()
    timings = asyncio.run(measure(server, visitors, rounds))
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / len(timings)
    print(
        f"message round trip (send -> AI answer frame), {visitors} concurrent visitors x "
        f"{rounds}: {summary_ms(timings)}; server CPU {cpu_ms:.1f} ms per round trip"
    )
    return timings


def startup_line(server: BenchServer) -> str:
    return (
        f"server start-up: ready in {server.startup_s:.1f} s, "
        f"RSS {server.startup_rss_kib / 1024:.1f} MiB before any visitor"
    )
