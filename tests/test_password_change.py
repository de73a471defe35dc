"""Changing one's password in the admin: the current password first, every other session ends."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.models import AdminSession, User

from .admin_support import PASSWORD, AdminClient, make_user, password_hash, signed_in
from .orgs import Org
from .support import RunningServer

NEW = "a brand new passphrase"


def _change(current: str = PASSWORD, new: str = NEW, again: str = NEW) -> dict[str, str]:
    return {"current_password": current, "password": new, "confirmation": again}


async def _sessions_of(db: async_sessionmaker[AsyncSession], email: str) -> int:
    async with db() as session:
        query = select(func.count()).select_from(AdminSession).join(User).where(User.email == email)
        return int(await session.scalar(query) or 0)


async def test_a_changed_password_signs_out_every_other_session(
    server: RunningServer, db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    email = await make_user(db, org.id)
    laptop = await signed_in(server.base_url, email)
    phone = await signed_in(server.base_url, email)
    assert await _sessions_of(db, email) == 2

    changed = await laptop.post("/admin/account/password", _change())
    assert changed.status_code == 303
    assert changed.headers["location"] == "/admin/account?revoked=1"
    assert "1 other session signed out" in (await laptop.get(changed.headers["location"])).text

    gone = await phone.get("/admin/conversations")
    assert gone.status_code == 303 and gone.headers["location"] == "/admin/login"
    assert await _sessions_of(db, email) == 1
    assert (await AdminClient(server.base_url).login(email, PASSWORD)).status_code == 401
    assert (await phone.login(email, NEW)).status_code == 303
    for client in (laptop, phone):
        await client.close()


async def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failed_sign_in(
    server: RunningServer, db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    email = await make_user(db, org.id)
    laptop = await signed_in(server.base_url, email)
    phone = await signed_in(server.base_url, email)
    for _ in range(5):
        refused = await laptop.post("/admin/account/password", _change(current="a guess 12345"))
        assert refused.status_code == 401 and "the current password is wrong" in refused.text
    locked = await laptop.post("/admin/account/password", _change())
    assert locked.status_code == 401 and "too many failed attempts" in locked.text

    assert (await phone.get("/admin/conversations")).status_code == 200
    assert await _sessions_of(db, email) == 2
    async with db() as session:
        stored = await session.scalar(select(User.password_hash).where(User.email == email))
    assert stored == password_hash()  # unchanged (signing in from here is locked out now)
    for client in (laptop, phone):
        await client.close()


async def test_a_new_password_must_be_typed_twice_and_long_enough(
    server: RunningServer, db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    email = await make_user(db, org.id)
    admin = await signed_in(server.base_url, email)
    cases = [
        (_change(again="something else entirely"), "the two new passwords differ"),
        (_change(new="short", again="short"), "at least 10 characters"),
        (_change(new=email.upper(), again=email.upper()), "cannot be the email address"),
    ]
    for form, problem in cases:
        refused = await admin.post("/admin/account/password", form)
        assert refused.status_code == 422 and problem in refused.text, problem
    assert (await AdminClient(server.base_url).login(email, PASSWORD)).status_code == 303
    await admin.close()


async def test_a_password_change_needs_the_sessions_csrf_token(
    server: RunningServer, db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    email = await make_user(db, org.id)
    admin = await signed_in(server.base_url, email)
    other = await signed_in(server.base_url, await make_user(db, org.id))
    assert (await admin.post("/admin/account/password", _change(), csrf=False)).status_code == 403
    stolen = await admin.post(
        "/admin/account/password", {**_change(), "csrf_token": other.csrf}, csrf=False
    )
    assert stolen.status_code == 403
    assert (await AdminClient(server.base_url).login(email, PASSWORD)).status_code == 303
    assert (await other.get("/admin/conversations")).status_code == 200
    for client in (admin, other):
        await client.close()
