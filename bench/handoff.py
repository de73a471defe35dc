"""Handoff into HubSpot against the sandbox: one handoff's completion time (decision → note
posted) with 100 ms per HubSpot call, HubSpot calls per handoff, and the drain time of a burst
of handoffs at 100 requests / 10 s against the floor (calls made / 10 per second)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from hubspot_sandbox import RunningSandbox, SandboxConfig, start_sandbox
from relaydesk.migrate import upgrade
from relaydesk.runtime import Runtime
from tests.hubspot.handoff.world import (
    SYNC_KINDS,
    Person,
    connect,
    faults,
    handed_off_conversation,
    new_organization,
    sandbox_requests,
    unfinished,
    world_settings,
)


async def runtime_for(sandbox: RunningSandbox, data_dir: Path, limit: int) -> Runtime:
    url = f"sqlite+aiosqlite:///{data_dir / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    settings = world_settings(url, data_dir, sandbox)
    settings.hubspot.rate_limit_per_10s = limit
    settings.worker.max_attempts = 100
    settings.worker.poll_interval_s = 0.1
    runtime = Runtime.build(settings)
    await runtime.start()
    return runtime


async def until_drained(runtime: Runtime, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while await unfinished(runtime.sessions, SYNC_KINDS):
        if time.monotonic() > deadline:
            raise RuntimeError("HubSpot jobs still pending at the deadline")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def worker_running(runtime: Runtime) -> AsyncIterator[None]:
    """The worker as `relaydesk serve` runs it (a pool of jobs)."""
    worker = runtime.worker()
    task = asyncio.create_task(worker.run())
    try:
        yield
    finally:
        worker.stop()
        await task


async def one_handoff(data_dir: Path) -> None:
    sandbox = await start_sandbox(SandboxConfig(rate_limit_per_10s=None))
    runtime = await runtime_for(sandbox, data_dir, 1000)
    try:
        organization_id = await new_organization(runtime)
        await connect(runtime, sandbox, organization_id)
        await faults(sandbox, latency_ms=100)
        before = len(await sandbox_requests(sandbox))
        person = Person("Jane Doe", "jane@example.com", verified=True)
        async with worker_running(runtime):
            # The decision comes to a worker that is already up, as on a running server, so the
            # recurring duties a worker queues when it starts are not timed with the handoff.
            await asyncio.sleep(0.5)
            started = time.perf_counter()
            await handed_off_conversation(runtime, organization_id, person, messages=12, files=2)
            await until_drained(runtime, timeout=120)
            elapsed = time.perf_counter() - started
        calls = len(await sandbox_requests(sandbox)) - before
        print(f"handoff (12 messages, 2 files, 100 ms per call): {elapsed:.2f} s, "
              f"{calls} HubSpot calls (incl. 2 ticket properties, once per process)")  # fmt: skip
    finally:
        await runtime.close()
        await sandbox.stop()


async def burst(data_dir: Path, count: int, messages: int) -> None:
    sandbox = await start_sandbox(SandboxConfig(rate_limit_per_10s=100))
    runtime = await runtime_for(sandbox, data_dir, 100)
    try:
        organization_id = await new_organization(runtime)
        await connect(runtime, sandbox, organization_id)
        await asyncio.sleep(10)  # let the setup calls leave the rolling window
        before = len(await sandbox_requests(sandbox))
        for i in range(count):
            person = Person(f"Visitor {i}", f"v{i}@example.com", verified=True)
            await handed_off_conversation(
                runtime, organization_id, person, messages=messages, files=0, label=f"c{i} "
            )
        started = time.perf_counter()
        async with worker_running(runtime):
            await until_drained(runtime, timeout=3600)
        elapsed = time.perf_counter() - started
        made = (await sandbox_requests(sandbox))[before:]
        answered = [r for r in made if r["status"] != 429]
        floor = len(answered) / 10.0
        print(f"burst of {count} handoffs ({messages} messages each) at 100 req/10 s: "
              f"drained in {elapsed:.1f} s; {len(answered)} calls, floor {floor:.1f} s "
              f"({elapsed / floor:.2f}x); {len(made) - len(answered)} answered 429")  # fmt: skip
    finally:
        await runtime.close()
        await sandbox.stop()


def run(count: int = 200, messages: int = 4) -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as many:
        asyncio.run(one_handoff(Path(one)))
        asyncio.run(burst(Path(many), count, messages))


if __name__ == "__main__":
    run()
