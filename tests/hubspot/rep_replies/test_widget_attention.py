"""In Chromium: a rep's reply arriving while the visitor's tab is in the background puts
"(1) New message" in the tab's title and, when the organization turned it on, plays a tone;
coming back to the tab restores the title."""

from __future__ import annotations

from playwright.async_api import Page, expect

from relaydesk.db import commit
from relaydesk.models import Organization

from .world import World

W = "relaydesk-widget"
# Headless Chromium never hides a tab by itself: the page's visibility is the test's to set.
# AudioContext is a recorder, so the tone can be counted without speakers.
BACKGROUND_TAB = """
window.hidden_ = false;
Object.defineProperty(document, 'visibilityState',
  {configurable: true, get: () => (window.hidden_ ? 'hidden' : 'visible')});
window.setHidden = h => {
  window.hidden_ = h;
  document.dispatchEvent(new Event('visibilitychange'));
};
window.tones = 0;
window.AudioContext = class {
  constructor() { window.tones++; this.currentTime = 0; this.destination = {}; }
  createOscillator() { return {frequency: {}, connect: n => n, start() {}, stop() {}}; }
  createGain() { return {gain: {}, connect: n => n}; }
  close() {}
};
"""


async def test_a_reply_in_a_background_tab_shows_in_the_title_with_a_tone(
    page: Page,  # noqa: F811
    world: World,
) -> None:
    async with world.rows() as session:
        organization = await session.get(Organization, world.org.id)
        assert organization is not None
        organization.notify_sound = True
        await commit(session)
    server = world.pair.server
    html = (
        '<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body>'
        f'<h1>Shop</h1><script src="{server.base_url}/static/loader.js" '
        f'data-widget-key="{world.org.widget_key}" async></script></body></html>'
    )
    await page.route(f"{server.base_url}/shop.html", lambda route: route.fulfill(
        body=html, content_type="text/html"))  # fmt: skip
    key, token = f"relaydesk:{world.org.widget_key}", world.visitor.token
    await page.add_init_script(f"localStorage.setItem({key!r}, {token!r}); {BACKGROUND_TAB}")
    await page.goto(f"{server.base_url}/shop.html")
    await page.locator(f"{W} .launcher").click()
    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_have_count(1)  # history shown
    await page.wait_for_function("Relaydesk.visitor() !== null")

    await page.evaluate("setHidden(true)")  # the visitor went to another tab
    await world.reply("Your parcel left this morning")
    await expect(page).to_have_title("(1) New message")
    await world.reply("It should arrive tomorrow")
    await expect(page).to_have_title("(2) New message")
    assert await page.evaluate("tones") == 2

    await page.evaluate("setHidden(false)")  # back
    await expect(page).to_have_title("Shop")
    await expect(page.locator(f"{W} li.msg[data-role=agent]")).to_have_count(2)
    await world.reply("Anything else?")  # seen at once: no notice
    await expect(page.locator(f"{W} li.msg[data-role=agent]")).to_have_count(3)
    assert await page.title() == "Shop" and await page.evaluate("tones") == 2
