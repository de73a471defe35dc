"""Team members' passwords in real Chromium: change one, reset one by mail, accept an invitation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.db import create_engine, session_factory

from ..admin_support import PASSWORD, make_user
from ..conftest import make_org
from ..support import RunningServer

NEW = "a brand new passphrase"


@pytest_asyncio.fixture(loop_scope="session")
async def sessions(sqlite_server: RunningServer) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(sqlite_server.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


async def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    await page.goto(f"{base}/admin/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{base}/admin/conversations")


async def test_a_changed_password_signs_the_other_browser_out(
    sqlite_server: RunningServer, sessions: async_sessionmaker[AsyncSession], browser: Browser
) -> None:
    base = sqlite_server.base_url
    email = await make_user(sessions, (await make_org(sessions, sample_kb=False)).id)
    laptop, phone = await browser.new_context(), await browser.new_context()
    here, there = await laptop.new_page(), await phone.new_page()
    await sign_in(here, base, email)
    await sign_in(there, base, email)

    await here.get_by_role("link", name="Your account").click()
    await here.get_by_label("Current password").fill(PASSWORD)
    await here.get_by_label("New password", exact=True).fill(NEW)
    await here.get_by_label("New password again").fill(NEW)
    await here.get_by_role("button", name="Change password").click()
    await expect(here.get_by_role("status")).to_contain_text("1 other session signed out")

    await there.reload()  # the phone's session was revoked: back to the sign-in page
    await expect(there).to_have_url(f"{base}/admin/login")
    await there.get_by_label("Email").fill(email)
    await there.get_by_label("Password").fill(PASSWORD)
    await there.get_by_role("button", name="Sign in").click()
    await expect(there.get_by_role("alert")).to_contain_text("wrong email or password")
    await sign_in(there, base, email, NEW)
    await here.get_by_role("link", name="Conversations").click()  # the laptop stays signed in
    await expect(here).to_have_url(f"{base}/admin/conversations")
    for context in (laptop, phone):
        await context.close()
