"""Handoffs under HubSpot's bad days: random 500s, latency and the rate limit; and a worker
process killed with SIGKILL at random moments. Either way HubSpot ends up exactly as it does
on a good day: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from hubspot_sandbox import RunningSandbox
from relaydesk.runtime import Runtime

from ...support import SECRET
from .world import (
    PUBLIC_URL,
    SYNC_KINDS,
    Person,
    comparable,
    connect,
    drain,
    failed_jobs,
    faults,
    handed_off_conversation,
    new_organization,
    reset,
    sandbox_requests,
    sandbox_state,
    unfinished,
)

# 30 % of calls answered 500, 300 ms per call, and a portal's 150 requests per 10 s (HubSpot's
# Professional burst limit; our client is allowed 1,000 here, so it runs into the sandbox's 429s).
# The storm's ~450 calls overrun the window twice even on a machine doing only 15 a second; each
# overrun holds the client for the rest of the window (at Free's 100 per 10 s: four, 70 s).
FAULTS = {"error_rate": 0.3, "error_status": 500, "latency_ms": 300, "rate_limit_per_10s": 150}


@pytest.fixture(autouse=True)
def one_backend(handoff_backend: str, handoff_databases: dict[str, str]) -> None:
    """These are slow: run them on PostgreSQL where the machine has it, else on SQLite."""
    if handoff_backend == "sqlite" and "postgresql" in handoff_databases:
        pytest.skip("runs on PostgreSQL")


def visitor(i: int) -> Person:
    """Verified and unverified emails, and every fifth visitor with a name only (a contact
    HubSpot cannot find by email)."""
    if i % 5 == 4:
        return Person(f"Visitor {i}")
    return Person(f"Visitor {i}", f"v{i}@example.com", verified=i % 2 == 0)


async def burst(
    runtime: Runtime, sandbox: RunningSandbox, count: int, **injected: Any
) -> dict[str, Any]:
    await reset(sandbox)
    organization_id = await new_organization(runtime)
    await connect(runtime, sandbox, organization_id)
    labels = {}
    for i in range(count):
        conversation_id = await handed_off_conversation(
            runtime, organization_id, visitor(i), messages=2, files=int(i % 10 == 0), label=f"c{i} "
        )
        labels[conversation_id] = f"c{i}"
    if injected:
        await faults(sandbox, **injected)
    try:
        await drain(runtime, timeout=240)
    finally:  # a failed drain must not leave the faults on for the next test
        await faults(sandbox, error_rate=0, latency_ms=0, rate_limit_per_10s=None)
    assert await failed_jobs(runtime.sessions) == []
    return comparable(await sandbox_state(sandbox), labels)


@pytest.mark.timeout(900)
async def test_fifty_handoffs_under_faults_end_as_without(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    calm = await burst(runtime, handoff_sandbox, 50)
    assert len(calm["threads"]) == len(calm["tickets"]) == len(calm["contacts"]) == 50
    stormy = await burst(runtime, handoff_sandbox, 50, **FAULTS)
    assert stormy == calm
    answered = Counter(r["status"] for r in await sandbox_requests(handoff_sandbox))
    assert answered[500] > 0 and answered[429] > 0, answered  # the storm did happen


def worker_env(runtime: Runtime, sandbox: RunningSandbox) -> dict[str, str]:
    settings = runtime.settings
    config = sandbox.config
    return os.environ | {
        "RELAYDESK_DATABASE_URL": settings.database_url,
        "RELAYDESK_SECRET_KEY": SECRET,
        "RELAYDESK_DATA_DIR": str(settings.data_dir),
        "RELAYDESK_PUBLIC_BASE_URL": PUBLIC_URL,
        "RELAYDESK_LOG_LEVEL": "warning",
        "RELAYDESK_WORKER__LEASE_S": "1.5",
        "RELAYDESK_WORKER__POLL_INTERVAL_S": "0.1",
        "RELAYDESK_WORKER__MAX_ATTEMPTS": "50",
        "RELAYDESK_DATABASE_POOL_SIZE": "4",
        "RELAYDESK_DATABASE_MAX_OVERFLOW": "6",
        "RELAYDESK_HUBSPOT__CLIENT_ID": config.client_id,
        "RELAYDESK_HUBSPOT__CLIENT_SECRET": config.client_secret,
        "RELAYDESK_HUBSPOT__APP_ID": str(config.app_id),
        "RELAYDESK_HUBSPOT__DEVELOPER_API_KEY": config.developer_api_key,
        "RELAYDESK_HUBSPOT__BASE_URL": sandbox.base_url,
        "RELAYDESK_HUBSPOT__APP_BASE_URL": sandbox.base_url,
    }


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "relaydesk.cli", "worker"], env=env, stdout=out, stderr=out
        )


@pytest.mark.timeout(900)
async def test_worker_killed_at_random_moments_leaves_hubspot_exactly_right(
    runtime: Runtime, handoff_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    # What 20 handoffs look like when nothing goes wrong, done in this process.
    calm = await burst(runtime, handoff_sandbox, 20)

    await reset(handoff_sandbox)
    organization_id = await new_organization(runtime)
    await connect(runtime, handoff_sandbox, organization_id)
    labels = {}
    for i in range(20):
        conversation_id = await handed_off_conversation(
            runtime, organization_id, visitor(i), messages=2, files=int(i % 10 == 0), label=f"c{i} "
        )
        labels[conversation_id] = f"c{i}"
    # Latency spreads each handoff over many moments a kill can land on.
    await faults(handoff_sandbox, latency_ms=40)
    env, log = worker_env(runtime, handoff_sandbox), tmp_path / "worker.log"
    rng = random.Random(int(time.time()))
    kills = 0
    deadline = time.monotonic() + 120
    while await unfinished(runtime.sessions, SYNC_KINDS):
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        process = start_worker(env, log)
        if kills < 8:
            await asyncio.sleep(rng.uniform(0.3, 1.5))
            process.send_signal(signal.SIGKILL)
            kills += 1
            await asyncio.to_thread(process.wait)
            continue
        try:
            while await unfinished(runtime.sessions, SYNC_KINDS):
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                await asyncio.sleep(0.2)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(process.wait, 10)
    await faults(handoff_sandbox, latency_ms=0)
    assert kills >= 3
    assert await failed_jobs(runtime.sessions) == []
    crashed = comparable(await sandbox_state(handoff_sandbox), labels)
    assert crashed == calm
