"""Test support: a real relaydesk server on a free port, and small waiting helpers."""

from __future__ import annotations

import asyncio
import inspect
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import uvicorn
from fastapi import FastAPI

from relaydesk.hubspot.api.transport import RetryPolicy
from relaydesk.hubspot.handoff.options import SyncOptions
from relaydesk.outbox import ClaimedJob
from relaydesk.settings import Settings
from relaydesk.web.app import create_app
from relaydesk.web.socket_writes import WidgetSockets

from .databases import migrated_databases, migrated_sqlite

T = TypeVar("T")
SECRET = "test-secret-key-for-relaydesk-tests-0123456789"
# HubSpot calls retried as in production, but milliseconds apart: a test that makes the sandbox
# fail does not wait out production's backoff.
FAST_RETRY = RetryPolicy(attempts=4, base_s=0.02, cap_s=0.1)
# The test sandboxes index for search within a fraction of a second, not HubSpot's seconds.
FAST_SYNC = SyncOptions(search_grace_s=1.5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_settings(database_url: str, data_dir: Path, port: int, **overrides: Any) -> Settings:
    settings = Settings(
        database_url=database_url,
        secret_key=SECRET,
        data_dir=data_dir,
        public_base_url=f"http://127.0.0.1:{port}",
    )
    settings.limits.ip_requests_per_minute = 1_000_000
    settings.limits.login_attempts_per_minute = 1_000_000  # every admin test signs in from here
    settings.action_private_networks = ["127.0.0.0/8"]  # the tests' action services listen here
    # Many servers, runtimes and workers share one PostgreSQL during a run: small pools.
    settings.database_pool_size, settings.database_max_overflow = 4, 6
    settings.limits.visitor_messages_per_minute = 600
    settings.worker.poll_interval_s = 0.2
    # The collector is the process's: servers in the test process keep only the start-up
    # freeze (tests/test_collector.py covers the refreezing policy).
    settings.collector_thaw_s = 0
    settings.analytics_metrics_ttl_s = 0  # /metrics shows what a test just wrote
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


@dataclass
class RunningServer:
    base_url: str
    settings: Settings
    app: FastAPI
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(settings: Settings, port: int, **app_kwargs: Any) -> RunningServer:
    """Serve the real app with uvicorn (wsproto, as production) in a thread of its own."""
    app = create_app(settings, **app_kwargs)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws=WidgetSockets,
        interface="asgi3",  # as `relaydesk serve`
        ws_per_message_deflate=False,
        log_level="warning",
        lifespan="on",
        proxy_headers=False,  # as `relaydesk serve`: the app decides whom to believe
    )
    server, thread = serve_in_thread(config)
    return RunningServer(f"http://127.0.0.1:{port}", settings, app, server, thread)


def serve_in_thread(config: uvicorn.Config) -> tuple[uvicorn.Server, threading.Thread]:
    """uvicorn serving `config` in a thread of its own, once it has started."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("relaydesk test server did not start")
        time.sleep(0.02)
    return server, thread


@contextmanager
def server_of_its_own(
    backend: str, directory: Path, prefix: str, **app_kwargs: Any
) -> Iterator[RunningServer]:
    """The real app on `backend`, on databases of its own (named from `prefix`): the shared test
    server's worker must not answer its conversations' jobs."""
    with migrated_databases(directory, prefix) as urls:
        port = free_port()
        server = start_server(server_settings(urls[backend], directory, port), port, **app_kwargs)
        try:
            yield server
        finally:
            server.stop()


def start_on_fresh_database(data_dir: Path, brain: Any = None, **overrides: Any) -> RunningServer:
    """A server on a SQLite database of its own: no other test server's worker takes its jobs."""
    url = migrated_sqlite(data_dir / "relaydesk.db")
    port = free_port()
    return start_server(server_settings(url, data_dir, port, **overrides), port, brain=brain)


async def wait_for(
    probe: Callable[[], Awaitable[T | None] | T | None],
    timeout: float = 10.0,
    interval: float = 0.02,
) -> T:
    """Poll `probe` (a function, or a coroutine function) until it returns something truthy;
    fail loudly at the deadline. The tests' one way to wait for a condition."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return cast(T, result)
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


class WidgetClient:
    """A visitor's browser, speaking the widget API as widget.js does."""

    def __init__(self, http: Any, widget_key: str, origin: str | None = None) -> None:
        self.http = http
        self.widget_key = widget_key
        self.token: str | None = None
        self.conversation_id: str | None = None
        self.headers: dict[str, str] = {"origin": origin} if origin else {}

    async def start(self, identity_token: str | None = None) -> dict[str, Any]:
        body = {"widget_key": self.widget_key, "visitor_token": self.token}
        if identity_token is not None:
            body["identity_token"] = identity_token
        answer = await self.http.post("/api/widget/v1/sessions", json=body, headers=self.headers)
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()
        self.token = data["visitor_token"]
        if data["conversation"]:
            self.conversation_id = data["conversation"]["id"]
        return data

    @property
    def auth(self) -> dict[str, str]:
        return {**self.headers, "authorization": f"Bearer {self.token}"}

    async def send(self, text: str, client_id: str | None = None, **extra: Any) -> Any:
        body = {"client_id": client_id or uuid.uuid4().hex, "text": text, **extra}
        answer = await self.http.post("/api/widget/v1/messages", json=body, headers=self.auth)
        if answer.status_code in (200, 201):
            self.conversation_id = answer.json()["conversation_id"]
        return answer

    async def history(self, after_seq: int = 0) -> list[dict[str, Any]]:
        answer = await self.http.get(
            f"/api/widget/v1/conversations/{self.conversation_id}/messages",
            params={"after_seq": after_seq},
            headers=self.auth,
        )
        assert answer.status_code == 200, answer.text
        messages: list[dict[str, Any]] = answer.json()["messages"]
        return messages

    async def wait_for_reply(self, count: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
        async def replies() -> list[dict[str, Any]] | None:
            found = [m for m in await self.history() if m["role"] == "ai"]
            return found if len(found) >= count else None

        return await wait_for(replies, timeout)


@dataclass
class DiedRunner:
    """A process's worker as its process left it: it took a job written for it with `run_here`
    and died before running it, so the job's lease runs out after `lease_s`."""

    lease_s: float

    def has_room(self, kind: str) -> bool:
        return True

    def at_limit(self, kind: str) -> bool:
        return False

    def adopt(self, job: ClaimedJob) -> None:
        pass  # gone before it ran the job
