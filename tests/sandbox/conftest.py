"""Fixtures for the HubSpot sandbox's own tests: the sandbox on a free port, a connected app
token, and a tiny webhook receiver the tests can make fail."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

from hubspot_sandbox import RunningSandbox, SandboxConfig, start_sandbox_sync
from tests.sandbox.sandbox_flows import REDIRECT_URI, Receiver, authorize, exchange


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[RunningSandbox]:
    config = SandboxConfig(
        search_index_delay_s=0.3,
        webhook_retry_delays_s=(0.05, 0.1, 0.2),
        webhook_timeout_s=2.0,
        rate_limit_per_10s=None,
        search_rate_limit_per_s=None,
    )
    running = start_sandbox_sync(config)
    yield running
    running.stop_sync()


@pytest.fixture
async def sandbox(sandbox_server: RunningSandbox) -> RunningSandbox:
    """The session's sandbox, reset to its seed data through the control API."""
    async with httpx.AsyncClient(base_url=sandbox_server.base_url) as client:
        (await client.post("/_sandbox/reset")).raise_for_status()
    return sandbox_server


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator[httpx.AsyncClient]:
    """Unauthenticated client for the sandbox."""
    async with httpx.AsyncClient(base_url=sandbox.base_url, timeout=10) as c:
        yield c


@pytest.fixture
async def tokens(client: httpx.AsyncClient, sandbox: RunningSandbox) -> dict[str, Any]:
    """A completed OAuth install: the token endpoint's answer."""
    code = await authorize(client, sandbox.config)
    answer = await exchange(
        client,
        sandbox.config,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


@pytest.fixture
async def api(sandbox: RunningSandbox, tokens: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    """A client carrying the installed app's OAuth access token."""
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=headers, timeout=10) as c:
        yield c


@pytest.fixture
def developer_params(sandbox: RunningSandbox) -> dict[str, str]:
    return {"hapikey": sandbox.config.developer_api_key, "appId": str(sandbox.config.app_id)}


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="session")
def receiver_server() -> Iterator[Receiver]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/{path:path}", receiver.handle, methods=["POST"])])
    sock = free_socket()
    receiver.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        threading.Event().wait(0.01)
    yield receiver
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def receiver(receiver_server: Receiver) -> Receiver:
    receiver_server.received.clear()
    receiver_server.failures.clear()
    return receiver_server
