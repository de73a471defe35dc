"""Admin console test support: people with roles, and a browser-like client with its cookies."""

from __future__ import annotations

import re
import uuid
from functools import cache
from typing import Any

import httpx
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.accounts import grant
from relaydesk.db import commit
from relaydesk.models import Organization, User

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# argon2id at its lowest cost: a stored hash carries its own parameters, so signing in still
# runs the product's argon2 verification, in microseconds instead of a quarter second of CPU
# (the product hashes the passwords it sets, as in `test_password_change.py`, at full cost).
CHEAP_ARGON2 = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@cache
def password_hash() -> str:
    """`PASSWORD`'s argon2id hash, made once per run."""
    return CHEAP_ARGON2.hash(PASSWORD)


async def make_user(
    sessions: async_sessionmaker[AsyncSession], org_id: str, role: str = "owner"
) -> str:
    """A new user with `role` in the organization; returns the email (password `PASSWORD`)."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.test"
    async with sessions() as session:
        user = User(email=email, password_hash=password_hash())
        session.add(user)
        organization = await session.get(Organization, org_id)
        assert organization is not None
        await grant(session, user, organization, role)
        await commit(session)
    return email


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class AdminClient:
    """A signed-in admin's browser, without the browser: cookies, CSRF tokens, forms."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=15)
        self.csrf = ""

    async def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        form = await self.http.get("/admin/login")
        answer = await self.http.post(
            "/admin/login",
            data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
        )
        if answer.status_code == 303:
            page = await self.http.get("/admin/conversations")
            self.csrf = csrf_of(page.text)
        return answer

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def post(
        self, path: str, data: dict[str, str] | None = None, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf
        return await self.http.post(path, data=form, **kwargs)

    async def close(self) -> None:
        await self.http.aclose()


async def signed_in(base_url: str, email: str) -> AdminClient:
    admin = AdminClient(base_url)
    answer = await admin.login(email)
    assert answer.status_code == 303, answer.text
    return admin
