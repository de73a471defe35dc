"""Signing in under attack: a flood from one address is throttled before any password is
hashed, hashing never stalls other users, wrong passwords lock out only the address that typed
them, and a forwarded address is believed only from a trusted proxy."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from relaydesk.db import create_engine, session_factory
from relaydesk.settings import LimitSettings

from .admin_support import PASSWORD, csrf_of, make_user
from .databases import migrated_sqlite
from .orgs import make_org
from .support import SECRET, RunningServer, free_port, start_on_fresh_database, wait_for

LIMITS = LimitSettings(login_attempts_per_minute=10, login_failures_before_lockout=3)


@dataclass
class Site:
    server: RunningServer
    email: str


async def site(data_dir: Path, **overrides: object) -> Site:
    server = start_on_fresh_database(data_dir, limits=LIMITS, **overrides)
    engine = create_engine(server.settings.database_url)
    sessions = session_factory(engine)
    org = await make_org(sessions, sample_kb=False)
    email = await make_user(sessions, org.id, "owner")
    await engine.dispose()
    return Site(server, email)


@pytest_asyncio.fixture(loop_scope="session")
async def behind_proxy(tmp_path: Path) -> AsyncIterator[Site]:
    """A site whose balancer is on 127.0.0.1: X-Forwarded-For names the client."""
    found = await site(tmp_path, trusted_proxies=["127.0.0.1"])
    yield found
    found.server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def exposed(tmp_path: Path) -> AsyncIterator[Site]:
    """A site reached directly: a forwarded header is the client's own claim."""
    found = await site(tmp_path)
    yield found
    found.server.stop()


async def sign_in(site: Site, password: str, address: str | None = None) -> int:
    headers = {"x-forwarded-for": address} if address else {}
    async with httpx.AsyncClient(base_url=site.server.base_url, headers=headers) as browser:
        form = await browser.get("/admin/login")
        answer = await browser.post(
            "/admin/login",
            data={"email": site.email, "password": password, "csrf_token": csrf_of(form.text)},
        )
    return answer.status_code


async def test_wrong_passwords_lock_out_only_the_address_that_typed_them(
    behind_proxy: Site,
) -> None:
    for _ in range(LIMITS.login_failures_before_lockout):
        assert await sign_in(behind_proxy, "wrong", "203.0.113.7") == 401
    assert await sign_in(behind_proxy, PASSWORD, "203.0.113.7") == 401  # this address waits
    assert await sign_in(behind_proxy, PASSWORD, "198.51.100.9") == 303  # the owner does not


async def test_one_address_gets_a_few_tries_a_minute(behind_proxy: Site) -> None:
    statuses = [await sign_in(behind_proxy, "wrong", "192.0.2.44") for _ in range(8)]
    assert 429 in statuses and statuses.count(401) <= 5
    assert await sign_in(behind_proxy, PASSWORD, "192.0.2.45") == 303


async def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(exposed: Site) -> None:
    statuses = [await sign_in(exposed, "wrong", f"10.9.8.{i}") for i in range(8)]
    assert 429 in statuses  # rotating X-Forwarded-For does not make new addresses


@pytest.mark.timeout(120)
async def test_a_login_flood_does_not_stall_other_users(tmp_path: Path) -> None:
    """The server is a process of its own (as in production), so the flood's clients here do
    not share its interpreter; 100 wrong passwords at once from one address."""
    url = migrated_sqlite(tmp_path / "relaydesk.db")
    engine = create_engine(url)
    sessions = session_factory(engine)
    org = await make_org(sessions, sample_kb=False)
    email = await make_user(sessions, org.id, "owner")
    await engine.dispose()
    port = free_port()
    env = os.environ | {
        "RELAYDESK_DATABASE_URL": url,
        "RELAYDESK_DATA_DIR": str(tmp_path),
        "RELAYDESK_SECRET_KEY": SECRET,
        "RELAYDESK_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RELAYDESK_TRUSTED_PROXIES": '["127.0.0.1"]',
    }
    process = serve_in_a_process(env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_for(lambda: answers(base), 60)
        async with httpx.AsyncClient(base_url=base, timeout=30) as owner:
            await signed_in_as(owner, email, PASSWORD)
            await settled(owner)
            async with httpx.AsyncClient(base_url=base, timeout=30) as attacker:

                async def guesses(wave: int) -> list[int]:
                    """20 wrong passwords at once (what the outside probe sent), again and again,
                    each wave with a fresh form token as a browser would have."""
                    token = csrf_of((await attacker.get("/admin/login")).text)
                    answers = await asyncio.gather(
                        *(
                            attacker.post(
                                "/admin/login",
                                data={
                                    "email": email,
                                    "password": f"{wave}-{i}",
                                    "csrf_token": token,
                                },  # fmt: skip
                                headers={"x-forwarded-for": "198.18.0.1"},
                            )
                            for i in range(20)
                        )
                    )
                    return [a.status_code for a in answers]

                async def waves() -> list[int]:
                    statuses = []
                    for wave in range(10):  # a sustained flood, so p99 rests on 100+ samples
                        statuses += await guesses(wave)
                        await asyncio.sleep(0.2)
                    return statuses

                flood = asyncio.create_task(waves())
                latencies = []
                while not flood.done():
                    started = time.monotonic()
                    assert (await owner.get("/admin/conversations")).status_code == 200
                    latencies.append(time.monotonic() - started)
                statuses = await flood
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert statuses.count(429) >= 190 and statuses.count(401) <= 10
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    assert p99 < 0.2, latencies


def serve_in_a_process(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "relaydesk.cli", "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def settled(owner: httpx.AsyncClient, deadline_s: float = 60) -> None:
    """Past start-up (models still loading in the background make the first seconds slow): five
    page loads in a row under 100 ms."""
    fast, deadline = 0, time.monotonic() + deadline_s
    while fast < 5 and time.monotonic() < deadline:
        started = time.monotonic()
        await owner.get("/admin/conversations")
        fast = fast + 1 if time.monotonic() - started < 0.1 else 0


async def answers(base: str) -> bool:
    try:
        async with httpx.AsyncClient(base_url=base, timeout=2) as http:
            return (await http.get("/readyz")).status_code == 200
    except httpx.HTTPError:
        return False


async def signed_in_as(browser: httpx.AsyncClient, email: str, password: str) -> None:
    form = await browser.get("/admin/login")
    data = {"email": email, "password": password, "csrf_token": csrf_of(form.text)}
    assert (await browser.post("/admin/login", data=data)).status_code == 303
