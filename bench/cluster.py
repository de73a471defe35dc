"""`python -m bench cluster`: the same load on one node and on two nodes, in one run.

Each topology is the cluster tests' (`tests/cluster/cluster.py`): `relaydesk serve --no-worker`
nodes behind HAProxy with deploy/haproxy.cfg, one `relaydesk worker`, PostgreSQL, a Redis of its
own and the HubSpot sandbox, all real processes; one node sits behind the same balancer (both
server lines name it). The load, measured for `seconds` after `warm_up_s` at the same rate:

- 1,000 widgets of handed-off conversations hold sockets; the sandbox sends a rep's reply to one
  of them 20 times a second (rep reply: its webhook leaves the sandbox → the frame arrives);
- 10 visitors each ask a question every 2 s (round trip: the POST → the AI answer's frame);
- then, for capacity, 50 visitors each ask the next question as soon as the answer arrives
  (messages per second: questions and answers stored and shown);
- frames each node received for a channel with no socket on it, and the CPU each relaydesk
  process used meanwhile (with the machine's load average: it is shared).

On two nodes, 10,000 idle widget sockets are then opened (half on each node, straight to the
nodes: HAProxy would need two descriptors per socket, beyond this machine's limit of 20,000)
and each node's memory per socket is printed.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hubspot_sandbox import SandboxConfig
from relaydesk.assistant.configuration import save_policy
from relaydesk.assistant.policy import AI_ONLY, HandoffPolicy
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.knowledge.documents import add_sample_documents
from relaydesk.organizations import create_organization
from relaydesk.vault import Vault
from tests.cluster.cluster import (
    Cluster,
    Node,
    fresh_database,
    haproxy,
    postgres_reachable,
    running,
)
from tests.databases import PG_ADMIN_DSN

from .rep_reply import (
    SECRET_KEY,
    Arrivals,
    connected_org,
    handed_off_crowd,
    send_replies,
    webhook_sent_at,
)
from .roundtrip import QUESTIONS
from .sandbox_process import SandboxProcess
from .stats import percentile

SANDBOX_FIELDS: dict[str, Any] = {
    "rate_limit_per_10s": None,
    "search_rate_limit_per_s": None,
    "webhook_retry_delays_s": [0.1, 0.5],
    "openapi_dir": None,  # HubSpot's schemas are checked by the tests, not on this clock
}


# The sandbox has no rate limit here, and relaydesk's own (100 calls per 10 s and portal) would
# make the SENT reports of 50 replies a second queue up for minutes, each holding a worker slot
# while it waits, and the AI's answers wait behind them.
UNLIMITED = {"RELAYDESK_HUBSPOT__RATE_LIMIT_PER_10S": "1000000"}


def sandbox_command(port: int) -> list[str]:
    return [sys.executable, "-m", "bench.sandbox_process", str(port), json.dumps(SANDBOX_FIELDS)]


@dataclass
class Load:
    crowd: int = 1000
    # Every process of the cluster shares this machine's two cores: 50 replies a second (as
    # `repreply` sends to one process) saturate them here.
    reply_rate: float = 20
    visitors: int = 10
    ask_every_s: float = 2.0
    warm_up_s: float = 5
    seconds: float = 20
    capacity_visitors: int = 50
    capacity_s: float = 10


@dataclass
class Figures:
    nodes: int
    rep_reply: list[float] = field(default_factory=list)
    round_trip: list[float] = field(default_factory=list)
    messages_per_s: float = 0.0
    received: dict[str, int] = field(default_factory=dict)  # frames each node's hub received
    unrouted: dict[str, int] = field(default_factory=dict)  # of which for no socket there
    missing: int = 0  # rep replies that never reached their widget
    cpu_s: dict[str, float] = field(default_factory=dict)  # per process, during the load
    load_average: float = 0.0  # the machine's, as the load began (other work included)


def run(load: Load | None = None, idle_sockets: int = 10_000) -> None:
    load = load or Load()
    problem = _missing_services()
    if problem:
        print(f"cluster: skipped ({problem})")
        return
    _raise_descriptor_limit()
    # Stopped from outside: unwind, so every process started is stopped and the database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("cluster: stopped"))
    results = []
    for nodes in (1, 2):
        with _cluster(nodes) as cluster:
            results.append(asyncio.run(measure(cluster, load)))
            if nodes == 2:
                memory = asyncio.run(idle(cluster, idle_sockets))
    print(f"cluster: the same load on 1 and 2 nodes ({_describe(load)})")
    for figures in results:
        print(_line(figures))
    print(memory)


def _missing_services() -> str | None:
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    if haproxy() is None:
        return "haproxy is not installed"
    if not postgres_reachable(PG_ADMIN_DSN):
        return "PostgreSQL is not reachable"
    return None


@contextmanager
def _cluster(nodes: int) -> Iterator[Cluster]:
    with _logs() as logs, fresh_database(PG_ADMIN_DSN, "relaydesk_bench") as url:
        cluster = Cluster(
            logs, url, nodes=nodes, sandbox=sandbox_command, secret=SECRET_KEY, env=UNLIMITED
        )
        with running(cluster):
            yield cluster
            for error in cluster.errors():
                print("server errors during the benchmark:\n" + error, file=sys.stderr)


@contextmanager
def _logs() -> Iterator[Path]:
    """The processes' logs: kept when BENCH_KEEP_LOGS is set, else removed afterwards."""
    if os.environ.get("BENCH_KEEP_LOGS"):
        kept = Path(tempfile.mkdtemp(prefix="relaydesk-bench-"))
        print(f"cluster: logs in {kept}", file=sys.stderr)
        yield kept
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def _raise_descriptor_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# -- the load


async def measure(cluster: Cluster, load: Load) -> Figures:
    rows = session_factory(create_engine(cluster.database_url, pool_size=4, max_overflow=4))
    sandbox = SandboxProcess(
        cluster.sandbox_url, SandboxConfig(public_base_url=cluster.sandbox_url)
    )
    limits = httpx.Limits(max_connections=200)
    figures = Figures(len(cluster.nodes))
    async with (
        httpx.AsyncClient(base_url=cluster.url, timeout=30, limits=limits) as http,
        httpx.AsyncClient(base_url=cluster.sandbox_url, timeout=30, limits=limits) as control,
    ):
        org = await connected_org(rows, sandbox, cluster.url)
        crowd = await handed_off_crowd(http, rows, org, load.crowd)
        widget_key = await _ai_only_org(rows)
        before = _hub_counts(cluster)
        warm, count = int(load.reply_rate * load.warm_up_s), int(load.reply_rate * load.seconds)
        arrived = Arrivals(warm + count)
        sockets = await _open_all(cluster, [w.token for w in crowd])
        readers = [asyncio.create_task(_listen(ws, arrived)) for ws in sockets]
        asked: dict[str, float] = {}
        texts = [f"warm-up reply {n}" for n in range(warm)] + [
            f"rep reply {n}" for n in range(count)
        ]
        visitors = await _visitors(http, cluster, widget_key, load.visitors)
        figures.load_average = os.getloadavg()[0]
        cpu = _cpu_seconds(cluster)
        replies = send_replies(control, crowd, load.reply_rate, texts, asked, arrived)
        trips = [_ask_in_turn(v, load, load.warm_up_s) for v in visitors]
        _, *timings = await asyncio.gather(replies, *trips)
        figures.cpu_s = {name: used - cpu[name] for name, used in _cpu_seconds(cluster).items()}
        figures.round_trip = [t for visitor in timings for t in visitor]
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in sockets))
        sent = await webhook_sent_at(control)
        figures.rep_reply = [
            at - sent[t] for t, at in arrived.at.items() if t.startswith("rep ") and t in sent
        ]
        figures.missing = warm + count - len(arrived.at)
        await asyncio.gather(*(v.close() for v in visitors))
        figures.messages_per_s = await _capacity(http, cluster, widget_key, load)
        after = _hub_counts(cluster)
    for node in cluster.nodes:
        figures.received[node.name] = after[node.name][0] - before[node.name][0]
        figures.unrouted[node.name] = after[node.name][1] - before[node.name][1]
    return figures


async def _ai_only_org(rows: async_sessionmaker[AsyncSession]) -> str:
    """An organization whose AI answers every question from the sample knowledge base."""
    async with rows() as session:
        organization = await create_organization(
            session, Vault(SECRET_KEY), f"Round trips {uuid.uuid4().hex[:6]}"
        )
        await add_sample_documents(session, organization)
        await save_policy(session, organization.id, HandoffPolicy(level=AI_ONLY))
        await commit(session)
    return organization.widget_key


async def _open(url: str) -> Any:
    """A widget socket, once the node said hello; a refused or slow handshake is tried again."""
    for attempt in range(5):
        try:
            ws = await websockets.connect(url, ping_interval=None, open_timeout=30)
            await asyncio.wait_for(ws.recv(), 30)  # hello: the node holds it
            return ws
        except (OSError, TimeoutError, websockets.WebSocketException):
            await asyncio.sleep(0.5 * (attempt + 1))
    raise RuntimeError("a widget socket could not be opened")


async def _open_all(
    cluster: Cluster, tokens: list[str], nodes: list[Node] | None = None
) -> list[Any]:
    """Sockets for `tokens`, 100 at a time, through the balancer (or round robin on `nodes`)."""
    sockets: list[Any] = []
    for first in range(0, len(tokens), 100):
        sockets += await asyncio.gather(
            *(
                _open(f"{_ws_base(cluster, nodes, first + n)}/api/widget/v1/ws?token={token}")
                for n, token in enumerate(tokens[first : first + 100])
            )
        )
    return sockets


def _ws_base(cluster: Cluster, nodes: list[Node] | None, n: int) -> str:
    url = nodes[n % len(nodes)].url if nodes else cluster.url
    return url.replace("http://", "ws://")


async def _listen(ws: Any, arrived: Arrivals) -> None:
    async for raw in ws:
        frame = json.loads(raw)
        if frame["type"] == "message.created" and frame["message"]["role"] == "agent":
            arrived.mark(frame["message"]["text"])


class Visitor:
    """A visitor with its socket open: `ask` times a question to the AI answer's frame."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.headers = {"authorization": f"Bearer {token}"}
        self.token = token
        self.answers: asyncio.Queue[float] = asyncio.Queue()
        self.socket: Any = None
        self.reader: asyncio.Task[None] | None = None

    async def open(self, cluster: Cluster) -> None:
        self.socket = await _open(f"{cluster.ws_url}/api/widget/v1/ws?token={self.token}")
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.socket:
            frame = json.loads(raw)
            if frame["type"] == "message.created" and frame["message"]["role"] == "ai":
                self.answers.put_nowait(time.perf_counter())

    async def ask(self, text: str) -> float:
        began = time.perf_counter()
        body = {"client_id": uuid.uuid4().hex, "text": text}
        answer = await self.http.post("/api/widget/v1/messages", json=body, headers=self.headers)
        answer.raise_for_status()
        return await asyncio.wait_for(self.answers.get(), 30) - began

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        await self.socket.close()


async def _visitors(
    http: httpx.AsyncClient, cluster: Cluster, widget_key: str, count: int
) -> list[Visitor]:
    async def one() -> Visitor:
        session = await http.post("/api/widget/v1/sessions", json={"widget_key": widget_key})
        session.raise_for_status()
        visitor = Visitor(http, session.json()["visitor_token"])
        await visitor.open(cluster)
        return visitor

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def _ask_in_turn(visitor: Visitor, load: Load, warm_up_s: float) -> list[float]:
    """A question every `ask_every_s` (first at a random offset); only those after the warm-up
    count."""
    timings = []
    began = time.perf_counter()
    offset = uuid.uuid4().int % 1000 / 1000 * load.ask_every_s
    n = 0
    while (due := began + offset + n * load.ask_every_s) < began + warm_up_s + load.seconds:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        took = await visitor.ask(QUESTIONS[n % len(QUESTIONS)])
        if due - began >= warm_up_s:
            timings.append(took)
        n += 1
    return timings


async def _capacity(
    http: httpx.AsyncClient, cluster: Cluster, widget_key: str, load: Load
) -> float:
    """Questions and answers per second when every visitor asks again at once."""
    visitors = await _visitors(http, cluster, widget_key, load.capacity_visitors)
    deadline = time.perf_counter() + load.capacity_s

    async def in_a_loop(visitor: Visitor) -> int:
        done = 0
        while time.perf_counter() < deadline:
            await visitor.ask(QUESTIONS[done % len(QUESTIONS)])
            done += 1
        return done

    began = time.perf_counter()
    answered = sum(await asyncio.gather(*(in_a_loop(v) for v in visitors)))
    elapsed = time.perf_counter() - began
    await asyncio.gather(*(v.close() for v in visitors))
    return 2 * answered / elapsed


def _hub_counts(cluster: Cluster) -> dict[str, tuple[int, int]]:
    counts = {}
    for node in cluster.nodes:
        metrics = cluster.metrics(node)
        counts[node.name] = (
            int(metrics["relaydesk_realtime_frames_received"]),
            int(metrics["relaydesk_realtime_frames_unrouted"]),
        )
    return counts


# -- idle sockets


async def idle(cluster: Cluster, count: int) -> str:
    """Open `count` idle widget sockets, half on each node; each node's RSS per socket."""
    rows = session_factory(create_engine(cluster.database_url, pool_size=2, max_overflow=2))
    widget_key = await _ai_only_org(rows)
    async with httpx.AsyncClient(base_url=cluster.url, timeout=60) as http:
        tokens = await _tokens(http, widget_key, count)
    await asyncio.sleep(1)
    before = {node.name: _rss_kib(node) for node in cluster.nodes}
    sockets = await _open_all(cluster, tokens, cluster.nodes)
    await asyncio.sleep(3)
    held = {n.name: int(cluster.metrics(n)["relaydesk_ws_connections"]) for n in cluster.nodes}
    after = {node.name: _rss_kib(node) for node in cluster.nodes}
    await asyncio.gather(*(ws.close() for ws in sockets))
    parts = [
        f"{name} {held[name]} sockets, RSS {before[name] / 1024:.0f} -> "
        f"{after[name] / 1024:.0f} MiB = "
        f"{(after[name] - before[name]) / max(1, held[name]):.1f} KiB per socket"
        for name in held
    ]
    return f"idle widget sockets on 2 nodes: {sum(held.values())} held; " + "; ".join(parts)


async def _tokens(http: httpx.AsyncClient, widget_key: str, count: int) -> list[str]:
    async def one() -> str:
        answer = await http.post("/api/widget/v1/sessions", json={"widget_key": widget_key})
        return str(answer.json()["visitor_token"])

    tokens: list[str] = []
    while len(tokens) < count:
        tokens += await asyncio.gather(*(one() for _ in range(min(200, count - len(tokens)))))
    return tokens


def _cpu_seconds(cluster: Cluster) -> dict[str, float]:
    processes = [*(node.process for node in cluster.nodes), cluster.worker]
    return {process.name: process.cpu_seconds() for process in processes}


def _rss_kib(node: Node) -> int:
    assert node.process.popen is not None
    status = Path(f"/proc/{node.process.popen.pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))


# -- printing


def _describe(load: Load) -> str:
    return (
        f"{load.crowd} widgets with sockets, {load.reply_rate:g} rep replies/s and "
        f"{load.visitors} visitors asking every {load.ask_every_s:g} s, {load.seconds:g} s after "
        f"{load.warm_up_s:g} s of warm-up; capacity: {load.capacity_visitors} visitors asking "
        f"back to back for {load.capacity_s:g} s"
    )


def _line(figures: Figures) -> str:
    def p(values: list[float]) -> str:
        if not values:
            return "none"
        p50, p99 = percentile(values, 50) * 1000, percentile(values, 99) * 1000
        return f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"

    unrouted = ", ".join(
        f"{name} {figures.unrouted[name]} of {figures.received[name]}" for name in figures.received
    )
    cpu = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in figures.cpu_s.items())
    missing = f" ({figures.missing} rep replies never arrived)" if figures.missing else ""
    return (
        f"  {figures.nodes} node{'s' if figures.nodes > 1 else ''}: "
        f"rep reply {p(figures.rep_reply)}{missing}; round trip {p(figures.round_trip)}; "
        f"{figures.messages_per_s:.0f} messages/s; frames received without a socket: "
        f"{unrouted}; CPU during the load: {cpu}; machine load average "
        f"{figures.load_average:.1f} as it began"
    )
