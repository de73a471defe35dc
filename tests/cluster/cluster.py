"""The cluster as production runs it (deploy/docker-compose.yml), as real processes on this
machine: PostgreSQL, a Redis of its own, the HubSpot sandbox, `relaydesk migrate`, two
`relaydesk serve --no-worker` nodes, one `relaydesk worker`, and HAProxy with deploy/haproxy.cfg
in front. test_deploy.py checks that the compose file starts the same commands with the same
environment.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from relaydesk.hubspot.connect.demo_connection import SANDBOX_APP

from .processes import Process, free_port, redis_server, start_redis, wait_until

REPOSITORY = Path(__file__).resolve().parents[2]
HAPROXY_CFG = REPOSITORY / "deploy" / "haproxy.cfg"
SECRET = "cluster-test-secret-key-0123456789abcdef0123456789"
NODES = ("node1", "node2")

# What the compose file runs, host and port aside (test_deploy.py compares).
NODE_ARGS = ["serve", "--no-worker", "--host", "{host}", "--port", "{port}"]
WORKER_ARGS = ["worker"]
MIGRATE_ARGS = ["migrate"]
BALANCER_ENV = ("RELAYDESK_LISTEN", "RELAYDESK_NODE1", "RELAYDESK_NODE2")
# Every relaydesk process of the cluster (nodes, worker, migrate) gets this environment.
PRODUCTION_ENV = (
    "RELAYDESK_DATABASE_URL",
    "RELAYDESK_REDIS_URL",
    "RELAYDESK_SECRET_KEY",
    "RELAYDESK_PUBLIC_BASE_URL",
    "RELAYDESK_DATA_DIR",
    "RELAYDESK_HUBSPOT__CLIENT_ID",
    "RELAYDESK_HUBSPOT__CLIENT_SECRET",
    "RELAYDESK_HUBSPOT__APP_ID",
    "RELAYDESK_HUBSPOT__DEVELOPER_API_KEY",
    "RELAYDESK_TRUSTED_PROXIES",
)
# Only here: HubSpot is the sandbox, and a killed worker's job is claimed again after seconds
# rather than the production lease's minute.
TEST_ENV = {
    "RELAYDESK_WORKER__LEASE_S": "4",
    "RELAYDESK_WORKER__MAX_BACKOFF_S": "2",
    "RELAYDESK_LIMITS__IP_REQUESTS_PER_MINUTE": "1000000",
    "RELAYDESK_LIMITS__VISITOR_MESSAGES_PER_MINUTE": "600",
}
SANDBOX_ENV = ("RELAYDESK_HUBSPOT__BASE_URL", "RELAYDESK_HUBSPOT__APP_BASE_URL")


def haproxy() -> str | None:
    """Debian installs it in /usr/sbin, which a user's PATH may leave out."""
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")


def sandbox_command(port: int) -> list[str]:
    return [sys.executable, "-m", "hubspot_sandbox", "--port", str(port)]


def relaydesk(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("relaydesk")), *args]


@dataclass
class Node:
    name: str
    port: int
    process: Process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Cluster:
    """Start with `running(cluster)`; every process logs to its own file under `logs`.

    `nodes=1` puts one node behind the same balancer (both of its server lines name it), for
    the benchmark's comparison; `sandbox` replaces the sandbox's command (the benchmark lifts
    its rate limits); `secret` the instance secret (the benchmark's rows are sealed with its
    own); `env` adds to every relaydesk process's environment."""

    def __init__(
        self,
        logs: Path,
        database_url: str,
        *,
        nodes: int = 2,
        sandbox: Callable[[int], list[str]] | None = None,
        secret: str = SECRET,
        env: dict[str, str] | None = None,
    ) -> None:
        self.logs = logs
        self.database_url = database_url
        self.secret = secret
        self.extra_env = env or {}
        self.redis_port, self.sandbox_port = free_port(), free_port()
        self.balancer_port = free_port()
        self.redis = redis_server(logs, self.redis_port)
        self.sandbox = Process("sandbox", (sandbox or sandbox_command)(self.sandbox_port), logs)
        self.env = self.environment()
        self.nodes = [self._node(n) for n in range(nodes)]
        self.worker = Process("worker", relaydesk(*WORKER_ARGS), logs, self.env)
        self.startup_s = 0.0
        self.balancer = Process(
            "balancer",
            [haproxy() or "haproxy", "-db", "-f", str(HAPROXY_CFG)],
            logs,
            self.balancer_env(),
        )

    @property
    def url(self) -> str:
        """Where browsers and HubSpot reach relaydesk: the balancer."""
        return f"http://127.0.0.1:{self.balancer_port}"

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}"

    def environment(self) -> dict[str, str]:
        env = {
            "RELAYDESK_DATABASE_URL": self.database_url,
            "RELAYDESK_REDIS_URL": self.redis_url,
            "RELAYDESK_SECRET_KEY": self.secret,
            "RELAYDESK_PUBLIC_BASE_URL": self.url,
            "RELAYDESK_DATA_DIR": str(self.logs / "data"),
            "RELAYDESK_HUBSPOT__CLIENT_ID": SANDBOX_APP["client_id"],
            "RELAYDESK_HUBSPOT__CLIENT_SECRET": SANDBOX_APP["client_secret"],
            "RELAYDESK_HUBSPOT__APP_ID": str(SANDBOX_APP["app_id"]),
            "RELAYDESK_HUBSPOT__DEVELOPER_API_KEY": SANDBOX_APP["developer_api_key"],
            "RELAYDESK_TRUSTED_PROXIES": '["127.0.0.1"]',
            "RELAYDESK_HUBSPOT__BASE_URL": self.sandbox_url,
            "RELAYDESK_HUBSPOT__APP_BASE_URL": self.sandbox_url,
        }
        return env | TEST_ENV | self.extra_env

    def balancer_env(self) -> dict[str, str]:
        listen = {"RELAYDESK_LISTEN": f"127.0.0.1:{self.balancer_port}"}
        nodes = [self.nodes[n % len(self.nodes)] for n in range(len(NODES))]
        return listen | {
            f"RELAYDESK_NODE{n}": f"127.0.0.1:{node.port}" for n, node in enumerate(nodes, 1)
        }

    def _node(self, n: int) -> Node:
        port = free_port()
        args = [a.format(host="127.0.0.1", port=port) for a in NODE_ARGS]
        return Node(NODES[n], port, Process(NODES[n], relaydesk(*args), self.logs, self.env))

    # -- life cycle

    def start(self) -> None:
        start_redis(self.redis, self.redis_port)
        self.sandbox.start()
        migrate = subprocess.run(
            relaydesk(*MIGRATE_ARGS),
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if migrate.returncode:
            raise RuntimeError(f"relaydesk migrate failed: {migrate.stderr[-3000:]}")
        for node in self.nodes:
            node.process.start()
        self.worker.start()
        self.balancer.start()
        self.sandbox.wait_for_port(self.sandbox_port)
        for node in self.nodes:
            self.wait_ready(node)
        self.balancer.wait_for_port(self.balancer_port)
        wait_until(self._balanced, "the balancer did not reach every node", 30)

    def stop(self) -> None:
        for process in (self.balancer, *(n.process for n in self.nodes), self.worker):
            process.stop()
        self.sandbox.stop()
        self.redis.stop()

    def wait_ready(self, node: Node, timeout: float = 90) -> None:
        def ready() -> bool:
            node.process.check()
            try:
                return httpx.get(node.url + "/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, f"{node.name} was not ready", timeout)

    def _balanced(self) -> bool:
        """Every server line of the balancer has answered (its health checks see them up)."""
        self.balancer.check()
        seen = set()
        for _ in range(4 * len(NODES)):
            try:
                answer = httpx.get(self.url + "/healthz", timeout=2)
            except httpx.HTTPError:
                return False
            seen.add(answer.headers.get("x-relaydesk-node"))
        return seen == set(NODES)

    def restart_node(self, node: Node) -> None:
        node.process.start()
        self.wait_ready(node)
        wait_until(self._balanced, f"the balancer did not take {node.name} back", 30)

    def restart_redis(self) -> None:
        """Start Redis again (stopped or not): empty, as a restarted Redis without persistence."""
        self.redis.stop()
        start_redis(self.redis, self.redis_port)

    def node_named(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    def metrics(self, node: Node) -> dict[str, float]:
        """The node's Prometheus samples, by name with labels."""
        text = httpx.get(node.url + "/metrics", timeout=5).text
        samples = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples

    def errors(self) -> list[str]:
        """Tracebacks the relaydesk processes logged."""
        found = []
        for process in (*(n.process for n in self.nodes), self.worker):
            if process.log.exists() and "Traceback" in (text := process.log.read_text()):
                found.append(f"{process.name}: {text[text.index('Traceback') :][:3000]}")
        return found


# -- PostgreSQL


async def _admin(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def postgres_reachable(admin_dsn: str) -> bool:
    try:
        asyncio.run(_admin(admin_dsn, "SELECT 1"))
    except (OSError, asyncpg.PostgresError):
        return False
    return True


@contextmanager
def fresh_database(admin_dsn: str, prefix: str) -> Iterator[str]:
    """A PostgreSQL database of its own, dropped afterwards; yields its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(admin_dsn, f'CREATE DATABASE "{name}"'))
    base = admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def running(cluster: Cluster) -> Iterator[Cluster]:
    started = time.monotonic()
    try:
        cluster.start()
        cluster.startup_s = time.monotonic() - started
        yield cluster
    finally:
        cluster.stop()
