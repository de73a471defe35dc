"""The widget's look and its accessibility in Chromium: the admin's title, subtitle, avatar and
dark theme, message times, keyboard use, labels, contrast, and axe-core on the widget open and
closed in both themes."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.db import commit, create_engine, session_factory
from relaydesk.models import Organization

from ..admin_support import make_user
from ..orgs import Org, make_org
from ..services import in_ci
from ..support import RunningServer, start_on_fresh_database
from .site import Site
from .test_widget import ShopBrain, W, ask, company_page
from .test_widget_words import sign_in

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
# WCAG contrast of an element's text on the panel's background.
CONTRAST = """el => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => rgb(c).map(v => (v /= 255) <= .04045 ? v / 12.92 : ((v + .055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [.2126, .7152, .0722][i], 0);
  const fg = lum(getComputedStyle(el).color);
  const bg = lum(getComputedStyle(el.closest('.panel')).backgroundColor);
  return (Math.max(fg, bg) + .05) / (Math.min(fg, bg) + .05);
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_on_fresh_database(tmp_path_factory.mktemp("look"), ShopBrain())
    yield running
    running.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def sessions(server: RunningServer) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(server.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


async def new_shop(sessions: async_sessionmaker[AsyncSession], site: Site, **look: Any) -> Org:
    shop = await make_org(sessions, origins=[site.base_url])
    async with sessions() as session:
        organization = await session.get(Organization, shop.id)
        assert organization is not None
        for field, value in look.items():
            setattr(organization, field, value)
        await commit(session)
    return shop


async def test_the_admins_title_subtitle_avatar_and_dark_theme_and_message_times(
    page: Page,
    browser: Any,
    site: Site,
    server: RunningServer,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    shop = await new_shop(sessions, site)
    admin = await (await browser.new_context()).new_page()
    await sign_in(admin, server.base_url, await make_user(sessions, shop.id, "owner"))
    await admin.goto(f"{server.base_url}/admin/widget")
    await admin.locator("input[name=title]").fill("Northwind help")
    await admin.locator("input[name=subtitle]").fill("We usually reply within an hour")
    await admin.get_by_label("dark", exact=True).check()
    await admin.get_by_label("the avatar").check()
    await admin.get_by_role("button", name="Save").first.click()
    await expect(admin.get_by_role("status")).to_have_text("Saved.")
    logo = {"name": "logo.png", "mimeType": "image/png", "buffer": PNG}
    await admin.get_by_label("PNG, JPEG, GIF or WebP").set_input_files([logo])
    await admin.get_by_role("button", name="Upload").click()
    await expect(admin.get_by_alt_text("The current avatar")).to_be_visible()
    await admin.context.close()

    await page.goto(site.publish("look.html", company_page(server, shop)))
    launcher_image = page.locator(f"{W} .launcher img")
    assert await launcher_image.evaluate("i => i.decode().then(() => i.naturalWidth)") == 1
    await page.locator(f"{W} .launcher").click()
    await expect(page.locator(f"{W} .name")).to_have_text("Northwind help")
    await expect(page.locator(f"{W} .subtitle")).to_have_text("We usually reply within an hour")
    await expect(page.get_by_role("dialog", name="Northwind help")).to_be_visible()
    avatar = page.locator(f"{W} img.avatar")
    assert await avatar.evaluate("i => i.decode().then(() => i.naturalWidth)") == 1
    await expect(page.locator(W)).to_have_attribute("data-theme", "dark")
    panel = page.locator(f"{W} .panel")
    assert await panel.evaluate("p => getComputedStyle(p).backgroundColor") == "rgb(28, 33, 40)"

    await ask(page, "How long does shipping take?")
    sent = page.locator(f"{W} li.msg[data-role=visitor]")
    await expect(sent).to_have_attribute("data-time", "now")
    assert await sent.evaluate("li => getComputedStyle(li, '::after').content") == '"now"'
    full = await sent.get_attribute("title")  # the full time, on hover
    assert full and str(await page.evaluate("new Date().getFullYear()")) in full
    await expect(sent).to_have_text("How long does shipping take?")  # the text stays the text


async def test_by_keyboard_alone_with_labels_and_readable_powered_by(
    page: Page, site: Site, server: RunningServer, sessions: async_sessionmaker[AsyncSession]
) -> None:
    shop = await new_shop(sessions, site)
    await page.goto(site.publish("keys.html", company_page(server, shop)))
    launcher = page.locator(f"{W} .launcher")
    await expect(launcher).to_have_accessible_name("Open chat")
    await page.keyboard.press("Tab")
    await expect(launcher).to_be_focused()
    await page.keyboard.press("Enter")
    textbox = page.get_by_role("textbox", name="Message")  # labelled, not only a placeholder
    await expect(textbox).to_be_focused()
    await expect(launcher).to_have_attribute("aria-expanded", "true")
    await page.keyboard.type("What plans do you have?")
    await page.keyboard.press("Enter")
    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_have_count(1)
    await expect(page.locator(f"{W} ol.messages")).to_have_attribute("aria-live", "polite")

    await page.keyboard.press("Escape")
    await expect(page.locator(f"{W} .panel")).to_be_hidden()
    await expect(launcher).to_be_focused()  # not <body>
    await expect(launcher).to_have_attribute("aria-expanded", "false")

    await page.keyboard.press("Enter")
    await expect(textbox).to_be_focused()
    for theme in ("light", "dark"):
        await page.locator(W).evaluate("(host, t) => { host.dataset.theme = t; }", theme)
        powered = page.locator(f"{W} .powered")
        assert await powered.evaluate(CONTRAST) >= 4.5, theme


async def axe_problems(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations inside the widget."""
    if await page.evaluate("typeof axe") == "undefined":
        await page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = await page.evaluate(
        """async () => {
        const widget = document.querySelector('relaydesk-widget');
        const r = await axe.run(widget, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => ({id: v.id, impact: v.impact,
                      nodes: v.nodes.map(n => `${n.target.join(' ')}: ${n.failureSummary}`)}));
    }"""
    )
    return found


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_axe_finds_nothing_serious_open_or_closed(
    theme: str,
    page: Page,
    site: Site,
    server: RunningServer,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    if not AXE.exists():
        if in_ci():
            pytest.fail(f"axe-core is missing ({AXE}): run `make test`, which installs it")
        pytest.skip("axe-core is not installed: `make test` installs it with npm")
    # A theme colour that white text does not suit: text on it turns black.
    shop = await new_shop(sessions, site, widget_theme=theme, theme_color="#f5c518")
    await page.goto(site.publish(f"axe-{theme}.html", company_page(server, shop)))
    await expect(page.locator(f"{W} .launcher")).to_be_visible()
    assert await axe_problems(page) == [], "closed"

    await page.locator(f"{W} .launcher").click()
    await ask(page, "Do you have this in my size?")  # an answer with buttons
    await expect(page.locator(f"{W} .buttons button")).to_have_count(1)
    await page.locator(f"{W} .profile-open").click()  # the name and email form
    assert await axe_problems(page) == [], "open"
