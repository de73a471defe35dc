"""Signing in under attack: a flood from one address is throttled before any password is
hashed, wrong passwords lock out only the address that typed them, and a forwarded address is
believed only from a trusted proxy. That hashing never stalls other users is a target, measured
by `python -m bench loginflood`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest_asyncio

from relaydesk.db import create_engine, session_factory
from relaydesk.settings import LimitSettings

from .admin_support import PASSWORD, csrf_of, make_user
from .orgs import make_org
from .support import RunningServer, start_on_fresh_database

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


async def test_a_flood_from_one_address_is_refused_before_its_passwords_are_hashed(
    behind_proxy: Site,
) -> None:
    """40 wrong passwords, 20 at once, from one address: its few tries a minute are spent at
    once and the rest is refused (429) before argon2 runs; the owner elsewhere still signs in.
    How long the owner's pages take meanwhile is `python -m bench loginflood`'s target."""
    statuses: list[int] = []
    forwarded = {"x-forwarded-for": "198.18.0.1"}
    async with httpx.AsyncClient(base_url=behind_proxy.server.base_url, headers=forwarded) as http:
        for wave in range(2):  # each wave with a fresh form token, as a browser would have
            token = csrf_of((await http.get("/admin/login")).text)
            form = {"email": behind_proxy.email, "csrf_token": token}
            guesses = [
                http.post("/admin/login", data=form | {"password": f"{wave}-{i}"})
                for i in range(20)
            ]
            statuses += [answer.status_code for answer in await asyncio.gather(*guesses)]
    assert statuses.count(429) >= 35 and statuses.count(401) <= 5, statuses
    assert await sign_in(behind_proxy, PASSWORD, "198.51.100.9") == 303
