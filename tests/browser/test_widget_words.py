"""The widget speaks the visitor's browser language, and the organization's own words (the
admin's strings editor) are shown instead of the shipped ones."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.db import create_engine, session_factory
from relaydesk.widget_settings import HOST_STUB

from ..admin_support import PASSWORD, make_user
from ..orgs import Org, make_org
from ..support import RunningServer, start_on_fresh_database
from .site import Site
from .test_widget import ShopBrain, W, company_page


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_on_fresh_database(tmp_path_factory.mktemp("words"), ShopBrain())
    yield running
    running.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def sessions(server: RunningServer) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(server.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def german(browser: Browser) -> AsyncIterator[Page]:
    """A visitor whose browser says navigator.language === "de-DE"."""
    context = await browser.new_context(locale="de-DE")
    yield await context.new_page()
    await context.close()


async def sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/admin/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{base}/admin/conversations")


async def test_a_german_browser_gets_german_words_and_the_admins_own_instead(
    german: Page,
    page: Page,
    site: Site,
    server: RunningServer,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    shop: Org = await make_org(sessions, origins=[site.base_url])
    url = site.publish("hilfe.html", company_page(server, shop))
    assert await german.evaluate("navigator.language") == "de-DE"
    await german.goto(url)
    launcher = german.locator(f"{W} .launcher")
    await expect(launcher).to_have_attribute("aria-label", "Chat öffnen")
    await launcher.click()
    await expect(german.locator(f"{W} .panel")).to_have_attribute("lang", "de")
    await expect(german.locator(f"{W} .greeting")).to_have_text("Hallo! Wie können wir helfen?")
    await expect(german.get_by_role("textbox", name="Nachricht")).to_have_attribute(
        "placeholder", "Nachricht schreiben…"
    )
    await expect(german.locator(f"{W} .send")).to_have_text("Senden")
    await expect(german.locator(f"{W} .powered")).to_have_text("Bereitgestellt von relaydesk")

    # The owner writes the organization's own German in the strings editor.
    await sign_in(page, server.base_url, await make_user(sessions, shop.id, "owner"))
    await page.goto(f"{server.base_url}/admin/widget/strings?language=de")
    send_row = page.locator("tr", has=page.get_by_text("send", exact=True))
    await expect(send_row.locator("td").nth(1)).to_have_text("Send")  # the English beside it
    await expect(page.get_by_label("send in de", exact=True)).to_have_attribute(
        "placeholder", "Senden"
    )
    await page.get_by_label("send in de", exact=True).fill("Abschicken")
    await page.get_by_label("greeting in de", exact=True).fill("Moin! Was dürfen wir für Sie tun?")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Saved.")
    await expect(page.get_by_label("send in de", exact=True)).to_have_value("Abschicken")

    await german.reload()
    await german.locator(f"{W} .launcher").click()
    await expect(german.locator(f"{W} .send")).to_have_text("Abschicken")
    await expect(german.locator(f"{W} .greeting")).to_have_text("Moin! Was dürfen wir für Sie tun?")
    await expect(german.locator(f"{W} .end")).to_have_text("Chat beenden")  # not overridden

    # An English browser keeps the English words; a page may still choose its own.
    await page.goto(url)
    await page.locator(f"{W} .launcher").click()
    await expect(page.locator(f"{W} .send")).to_have_text("Send")
    await expect(page.locator(f"{W} .greeting")).to_have_text("Hi! How can we help?")


async def test_a_page_picks_its_own_language_and_words_with_init(
    page: Page, site: Site, server: RunningServer, sessions: async_sessionmaker[AsyncSession]
) -> None:
    shop: Org = await make_org(sessions, origins=[site.base_url])
    options = {"widgetKey": shop.widget_key, "locale": "fr-CA", "strings": {"send": "Go"}}
    html = f"""<!doctype html><html><head><meta charset="utf-8"></head><body>
{HOST_STUB}
<script src="{server.base_url}/static/loader.js" async></script>
<script>Relaydesk.init({json.dumps(options)}); Relaydesk.open();</script></body></html>"""
    await page.goto(site.publish("fr.html", html))
    await expect(page.locator(f"{W} .panel")).to_be_visible()
    await expect(page.locator(f"{W} .send")).to_have_text("Go")
    await expect(page.locator(f"{W} textarea")).to_have_attribute(
        "placeholder", "Écrivez un message…"
    )
    await expect(page.locator(f"{W} .panel")).to_have_attribute("lang", "fr")
