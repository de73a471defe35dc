"""deploy/ describes the cluster the cluster tests run: the compose file and the systemd units
start the same commands with the same environment, and HAProxy gets the same configuration."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from .cluster import (
    BALANCER_ENV,
    HAPROXY_CFG,
    MIGRATE_ARGS,
    NODE_ARGS,
    PRODUCTION_ENV,
    SANDBOX_ENV,
    TEST_ENV,
    WORKER_ARGS,
    Cluster,
)
from .processes import REDIS_ARGS

DEPLOY = HAPROXY_CFG.parent
RELAYDESK_SERVICES = ("migrate", "app1", "app2", "worker")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return services["services"]


def node_args(host: str, port: str) -> list[str]:
    return [arg.format(host=host, port=port) for arg in NODE_ARGS]


def test_compose_runs_the_services_the_cluster_tests_start(compose: dict[str, Any]) -> None:
    assert set(compose) == {"postgres", "redis", "migrate", "app1", "app2", "worker", "balancer"}
    assert compose["app1"]["command"] == ["relaydesk", *node_args("0.0.0.0", "8000")]
    assert compose["app2"]["command"] == compose["app1"]["command"]
    assert compose["worker"]["command"] == ["relaydesk", *WORKER_ARGS]
    assert compose["migrate"]["command"] == ["relaydesk", *MIGRATE_ARGS]
    assert compose["redis"]["command"] == ["redis-server", *REDIS_ARGS]
    for name in ("app1", "app2", "worker"):
        assert (
            compose[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )


def test_every_relaydesk_process_gets_the_environment_the_cluster_tests_give(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    for name in RELAYDESK_SERVICES:
        assert set(compose[name]["environment"]) == set(PRODUCTION_ENV), name
    # The tests add only what points HubSpot at the sandbox and their own tuning.
    tested = Cluster(tmp_path, "postgresql+asyncpg://postgres@127.0.0.1/unused").environment()
    assert set(tested) == set(PRODUCTION_ENV) | set(SANDBOX_ENV) | set(TEST_ENV)
    urls = compose["app1"]["environment"]
    assert urls["RELAYDESK_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert urls["RELAYDESK_REDIS_URL"].startswith("redis://redis:")


def test_the_balancer_runs_the_configuration_the_tests_run(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    balancer = compose["balancer"]
    [mount] = balancer["volumes"]
    source, target, _ = mount.split(":")
    assert (DEPLOY / source).resolve() == HAPROXY_CFG
    assert balancer["command"] == ["haproxy", "-f", target]
    tested = Cluster(tmp_path, "postgresql+asyncpg://postgres@127.0.0.1/unused").balancer_env()
    assert set(balancer["environment"]) == set(tested) == set(BALANCER_ENV)
    assert set(re.findall(r"\$\{(\w+)\}", HAPROXY_CFG.read_text())) == set(BALANCER_ENV)
    listen_port = balancer["environment"]["RELAYDESK_LISTEN"].rsplit(":", 1)[1]
    assert balancer["ports"] == [f"{listen_port}:{listen_port}"]
    for n, name in enumerate(("app1", "app2"), start=1):
        port = compose[name]["command"][-1]
        assert balancer["environment"][f"RELAYDESK_NODE{n}"] == f"{name}:{port}"


def unit(name: str) -> dict[str, str]:
    """The `key=value` lines of a systemd unit (each key once in ours)."""
    lines = (DEPLOY / "systemd" / name).read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_systemd_units_start_the_same_commands_with_the_same_environment() -> None:
    node = shlex.split(unit("relaydesk-node@.service")["ExecStart"])
    assert Path(node[0]).name == "relaydesk" and node[1:] == node_args("127.0.0.1", "%i")
    worker = shlex.split(unit("relaydesk-worker.service")["ExecStart"])
    assert Path(worker[0]).name == "relaydesk" and worker[1:] == WORKER_ARGS
    migrate = shlex.split(unit("relaydesk-migrate.service")["ExecStart"])
    assert Path(migrate[0]).name == "relaydesk" and migrate[1:] == MIGRATE_ARGS
    for name in ("relaydesk-node@.service", "relaydesk-worker.service"):
        assert unit(name)["Requires"] == "relaydesk-migrate.service"
        assert unit(name)["EnvironmentFile"] == "/etc/relaydesk/relaydesk.env"
    assert set(unit("relaydesk.env")) == set(PRODUCTION_ENV)
    assert set(unit("haproxy.default")) == set(BALANCER_ENV)
