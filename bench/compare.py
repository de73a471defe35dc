"""`python -m bench compare`: the floor (`floor.py`) and relaydesk side by side, with ratios.

One run measures the floor, then relaydesk on SQLite and on PostgreSQL (a throwaway database
each time), each figure as its own benchmark measures it: the rep reply at 1,000 widgets and 50
replies/s, the visitor round trip at 200 visitors, 2,000 idle sockets and the RSS at start-up.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.cluster.cluster import fresh_database, postgres_reachable
from tests.databases import PG_ADMIN_DSN

from . import rep_reply, roundtrip, ws_memory
from .floor import floor_server, idle_memory, relays, round_trips
from .server import Window, demo_server
from .stats import percentile

WIDGETS, RATE, SECONDS, WARM_UP_S = 1000, 50.0, 20.0, 5.0
VISITORS, ROUNDS = 200, 5
SOCKETS = 2000


@dataclass
class Figures:
    reply_p50_ms: float = 0.0
    reply_p99_ms: float = 0.0
    reply_cpu_ms: float = 0.0
    trip_p50_ms: float = 0.0
    trip_p99_ms: float = 0.0
    trip_cpu_ms: float = 0.0
    messages_per_s: float = 0.0
    socket_kib: float = 0.0
    startup_rss_mib: float = 0.0


ROWS = (
    ("rep reply p50, ms", "reply_p50_ms"),
    ("rep reply p99, ms", "reply_p99_ms"),
    ("server CPU per rep reply, ms", "reply_cpu_ms"),
    ("round trip p50, ms", "trip_p50_ms"),
    ("round trip p99, ms", "trip_p99_ms"),
    ("server CPU per round trip, ms", "trip_cpu_ms"),
    ("messages per second", "messages_per_s"),
    ("KiB per idle socket", "socket_kib"),
    ("RSS at start-up, MiB", "startup_rss_mib"),
)


def _ms(values: list[float]) -> tuple[float, float]:
    return statistics.median(values) * 1000, percentile(values, 99) * 1000


def floor() -> Figures:
    figures = Figures()
    with floor_server() as server:
        figures.startup_rss_mib = server.startup_rss_kib / 1024
        replies, cpu_s = asyncio.run(
            relays(server, WIDGETS, RATE, int(RATE * SECONDS), int(RATE * WARM_UP_S))
        )
        figures.reply_p50_ms, figures.reply_p99_ms = _ms(replies)
        figures.reply_cpu_ms = cpu_s * 1000 / len(replies)
        window = Window(server)
        trips = asyncio.run(round_trips(server, VISITORS, ROUNDS, window))
        figures.trip_cpu_ms = window.cpu_s * 1000 / len(trips)
        figures.trip_p50_ms, figures.trip_p99_ms = _ms(trips)
        figures.messages_per_s = len(trips) / window.seconds
    # A fresh server, as relaydesk's: sockets opened after others closed reuse their memory
    # (measured after the runs above, the floor's figure halved: 12 KiB instead of 25).
    with floor_server() as server:
        figures.socket_kib = asyncio.run(idle_memory(server, SOCKETS))
    return figures


def relaydesk(database_url: str | None) -> Figures:
    """`database_url` None: a fresh SQLite file per benchmark, as `python -m bench` does."""
    figures = Figures()
    with demo_server(database_url) as server:
        figures.startup_rss_mib = server.startup_rss_kib / 1024
        trips = roundtrip.run(server, visitors=VISITORS, rounds=ROUNDS)
    figures.trip_p50_ms, figures.trip_p99_ms = _ms(trips.timings)
    figures.trip_cpu_ms, figures.messages_per_s = trips.cpu_ms, trips.per_s
    with _database(database_url) as url, demo_server(url) as server:
        figures.socket_kib = ws_memory.run(server, count=SOCKETS) / 1024
    with _database(database_url) as url:
        replies = rep_reply.run(WIDGETS, RATE, SECONDS, url, WARM_UP_S)
    figures.reply_p50_ms, figures.reply_p99_ms = _ms(replies.webhook_to_frame)
    figures.reply_cpu_ms = replies.cpu_s * 1000 / max(1, len(replies.webhook_to_frame))
    return figures


@contextmanager
def _database(database_url: str | None) -> Iterator[str | None]:
    """A fresh database for each benchmark: PostgreSQL's throwaway one, or SQLite's file."""
    if database_url is None:
        yield None
        return
    with fresh_database(PG_ADMIN_DSN, "relaydesk_bench") as url:
        yield url


def table(floor_figures: Figures, columns: dict[str, Figures]) -> str:
    header = f"{'':32}{'floor':>10}" + "".join(f"{name:>14}{'ratio':>8}" for name in columns)
    lines = [header]
    for label, field in ROWS:
        base = getattr(floor_figures, field)
        line = f"{label:32}{base:>10.1f}"
        for figures in columns.values():
            value = getattr(figures, field)
            ratio = f"{value / base:.1f}x" if base else "-"
            line += f"{value:>14.1f}{ratio:>8}"
        lines.append(line)
    return "\n".join(lines)


def run() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print("floor: a bare Starlette relay (a POST writes its body to one of the idle sockets)")
    floor_figures = floor()
    print(f"floor: {floor_figures}")
    columns = {"sqlite": relaydesk(None)}
    print(f"sqlite: {columns['sqlite']}")
    if postgres_reachable(PG_ADMIN_DSN):
        with fresh_database(PG_ADMIN_DSN, "relaydesk_bench") as url:
            columns["postgresql"] = relaydesk(url)
        print(f"postgresql: {columns['postgresql']}")
    else:
        print("PostgreSQL is not reachable: SQLite only")
    print(table(floor_figures, columns))
