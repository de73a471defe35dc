"""Rep-reply replay: the CPU one rep reply costs the app itself, in-process, with no sockets.

The sandbox sends one rep reply to each of `replies` handed-off conversations; its channel
webhooks go to a port nobody listens on, and are read back from the sandbox as HubSpot sent
them. They are then replayed, signed afresh (a new message id each round), straight into the
ASGI app (every layer of it, the lifespan's runtime, a real SQLite database), one at a time,
each visitor listening in-process, as a connected widget would. The figure is the thread CPU
spent inside the app per reply: back to back, and after `idle_s` of idling before each one, as
replies arriving 20 ms apart find the caches gone cold (`python -m bench repreply` counts that
in every reply). `--gaps` (ms, default `0,20`) runs it once per gap: how long an idle it takes
for the caches to go cold. Tracing the replay with callgrind counts instructions, which do not
depend on what else the machine is doing: `valgrind --tool=callgrind --instr-atstart=no` on
`python -m bench replay --count-instructions` counts the last round only.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from typing import Any

import httpx
from sqlalchemy import select

from hubspot_sandbox.signatures import sign_v3
from relaydesk import events
from relaydesk.db import create_engine, session_factory
from relaydesk.migrate import upgrade
from relaydesk.models import Conversation

from .rep_reply import CLIENT_SECRET, connected_org, handed_off_crowd, server_env
from .sandbox_process import SandboxProcess, sandbox_process
from .server import _free_port


class Widget:
    """A visitor's connected widget, in-process: it counts the frames it is handed."""

    frames = 0

    def deliver(self, frame: str) -> None:
        Widget.frames += 1

    def resync(self) -> None:
        return None

    def close(self) -> None:
        return None


async def _post(app: Any, body: bytes, headers: list[tuple[bytes, bytes]]) -> int:
    """One POST to the channel webhook, as uvicorn would hand it to the app."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/hubspot/channel", "raw_path": b"/hubspot/channel",
        "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "state": {},
    }  # fmt: skip
    sent: list[dict[str, Any]] = []
    given = False

    async def receive() -> dict[str, Any]:
        nonlocal given
        if given:  # the app waits for a disconnect only after it answered
            await asyncio.Event().wait()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


def _signed(payloads: list[dict[str, Any]], round_: int, secret: str, url: str) -> list[Any]:
    """Each webhook as a new reply (its own message id and text), signed now."""
    requests = []
    for payload in payloads:
        event = copy.deepcopy(payload)
        event["message"]["id"] = f"{event['message']['id']}-{round_}"
        event["message"]["text"] += f" ({round_})"
        body = json.dumps(event).encode()
        at = int(time.time() * 1000)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-hubspot-signature-v3", sign_v3(secret, "POST", url, body, at).encode()),
            (b"x-hubspot-request-timestamp", str(at).encode()),
        ]
        requests.append((body, headers))
    return requests


async def _replay(
    sandbox: SandboxProcess, tmp: str, database_url: str, replies: int, rounds: int,
    idle_s: float, count_instructions: bool,
) -> list[float]:  # fmt: skip
    from relaydesk.settings import Settings
    from relaydesk.web.app import create_app

    port = _free_port()  # nobody listens: the sandbox's webhooks fail, and are read back
    os.environ.update(server_env(tmp, database_url, sandbox, port))
    settings = Settings()
    settings.worker.in_process = False  # the replies' SENT reports wait: not this figure
    app = create_app(settings)
    rows = session_factory(create_engine(database_url))
    base_url = f"http://127.0.0.1:{port}"
    per_reply: list[float] = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as http,
        httpx.AsyncClient(base_url=sandbox.base_url, timeout=30) as control,
    ):
        organization = await connected_org(rows, sandbox, base_url)
        crowd = await handed_off_crowd(http, rows, organization, replies)
        for n, widget in enumerate(crowd):
            asked = await control.post(
                f"/_sandbox/threads/{widget.thread_id}/reply", json={"text": f"reply {n}"}
            )
            asked.raise_for_status()
        await asyncio.sleep(1)  # the sandbox's attempts fail at once; no retries are asked
        deliveries = (await control.get("/_sandbox/webhooks")).json()["deliveries"]
        payloads = [d["payload"] for d in deliveries if d["kind"] == "channel"]
        async with rows() as session:
            visitors = list(await session.scalars(select(Conversation.visitor_id)))
        for visitor in visitors:
            app.state.runtime.hub.attach(events.visitor_channel(visitor), Widget())
        secret, url = sandbox.config.client_secret, f"{base_url}/hubspot/channel"
        for round_ in range(rounds):
            requests = _signed(payloads, round_, secret, url)
            gc.collect()
            gc.freeze()  # what set-up built, as the server's collector does (`collector.py`)
            last = round_ == rounds - 1
            if count_instructions and last:
                _callgrind("on")
            spent = 0.0
            for body, headers in requests:
                if idle_s:
                    await asyncio.sleep(idle_s)
                started = time.thread_time()
                assert await _post(app, body, headers) == 200
                spent += time.thread_time() - started
            if count_instructions and last:
                _callgrind("off")
            per_reply.append(spent / len(requests))
    return per_reply


def _callgrind(state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=False,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def run(
    replies: int = 300, rounds: int = 4, gaps: Sequence[float] = (0.0, 0.02),
    count_instructions: bool = False,
) -> None:  # fmt: skip
    """One replay per gap (seconds of idling before each reply); under callgrind, the first."""
    for idle in gaps:
        with (
            sandbox_process(
                client_secret=CLIENT_SECRET, rate_limit_per_10s=None, search_rate_limit_per_s=None,
                webhook_retry_delays_s=[], openapi_dir=None,
            ) as sandbox,
            tempfile.TemporaryDirectory() as tmp,
        ):  # fmt: skip
            database_url = f"sqlite+aiosqlite:///{tmp}/replay.db"
            upgrade(database_url)
            figures = asyncio.run(
                _replay(sandbox, tmp, database_url, replies, rounds, idle, count_instructions)
            )
            warm = figures[1:]  # the first round meets code and statements not run yet
            print(
                f"rep reply replayed in-process, sqlite, {replies} replies x {len(warm)} rounds"
                f"{f', {idle * 1000:g} ms idle before each' if idle else ', back to back'}: "
                f"{statistics.median(warm) * 1e6:.0f} us thread CPU per reply (median of rounds; "
                f"{min(warm) * 1e6:.0f}-{max(warm) * 1e6:.0f})",
                flush=True,
            )
            if count_instructions:
                return
