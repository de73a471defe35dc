"""Running the sandbox: in the foreground (`serve`) or beside tests (`start_sandbox`)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, replace

import uvicorn
from starlette.applications import Starlette

from hubspot_sandbox.app import create_sandbox_app
from hubspot_sandbox.config import SandboxConfig
from hubspot_sandbox.sandbox import Sandbox


def uvicorn_server(app: Starlette, log_level: str = "warning") -> uvicorn.Server:
    config = uvicorn.Config(app, log_level=log_level, lifespan="on", access_log=False)
    return uvicorn.Server(config)


async def serve(
    config: SandboxConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 8001,
    log_level: str = "info",
) -> None:
    """Serves the sandbox until cancelled, in the caller's event loop."""
    config = config or SandboxConfig(public_base_url=f"http://{host}:{port}")
    server = uvicorn_server(create_sandbox_app(config), log_level)
    server.config.host, server.config.port = host, port
    await server.serve()


@dataclass
class RunningSandbox:
    """A sandbox serving from its own thread and event loop, independent of the caller's."""

    base_url: str
    app: Starlette
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def sandbox(self) -> Sandbox:
        sandbox: Sandbox = self.app.state.sandbox
        return sandbox

    @property
    def config(self) -> SandboxConfig:
        return self.sandbox.config

    async def stop(self) -> None:
        await asyncio.to_thread(self.stop_sync)

    def stop_sync(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


async def start_sandbox(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    """Starts a sandbox on `host:port` (0 = a free port) and returns once it answers."""
    return await asyncio.to_thread(start_sandbox_sync, config, host, port)


def start_sandbox_sync(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    base_url = f"http://{host}:{bound_port}"
    config = config or SandboxConfig()
    if config.public_base_url == SandboxConfig.public_base_url:
        # Only the default follows the bound port; an explicit URL (a proxy, say) is kept.
        config = replace(config, public_base_url=base_url)
    app = create_sandbox_app(config)
    server = uvicorn_server(app)
    thread = threading.Thread(
        target=server.run,
        kwargs={"sockets": [sock]},
        name=f"hubspot-sandbox-{bound_port}",
        daemon=True,
    )
    thread.start()
    wait_started(server, thread)
    return RunningSandbox(config.public_base_url, app, server, thread)


def wait_started(server: uvicorn.Server, thread: threading.Thread, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        threading.Event().wait(0.01)
    if not server.started:
        raise RuntimeError("the HubSpot sandbox did not start")
