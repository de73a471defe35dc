"""Signing in: argon2 passwords, cookies, lockout, logout, CSRF on every form."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.accounts import hash_password
from relaydesk.models import Organization, User

from .admin_support import PASSWORD, AdminClient, csrf_of, make_user, signed_in
from .orgs import Org
from .support import RunningServer


async def test_sign_in_sets_a_http_only_same_site_cookie_and_sign_out_ends_it(
    server: RunningServer, db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    email = await make_user(db, org.id)
    admin = AdminClient(server.base_url)
    answer = await admin.login(email)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/conversations"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if "relaydesk_admin=" in h)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # the test server's public URL is http
    async with db() as session:
        stored = await session.scalar(select(User.password_hash).where(User.email == email))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    # The product hashes at argon2's recommended cost (the tests' users get a cheap hash).
    made = hash_password(PASSWORD)
    assert made.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in made

    page = await admin.get("/admin/conversations")
    assert page.status_code == 200 and email in page.text
    assert (await admin.post("/admin/logout")).status_code == 303
    again = await admin.get("/admin/conversations")
    assert again.status_code == 303 and again.headers["location"] == "/admin/login"
    await admin.close()


async def test_pages_need_a_signed_in_admin(client: httpx.AsyncClient) -> None:
    for path in ("/admin/", "/admin/conversations", "/admin/widget", "/admin/csat"):
        answer = await client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] in ("/admin/login", "/admin/conversations")
    forged = await client.post("/admin/widget", data={"csrf_token": "x", "greeting": "hi"})
    assert forged.status_code == 303  # no session: to the login page, nothing changed


async def test_wrong_passwords_lock_this_address_out_of_the_account_for_a_while(
    server: RunningServer, db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    email = await make_user(db, org.id)
    admin = AdminClient(server.base_url)
    for _ in range(5):
        refused = await admin.login(email, "not the password")
        assert refused.status_code == 401 and "wrong email or password" in refused.text
    locked = await admin.login(email, PASSWORD)
    assert locked.status_code == 401 and "too many failed attempts" in locked.text
    async with db() as session:
        failures = await session.scalar(select(User.failed_logins).where(User.email == email))
    assert failures == 5  # counted on the row; the lock itself is per address (see test_login)
    unknown = await admin.login("nobody@example.test", PASSWORD)
    assert unknown.status_code == 401 and "wrong email or password" in unknown.text
    await admin.close()


async def test_forms_without_the_csrf_token_are_refused(
    server: RunningServer, db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    admin = await signed_in(server.base_url, await make_user(db, org.id))
    form = {"theme_color": "#000000", "greeting": "Changed", "position": "left"}
    assert (await admin.post("/admin/widget", form, csrf=False)).status_code == 403
    other = await signed_in(server.base_url, await make_user(db, org.id))
    stolen = await admin.post("/admin/widget", {**form, "csrf_token": other.csrf}, csrf=False)
    assert stolen.status_code == 403  # a token belongs to its own session
    async with db() as session:
        organization = await session.get(Organization, org.id)
        assert organization is not None and organization.greeting != "Changed"
    assert (await admin.post("/admin/widget", form)).status_code == 303

    fresh = httpx.AsyncClient(base_url=server.base_url)
    csrf = csrf_of((await fresh.get("/admin/login")).text)
    fresh.cookies.clear()  # the login form's token must match the cookie set with it
    login = {"email": "x@example.test", "password": "x", "csrf_token": csrf}
    assert (await fresh.post("/admin/login", data=login)).status_code == 403
    for client in (admin, other):
        await client.close()
    await fresh.aclose()
