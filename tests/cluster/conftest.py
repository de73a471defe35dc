"""The cluster's services: a Redis of the tests' own on a free port (restarting it disturbs no
one else), and the whole cluster of real processes (`cluster.py`)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from ..databases import PG_ADMIN_DSN
from ..services import unavailable
from .cluster import Cluster, fresh_database, haproxy, postgres_reachable, running
from .processes import OwnRedis, free_port, redis_server, start_redis
from .world import World, build_world


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed")
    port = free_port()
    logs = Path(tmp_path_factory.mktemp("redis"))
    server = OwnRedis(redis_server(logs, port), port)
    start_redis(server.process, port)
    yield server
    server.process.stop()


@pytest.fixture(scope="package")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two nodes, a worker, PostgreSQL, Redis, the sandbox and HAProxy, started once for the
    package; each test leaves every process running as it found it."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed")
    if haproxy() is None:
        unavailable("haproxy is not installed (.ci/run installs it)")
    if not postgres_reachable(PG_ADMIN_DSN):
        unavailable("PostgreSQL is not reachable on this machine")
    logs = Path(tmp_path_factory.mktemp("cluster"))
    with fresh_database(PG_ADMIN_DSN, "relaydesk_cluster") as url:
        with running(Cluster(logs, url)) as started:
            yield started
            assert not started.errors(), "\n".join(started.errors())


@pytest_asyncio.fixture(loop_scope="session", scope="package")
async def world(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """Two organizations on the cluster (one AI-only, one connected to the sandbox portal)."""
    made = await build_world(cluster, Path(tmp_path_factory.mktemp("world")))
    yield made
    await made.http.aclose()
    await made.sandbox.aclose()
    await made.runtime.close()
