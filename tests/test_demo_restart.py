"""`make run` twice on one data folder: the second run's sandbox is a new HubSpot (new threads,
new ids) beside the first run's database, and its rep's reply and close reach the second run's
widget, never the first run's conversation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from .support import WidgetClient, free_port, wait_for


@contextmanager
def demo(data_dir: Path, log: Path) -> Iterator[tuple[str, str]]:
    """`relaydesk demo` as a process of its own on `data_dir`; yields the app and sandbox URLs."""
    port, sandbox_port = free_port(), free_port()
    env = os.environ | {
        "RELAYDESK_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'relaydesk.db'}",
        "RELAYDESK_DATA_DIR": str(data_dir),
    }
    command = [sys.executable, "-m", "relaydesk.cli", "demo", "--port", str(port),
               "--sandbox-port", str(sandbox_port), "--smtp-port", str(free_port())]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    try:
        yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sandbox_port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def ready(app: str) -> bool:
    try:
        async with httpx.AsyncClient(base_url=app, timeout=2) as http:
            return (await http.get("/readyz")).status_code == 200
    except httpx.HTTPError:
        return False


async def hand_off(http: httpx.AsyncClient, sandbox: str) -> tuple[WidgetClient, str]:
    """A visitor of the Demo widget asks for a person; returns them and their HubSpot thread."""
    widget = WidgetClient(http, "demo")
    await widget.start()
    assert (await widget.send("I want to talk to a human")).status_code == 201

    async def thread_id() -> str | None:
        async with httpx.AsyncClient(base_url=sandbox) as control:
            threads = (await control.get("/_sandbox/state")).json()["threads"]
        ours = [t for t in threads if t["integrationThreadId"] == widget.conversation_id]
        return str(ours[0]["id"]) if ours else None

    return widget, await wait_for(thread_id, 30)


async def rep(sandbox: str, thread_id: str, action: str, **body: Any) -> None:
    async with httpx.AsyncClient(base_url=sandbox) as control:
        answer = await control.post(f"/_sandbox/threads/{thread_id}/{action}", json=body)
        assert answer.status_code < 300, answer.text


async def agent_texts(widget: WidgetClient) -> list[str]:
    return [m["text"] for m in await widget.history() if m["role"] == "agent"]


async def state(widget: WidgetClient) -> str:
    answer = await widget.http.get(
        f"/api/widget/v1/conversations/{widget.conversation_id}/messages", headers=widget.auth
    )
    found: str = answer.json()["conversation"]["state"]
    return found


@pytest.mark.timeout(300)
async def test_the_second_run_reaches_its_own_widget(tmp_path: Path) -> None:
    log = tmp_path / "demo.log"
    with demo(tmp_path, log) as (app, sandbox):
        await wait_for(lambda: ready(app), 90)
        async with httpx.AsyncClient(base_url=app, timeout=10) as http:
            first, first_thread = await hand_off(http, sandbox)
            await rep(sandbox, first_thread, "reply", text="First run's reply")
            assert await wait_for(lambda: agent_texts(first), 20) == ["First run's reply"]
            first_token = first.token
    with demo(tmp_path, log) as (app, sandbox):
        await wait_for(lambda: ready(app), 90)
        async with httpx.AsyncClient(base_url=app, timeout=10) as http:
            second, second_thread = await hand_off(http, sandbox)
            assert second_thread != first_thread
            await rep(sandbox, second_thread, "reply", text="Second run's reply")
            assert await wait_for(lambda: agent_texts(second), 20) == ["Second run's reply"]
            await rep(sandbox, second_thread, "close")

            async def second_closed() -> bool:
                return await state(second) == "closed"

            await wait_for(second_closed, 20)
            first.http, first.token = http, first_token
            assert await agent_texts(first) == ["First run's reply"]
            assert await state(first) != "closed"
