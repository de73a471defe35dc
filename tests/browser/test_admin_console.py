"""The admin console in real Chromium: sign in, each settings page, a conversation, CSAT chart."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.accounts import grant, user_by_email
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.models import Conversation, Organization, Visitor, utcnow
from relaydesk.organizations import create_organization
from relaydesk.vault import Vault

from ..admin_support import PASSWORD
from ..admin_world import World, build_world
from ..support import SECRET, RunningServer


@pytest_asyncio.fixture(loop_scope="session")
async def sessions(sqlite_server: RunningServer) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(sqlite_server.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


async def _more_ratings(sessions: async_sessionmaker[AsyncSession], world: World) -> str:
    """Ratings over a few days, and a second organization the owner can switch to."""
    async with sessions() as session:
        visitor = Visitor(organization_id=world.org.id)
        session.add(visitor)
        await session.flush()
        for days_ago, score in [(0, 5), (0, 4), (2, 5), (3, 1), (5, 5)]:
            session.add(
                Conversation(
                    organization_id=world.org.id,
                    visitor_id=visitor.id,
                    state="closed",
                    csat_score=score,
                    csat_at=utcnow() - timedelta(days=days_ago),
                )
            )
        other = await create_organization(session, Vault(SECRET), "Second Shop")
        owner = await user_by_email(session, world.owner)
        assert owner is not None
        await grant(session, owner, other, "admin")
        await commit(session)
    return other.id


async def _sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/admin/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{base}/admin/conversations")


async def _not_pwned(page: Page) -> None:
    assert await page.evaluate("() => window.__pwned === undefined")
    assert await page.locator("main script").count() == 0


async def test_an_owner_runs_the_console_in_chromium(
    sqlite_server: RunningServer, sessions: async_sessionmaker[AsyncSession], page: Page
) -> None:
    base = sqlite_server.base_url
    world = await build_world(sessions, "browser")
    second_org = await _more_ratings(sessions, world)
    page.on("dialog", lambda dialog: dialog.accept())
    await _sign_in(page, base, world.owner)

    # conversations: the hostile visitor's name is text, not markup
    await expect(page.locator("table.list")).to_contain_text("<script>window.__pwned=1</script>Eve")
    await _not_pwned(page)
    await page.get_by_label("Handed off").select_option("yes")
    await page.get_by_role("button", name="Filter").click()
    await expect(page).to_have_url(re.compile(r"handed_off=yes"))
    await page.locator(f'a[href="/admin/conversations/{world.conversation_id}"]').click()

    # the conversation: transcript, attachment, handoff record
    await expect(page.locator(".transcript .msg-visitor .text")).to_contain_text(
        "<script>window.__pwned=1</script> see [here](javascript:alert(1))"
    )
    await expect(page.locator(".attachment")).to_contain_text(
        "<script>window.__pwned=1</script>.txt"
    )
    await expect(page.locator("#handoff")).to_contain_text("the visitor is frustrated")
    await expect(page.locator("#handoff")).to_contain_text("negative")
    await _not_pwned(page)

    await _widget_settings(page, base, sessions, world)
    await _knowledge(page, base)
    await _api_keys(page, base)
    await _team(page, base)
    await _jobs(page, base)
    await _csat(page, base)

    # switch organization, then sign out
    await page.get_by_label("Organization").select_option(second_org)
    await expect(page.locator(".who")).to_contain_text("admin")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{base}/admin/login")


async def _widget_settings(
    page: Page, base: str, sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await page.get_by_role("link", name="Widget").click()
    await page.get_by_label("Theme colour").fill("#aa3300")
    await page.get_by_label("Greeting").fill("Hello from the browser")
    await page.get_by_label("left").check()
    await page.get_by_label("Allowed origins").fill("https://shop.example.com")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Saved.")
    await expect(page.locator("#snippet")).to_contain_text(
        f'data-widget-key="{world.org.widget_key}"'
    )
    await expect(page.locator("#identity-example")).to_contain_text("HS256")
    accent = await page.evaluate("getComputedStyle(document.body).getPropertyValue('--accent')")
    assert accent.strip() == "#aa3300"
    before = await page.locator("#identity-secret").input_value()
    await page.get_by_role("button", name="Rotate identity secret").click()
    await expect(page.locator("#identity-secret")).not_to_have_value(before)
    async with sessions() as session:
        org = await session.get(Organization, world.org.id)
        assert (
            org is not None and org.greeting == "Hello from the browser" and org.position == "left"
        )


async def _knowledge(page: Page, base: str) -> None:
    await page.get_by_role("link", name="Knowledge").click()
    await page.get_by_label("Markdown, text or HTML").set_input_files(
        [{"name": "shipping.md", "mimeType": "text/markdown", "buffer": b"# Shipping\n\n2 days."}]
    )
    await page.get_by_role("button", name="Upload").click()
    await expect(page.locator("table.list")).to_contain_text("Shipping")
    await page.get_by_label("Title", exact=True).fill("Gift cards")
    await page.get_by_label("Text", exact=True).fill("We sell gift cards from 10 EUR.")
    await page.get_by_role("button", name="Add").click()
    row = page.locator("tr", has_text="Gift cards")
    await expect(row).to_be_visible()
    await row.get_by_role("button", name="Delete").click()
    await expect(page.locator("tr", has_text="Gift cards")).to_have_count(0)
    await page.get_by_role("button", name="Re-index").click()
    await expect(page.get_by_role("status")).to_contain_text("reindexed")


async def _api_keys(page: Page, base: str) -> None:
    await page.get_by_role("link", name="API keys").click()
    await page.get_by_label("Name").fill("crm backend")
    await page.get_by_role("button", name="Create key").click()
    await expect(page.locator("#new-key")).to_contain_text("rdk_")
    row = page.locator("tr", has_text="crm backend")
    await row.get_by_role("button", name="Revoke").click()
    await expect(page.locator("tr", has_text="crm backend")).to_contain_text("revoked")
    await expect(page.locator("#new-key")).to_have_count(0)


async def _team(page: Page, base: str) -> None:
    await page.get_by_role("link", name="Team").click()
    await page.get_by_label("Email").fill("newcomer-browser@example.test")
    await page.get_by_role("button", name="Add").click()
    await expect(page.locator("#one-time-password")).to_have_text(re.compile(r"\S{12,}"))
    await expect(page.locator("table.list")).to_contain_text("newcomer-browser@example.test")


async def _jobs(page: Page, base: str) -> None:
    await page.get_by_role("link", name="Jobs").click()
    await expect(page.locator("pre.error-text")).to_contain_text("HubSpot said 500 browser")
    await page.get_by_role("button", name="Retry", exact=True).click()
    await expect(page.locator("table.list")).to_contain_text("No failed jobs")


async def _csat(page: Page, base: str) -> None:
    await page.get_by_role("link", name="CSAT").click()
    bars = page.locator("#csat-distribution g.bar")
    await expect(bars).to_have_count(5)
    counts = [await bars.nth(i).get_attribute("data-count") for i in range(5)]
    assert counts == ["1", "1", "0", "1", "3"]  # scores 1..5: seeded 1, 2 (hostile), 4, 5 x3
    five = await bars.nth(4).locator("rect").bounding_box()
    one = await bars.nth(0).locator("rect").bounding_box()
    assert five and one and five["height"] > 2 * one["height"] > 0
    await expect(page.locator("#csat-trend circle.point")).to_have_count(5)
    await expect(page.locator(".comments")).to_contain_text("<script>window.__pwned=1</script>")
    await _not_pwned(page)
