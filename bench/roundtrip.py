"""Message round trip: a visitor sends over HTTP, the AI answer frame arrives on its socket.

200 visitors at once, each with its own WebSocket, each sending several questions in turn.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

from .lean_client import Http, Socket
from .server import BenchServer, Window
from .stats import summary_ms

# How long a visitor waits for its socket or an answer before the run fails: long, since on a
# machine shared with other work the tail of 200 visitors at once reaches tens of seconds.
WAIT_S = 120

QUESTIONS = [
    "How long does shipping take?",
    "How do I reset my password?",
    "Can I pay with PayPal?",
    "What is your return policy?",
    "How much is the Team plan?",
]


async def _visitor(
    server: BenchServer, rounds: int, start: asyncio.Barrier, window: Window
) -> list[float]:
    http = await Http.connect(server.base_url)
    session = await http.post("/api/widget/v1/sessions", {"widget_key": "demo"})
    token = session["visitor_token"]
    headers = {"authorization": f"Bearer {token}"}
    timings = []
    ws = await asyncio.wait_for(
        Socket.connect(f"{server.ws_url}/api/widget/v1/ws?token={token}"), WAIT_S
    )
    try:
        await ws.recv()  # hello
        await start.wait()  # every visitor connected: then all send at once
        window.began()
        for i in range(rounds):
            began = time.perf_counter()
            body = {"client_id": uuid.uuid4().hex, "text": QUESTIONS[i % len(QUESTIONS)]}
            await http.post("/api/widget/v1/messages", body, headers)
            while True:
                frame = await asyncio.wait_for(ws.recv(), WAIT_S)
                if frame["type"] == "message.created" and frame["message"]["role"] == "ai":
                    break
            timings.append(time.perf_counter() - began)
        window.ended()
    finally:
        ws.close()
        http.close()
    return timings


async def measure(
    server: BenchServer, visitors: int = 200, rounds: int = 5, window: Window | None = None
) -> list[float]:
    """Round-trip times; `window` gets the first send's and the last answer's clock and CPU."""
    window = window if window is not None else Window(server)
    start = asyncio.Barrier(visitors)
    results = await asyncio.gather(
        *(_visitor(server, rounds, start, window) for _ in range(visitors))
    )
    return [t for r in results for t in r]


@dataclass
class RoundTrips:
    timings: list[float]
    cpu_ms: float  # server CPU per round trip, from the first send to the last answer
    opening_ms: float  # server CPU per visitor before that: its session and socket
    per_s: float  # messages answered per second of wall time


def run(server: BenchServer, visitors: int = 200, rounds: int = 5) -> RoundTrips:
    print(startup_line(server))
    cpu_before, window = server.cpu_seconds(), Window(server)
    timings = asyncio.run(measure(server, visitors, rounds, window))
    cpu_ms = window.cpu_s * 1000 / len(timings)
    opening_ms = (window.cpu_at_first - cpu_before) * 1000 / visitors
    print(
        f"message round trip (send -> AI answer frame), {visitors} concurrent visitors x "
        f"{rounds}: {summary_ms(timings)}; server CPU {cpu_ms:.1f} ms per round trip "
        f"(before the first send: {opening_ms:.1f} ms per visitor's session and socket); "
        f"{len(timings) / window.seconds:.0f} messages/s"
    )
    return RoundTrips(timings, cpu_ms, opening_ms, len(timings) / window.seconds)


def startup_line(server: BenchServer) -> str:
    return (
        f"server start-up: ready in {server.startup_s:.1f} s, "
        f"RSS {server.startup_rss_kib / 1024:.1f} MiB before any visitor"
    )
