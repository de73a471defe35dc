"""Login flood: 10 waves of 20 wrong passwords at once from one address against a server in a
process of its own (as in production), while the owner, signed in from elsewhere, loads a page
again and again. Target: the owner's p99 under 200 ms (argon2 runs in a thread, one at a time,
so hashing never stalls the event loop), and the flood is throttled before it is hashed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from relaydesk.accounts import grant, hash_password
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.models import Organization, User
from tests.admin_support import PASSWORD, csrf_of
from tests.databases import migrated_sqlite
from tests.orgs import make_org
from tests.support import SECRET, free_port, wait_for

from .stats import percentile, summary_ms

TARGET_P99_S = 0.2
EMAIL = "owner@example.test"


async def owner_of_a_new_site(url: str) -> None:
    """An organization and its owner, the password hashed at the product's full cost (what
    every guess is verified against)."""
    sessions = session_factory(engine := create_engine(url))
    org = await make_org(sessions, sample_kb=False)
    async with sessions() as session:
        user = User(email=EMAIL, password_hash=hash_password(PASSWORD))
        session.add(user)
        organization = await session.get(Organization, org.id)
        assert organization is not None
        await grant(session, user, organization, "owner")
        await commit(session)
    await engine.dispose()


async def answers(base: str) -> bool:
    try:
        async with httpx.AsyncClient(base_url=base, timeout=2) as http:
            return (await http.get("/readyz")).status_code == 200
    except httpx.HTTPError:
        return False


async def signed_in(browser: httpx.AsyncClient) -> None:
    form = await browser.get("/admin/login")
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_of(form.text)}
    assert (await browser.post("/admin/login", data=data)).status_code == 303


async def settled(owner: httpx.AsyncClient, deadline_s: float = 60) -> None:
    """Past start-up (models still loading in the background make the first seconds slow): five
    page loads in a row under 100 ms."""
    fast, deadline = 0, time.monotonic() + deadline_s
    while fast < 5 and time.monotonic() < deadline:
        started = time.monotonic()
        await owner.get("/admin/conversations")
        fast = fast + 1 if time.monotonic() - started < 0.1 else 0


async def flood(attacker: httpx.AsyncClient) -> list[int]:
    """20 wrong passwords at once, again and again, each wave with a fresh form token."""
    statuses: list[int] = []
    for wave in range(10):  # a sustained flood, so p99 rests on 100+ samples
        token = csrf_of((await attacker.get("/admin/login")).text)
        guesses = [
            attacker.post(
                "/admin/login",
                data={"email": EMAIL, "password": f"{wave}-{i}", "csrf_token": token},
                headers={"x-forwarded-for": "198.18.0.1"},
            )
            for i in range(20)
        ]
        statuses += [a.status_code for a in await asyncio.gather(*guesses)]
        await asyncio.sleep(0.2)
    return statuses


async def measure(data_dir: Path) -> tuple[list[float], list[int]]:
    url = migrated_sqlite(data_dir / "relaydesk.db")
    await owner_of_a_new_site(url)
    port = free_port()
    env = os.environ | {
        "RELAYDESK_DATABASE_URL": url,
        "RELAYDESK_DATA_DIR": str(data_dir),
        "RELAYDESK_SECRET_KEY": SECRET,
        "RELAYDESK_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RELAYDESK_TRUSTED_PROXIES": '["127.0.0.1"]',
        "RELAYDESK_LOG_LEVEL": "warning",
    }
    process = serve_in_a_process(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_for(lambda: answers(base), 60)
        async with (
            httpx.AsyncClient(base_url=base, timeout=30) as owner,
            httpx.AsyncClient(base_url=base, timeout=30) as attacker,
        ):
            await signed_in(owner)
            await settled(owner)
            flooding = asyncio.create_task(flood(attacker))
            latencies = []
            while not flooding.done():
                started = time.monotonic()
                assert (await owner.get("/admin/conversations")).status_code == 200
                latencies.append(time.monotonic() - started)
            return latencies, await flooding
    finally:
        process.terminate()
        process.wait(timeout=20)


def serve_in_a_process(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "relaydesk.cli", "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        latencies, statuses = asyncio.run(measure(Path(tmp)))
    p99 = percentile(latencies, 99)
    verdict = "within" if p99 < TARGET_P99_S else "OVER"
    print(
        f"login flood: the owner's page loads {summary_ms(latencies)} "
        f"({verdict} the {TARGET_P99_S * 1000:.0f} ms p99 target); "
        f"{len(statuses)} guesses: {statuses.count(429)} refused before hashing (429), "
        f"{statuses.count(401)} hashed (401)"
    )
