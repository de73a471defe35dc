"""The analytics page in real Chromium: a member opens it for a seeded month and finds the
figures and both charts (drawn on the server as SVG, no script needed), and the CSV link."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.db import create_engine, session_factory

from ..admin_support import PASSWORD, make_user
from ..analytics_month import seed_month
from ..orgs import make_org
from ..support import RunningServer


@pytest_asyncio.fixture(loop_scope="session")
async def sessions(sqlite_server: RunningServer) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(sqlite_server.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


async def test_a_member_sees_the_analytics_charts(
    sqlite_server: RunningServer, sessions: async_sessionmaker[AsyncSession], page: Page
) -> None:
    org = await make_org(sessions, sample_kb=False)
    expected = await seed_month(sessions, org.id)
    email = await make_user(sessions, org.id, "member")
    base = sqlite_server.base_url
    await page.goto(f"{base}/admin/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Analytics").click()
    await expect(page).to_have_url(f"{base}/admin/analytics")

    figures = page.locator("#figures")
    await expect(figures.locator('[data-figure="conversations"]')).to_have_text(
        str(expected.conversations)
    )
    await expect(figures.locator('[data-figure="reopened"]')).to_have_text(
        str(expected.outcomes["reopened"])
    )
    trend = page.locator("svg#analytics-trend")
    await expect(trend).to_be_visible()
    days_with_conversations = len(expected.per_day)
    await expect(trend.locator("g.day[data-count]:not([data-count='0'])")).to_have_count(
        days_with_conversations
    )
    await expect(trend.locator("rect.outcome.abandoned")).to_have_count(days_with_conversations - 1)
    box = await trend.locator("rect.outcome").first.bounding_box()
    assert box is not None and box["height"] > 0 and box["width"] > 0
    reasons = page.locator("svg#analytics-reasons g.bar")
    await expect(reasons).to_have_count(len(expected.reasons))
    await expect(page.locator("#gaps tbody tr")).to_have_count(len(expected.gaps))
    async with page.expect_download() as download:
        await page.get_by_role("link", name="CSV export").click()
    assert (await download.value).suggested_filename.startswith("analytics-")
