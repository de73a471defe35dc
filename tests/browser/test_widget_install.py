"""Installing the widget as the README says, on a company site of another origin: calls made
right after the async loader tag, a send made offline, and a site the organization does not
allow."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from relaydesk.db import create_engine, session_factory
from relaydesk.widget_settings import HOST_STUB

from ..orgs import Org, make_org
from ..support import RunningServer, start_on_fresh_database, wait_for
from .site import Site
from .test_widget import ShopBrain, W, ask, identity_token, server_history

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_on_fresh_database(tmp_path_factory.mktemp("install"), ShopBrain())
    yield running
    running.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def orgs(server: RunningServer, site: Site) -> AsyncIterator[tuple[Org, Org]]:
    """The shop, which allows its site, and a company that allows only its own domain."""
    engine = create_engine(server.settings.database_url)
    sessions = session_factory(engine)
    yield (
        await make_org(sessions, origins=[site.base_url]),
        await make_org(sessions, origins=["https://elsewhere.example.com"], sample_kb=False),
    )
    await engine.dispose()


def readme_snippet(server: RunningServer, org: Org) -> str:
    """The install snippet exactly as the README shows it, for this server and organization."""
    found = re.search(r"```html\n(.*?loader\.js.*?)```", README.read_text("utf-8"), re.S)
    assert found, "the README shows no install snippet"
    snippet = found.group(1)
    assert HOST_STUB in snippet  # the admin's Widget page shows the same stub
    return snippet.replace("https://relaydesk.example.com", server.base_url).replace(
        "YOUR_KEY", org.widget_key
    )


def page_with(snippet: str, after: str = "") -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Account</title></head>
<body><h1>Your account</h1>{snippet}{after}</body></html>"""


async def test_identify_right_after_the_async_loader_gives_a_verified_visitor(
    page: Page, site: Site, server: RunningServer, orgs: tuple[Org, Org]
) -> None:
    shop, _ = orgs
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    token = await identity_token(server, shop, "ada@example.com")
    calls = f"""<script>
window.readied = null;
Relaydesk.on('ready', r => {{ window.readied = r; }});
Relaydesk.identify({token!r});
window.before = Relaydesk.visitor();
</script>"""
    await page.goto(site.publish("account.html", page_with(readme_snippet(server, shop), calls)))

    await page.wait_for_function("Relaydesk.visitor() && Relaydesk.visitor().verified === true")
    visitor = await page.evaluate("Relaydesk.visitor()")
    assert set(visitor) == {"id", "verified", "email", "name"}
    assert (visitor["email"], visitor["verified"]) == ("ada@example.com", True)
    assert await page.evaluate("window.before") is None  # no session before the widget loaded
    await page.wait_for_function("window.readied !== null")
    assert (await page.evaluate("readied.visitor"))["verified"] is True
    assert await page.evaluate("'q' in Relaydesk") is False  # the queue was replayed
    assert errors == []
    await expect(page.locator(f"{W} .panel")).to_be_hidden()  # identifying opens nothing


async def test_messages_sent_offline_go_out_once_each_and_in_order_when_back_online(
    page: Page, site: Site, server: RunningServer, orgs: tuple[Org, Org]
) -> None:
    shop, _ = orgs
    await page.goto(site.publish("offline-send.html", page_with(readme_snippet(server, shop))))
    await page.locator(f"{W} .launcher").click()
    await page.wait_for_function("Relaydesk.visitor() !== null")  # the session has started
    await page.context.set_offline(True)
    await ask(page, "How long does shipping take?")
    await ask(page, "What plans do you have?")
    sent = page.locator(f"{W} li.msg[data-role=visitor]")
    await expect(sent.nth(1)).to_have_attribute("data-status", "failed", timeout=20_000)

    await page.context.set_offline(False)  # and no click on Retry
    await expect(sent).to_have_count(2)
    for n in (0, 1):
        await expect(sent.nth(n)).to_have_attribute("data-status", "sent")
    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_have_count(2)

    async def stored() -> list[str] | None:
        messages = (await server_history(page, server, shop))["messages"]
        texts = [m["text"] for m in messages if m["role"] == "visitor"]
        return texts if len(messages) >= 4 else None

    assert await wait_for(stored) == ["How long does shipping take?", "What plans do you have?"]


async def test_on_an_origin_the_organization_does_not_allow_nothing_is_mounted(
    page: Page, site: Site, server: RunningServer, orgs: tuple[Org, Org]
) -> None:
    _, strict = orgs
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    url = site.publish("not-allowed.html", page_with(readme_snippet(server, strict)))
    async with page.expect_response(lambda r: "/api/widget/v1/config" in r.url) as config:
        await page.goto(url)
    assert (await config.value).status == 403

    async def warned() -> bool:
        return any("not allowed" in w for w in warnings)

    await wait_for(warned)  # for the site's developer, in the console
    await page.evaluate("Relaydesk.open(); Relaydesk.send('Hello?')")  # the page's calls too
    assert await page.locator("relaydesk-widget").count() == 0
    assert "not allowed" not in await page.locator("body").inner_text()
    assert not [r for r in warnings if "widget.js" in r]
