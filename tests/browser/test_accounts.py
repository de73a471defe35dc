"""Team members' passwords in real Chromium: change one, reset one by mail, accept an invitation."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path

import pytest_asyncio
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.db import create_engine, session_factory

from ..admin_support import PASSWORD, make_user
from ..orgs import make_org
from ..smtp import SmtpServer
from ..support import RunningServer, start_on_fresh_database

NEW = "a brand new passphrase"
LINK = re.compile(r"http://\S+/admin/login/password\?token=\S+")


@pytest_asyncio.fixture(loop_scope="session")
async def sessions(sqlite_server: RunningServer) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(sqlite_server.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def mailing(smtp_server: SmtpServer, tmp_path: Path) -> AsyncIterator[RunningServer]:
    """The app with a mail server, on a database of its own (its worker sends the mail)."""
    running = start_on_fresh_database(tmp_path, smtp=smtp_server.settings())
    yield running
    running.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def mailing_sessions(
    mailing: RunningServer,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(mailing.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


def link_in(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found, body.get_content()
    return found.group(0)


async def set_password(page: Page, password: str) -> None:
    await page.get_by_label("New password", exact=True).fill(password)
    await page.get_by_label("New password again").fill(password)
    await page.get_by_role("button", name="Set password").click()
    await expect(page.get_by_role("status")).to_contain_text("Your password is set")


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


async def test_a_forgotten_password_is_reset_through_the_mailed_link(
    mailing: RunningServer,
    mailing_sessions: async_sessionmaker[AsyncSession],
    smtp_server: SmtpServer,
    browser: Browser,
) -> None:
    base = mailing.base_url
    email = await make_user(mailing_sessions, (await make_org(mailing_sessions)).id)
    elsewhere = await browser.new_context()
    await sign_in(await elsewhere.new_page(), base, email)
    context = await browser.new_context()
    page = await context.new_page()

    await page.goto(f"{base}/admin/login")
    await page.get_by_role("link", name="Forgot your password?").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Mail me a link").click()
    await expect(page.get_by_role("status")).to_contain_text("If an account uses that address")

    [message] = await smtp_server.wait_for_messages(1)
    assert message["To"] == email
    await page.goto(link_in(message))
    await expect(page.get_by_role("heading")).to_have_text("Choose a new password")
    await set_password(page, NEW)
    await expect(page).to_have_url(f"{base}/admin/login?password=set")
    await sign_in(page, base, email, NEW)

    old = elsewhere.pages[0]
    await old.reload()  # signed in before the reset: signed out by it
    await expect(old).to_have_url(f"{base}/admin/login")
    await page.goto(link_in(message))  # the link worked once
    await expect(page.get_by_role("alert")).to_contain_text("no longer valid")
    for each in (context, elsewhere):
        await each.close()


async def test_an_invited_person_sets_a_password_and_signs_in(
    mailing: RunningServer,
    mailing_sessions: async_sessionmaker[AsyncSession],
    smtp_server: SmtpServer,
    browser: Browser,
) -> None:
    base = mailing.base_url
    org = await make_org(mailing_sessions)
    owner = await make_user(mailing_sessions, org.id)
    newcomer = f"newcomer-{org.id}@example.test"
    owners, newcomers = await browser.new_context(), await browser.new_context()
    page = await owners.new_page()
    await sign_in(page, base, owner)
    await page.get_by_role("link", name="Team").click()
    await page.get_by_label("Email").fill(newcomer)
    await page.get_by_label("Role").select_option("admin")
    await page.get_by_role("button", name="Invite").click()
    await expect(page.get_by_role("status")).to_contain_text(f"{newcomer} was invited")
    await expect(page.locator("#one-time-password")).to_have_count(0)
    row = page.locator("tr", has_text=newcomer)
    await expect(row).to_contain_text("never")

    [message] = await smtp_server.wait_for_messages(1)
    assert message["To"] == newcomer and "You are invited to" in message["Subject"]
    theirs = await newcomers.new_page()
    await theirs.goto(link_in(message))
    await expect(theirs.get_by_role("heading")).to_contain_text("Welcome to")
    await set_password(theirs, NEW)
    await sign_in(theirs, base, newcomer, NEW)
    await expect(theirs.locator(".who")).to_have_text(f"{newcomer} · admin")

    await page.reload()
    await expect(row).not_to_contain_text("never")
    await expect(row.get_by_role("button", name="Invite again")).to_have_count(0)
    for each in (owners, newcomers):
        await each.close()
