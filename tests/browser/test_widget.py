"""The widget in real Chromium, installed by its script tag on a company page of another origin."""

from __future__ import annotations

import asyncio
import contextlib
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, Route, WebSocketRoute, expect

from relaydesk.assistant.brain import BrainContext, BrainReply
from relaydesk.assistant.embedded import EmbeddedBrain

from ..orgs import Org
from ..support import RunningServer, start_on_fresh_database, wait_for
from .site import Site, org_embedded_on

W = "relaydesk-widget"  # Playwright's CSS engine pierces the widget's open shadow root


class ShopBrain:
    """The embedded brain plus what an admin's AI actions would add: components, a slow lookup."""

    def __init__(self) -> None:
        self.embedded = EmbeddedBrain()

    async def reply(self, context: BrainContext) -> BrainReply:
        question = context.question.lower()
        if "order" in question:
            data = {"order": "A-42", "status": "shipped"}
            return BrainReply(
                "Here is what I found.",
                component={"name": "order_status", "data": data, "text": "Order A-42 has shipped."},
            )
        if "size" in question:
            return BrainReply(
                "Which size do you need?",
                component={
                    "name": "buttons",
                    "data": {"buttons": [{"label": "Medium", "value": "Size M please"}]},
                    "text": "Medium?",
                },
            )
        if "gift" in question:
            return BrainReply(
                "",
                component={
                    "name": "gift_card",
                    "data": {"amount": 50},
                    "text": "A 50 EUR gift card.",
                },
            )
        if "slow" in question:
            await asyncio.sleep(1.5)
            return BrainReply("Thanks for waiting: it is on its way.")
        if question.startswith("later"):
            await asyncio.sleep(0.4)
            return BrainReply(f"Answer to {context.question}")
        return await self.embedded.reply(context)


@pytest.fixture(scope="module")
def widget_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_on_fresh_database(tmp_path_factory.mktemp("browser"), ShopBrain())
    yield running
    running.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def shop(widget_server: RunningServer, site: Site) -> Org:
    """The company: its widget may be embedded on its own site's origin."""
    return await org_embedded_on(widget_server, site)


def company_page(server: RunningServer, org: Org, head: str = "") -> str:
    # Hostile page styles: the widget's shadow DOM must not be affected by them.
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<style>* {{ font-family: serif; color: red; }} li {{ display: inline; }}</style>{head}</head>
<body><h1>Shop help</h1>
<script src="{server.base_url}/static/loader.js" data-widget-key="{org.widget_key}" async></script>
</body></html>"""


ORDER_COMPONENT = """<script>
addEventListener('relaydesk:loaded', () => {
  Relaydesk.registerComponent('order_status', (data, ui) => {
    const box = document.createElement('div');
    box.className = 'order';
    box.textContent = `${data.order}: ${data.status}`;
    const track = document.createElement('button');
    track.textContent = 'Track it';
    track.onclick = () => ui.send(`Track order ${data.order}`);
    box.append(track);
    return box;
  });
});
</script>"""


async def server_history(page: Page, server: RunningServer, org: Org) -> dict[str, Any]:
    """What the server holds for the page's visitor and its first shown conversation."""
    token = await page.evaluate(f"localStorage.getItem('relaydesk:{org.widget_key}')")
    conversation = await page.locator(f"{W} li.msg").first.get_attribute("data-conversation")
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        answer = await http.get(
            f"/api/widget/v1/conversations/{conversation}/messages",
            headers={"authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 200, answer.text
    history: dict[str, Any] = answer.json()
    return history


async def ask(page: Page, text: str) -> None:
    await page.locator(f"{W} textarea").fill(text)
    await page.locator(f"{W} textarea").press("Enter")


async def seqs(page: Page) -> list[str | None]:
    return [await li.get_attribute("data-seq") for li in await page.locator(f"{W} li.msg").all()]


async def test_visitor_gets_an_answer_and_finds_the_conversation_after_reload(
    page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    await page.goto(site.publish("help.html", company_page(widget_server, shop)))
    await page.locator(f"{W} .launcher").click()
    await expect(page.locator(f"{W} .panel")).to_be_visible()
    await ask(page, "How long does shipping take?")

    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_contain_text("3 to 5 business days")
    visitor = page.locator(f"{W} li.msg[data-role=visitor]")
    await expect(visitor).to_have_attribute("data-status", "sent")
    await expect(visitor).to_have_attribute("data-seq", "1")

    await page.reload()
    await page.locator(f"{W} .launcher").click()
    await expect(page.locator(f"{W} li.msg")).to_have_count(2)
    assert await seqs(page) == ["1", "2"]
    await expect(visitor).to_have_text("How long does shipping take?")


async def test_component_registered_by_the_host_page_renders_and_can_send(
    page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    url = site.publish("orders.html", company_page(widget_server, shop, ORDER_COMPONENT))
    await page.goto(url)
    await page.locator(f"{W} .launcher").click()
    await ask(page, "Where is my order?")

    order = page.locator(f"{W} .component[data-component=order_status] .order")
    await expect(order).to_have_text("A-42: shippedTrack it")
    await order.get_by_role("button", name="Track it").click()
    await expect(page.locator(f"{W} li.msg[data-role=visitor]").nth(1)).to_have_text(
        "Track order A-42"
    )
    await expect(page.locator(f"{W} .order")).to_have_count(2)  # answered again, once


async def test_builtin_buttons_send_their_value_and_unknown_components_show_text(
    page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    await page.goto(site.publish("sizes.html", company_page(widget_server, shop)))
    await page.locator(f"{W} .launcher").click()
    await ask(page, "Do you have this in my size?")
    await page.locator(f"{W} .buttons button", has_text="Medium").click()
    await expect(page.locator(f"{W} li.msg[data-role=visitor]").nth(1)).to_have_text(
        "Size M please"
    )

    await ask(page, "Can I buy a gift card?")
    await expect(page.locator(f"{W} .component[data-component=gift_card]")).to_have_text(
        "A 50 EUR gift card."
    )


async def test_host_page_drives_the_widget_through_its_js_api(
    page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    await page.goto(site.publish("api.html", company_page(widget_server, shop)))
    await page.wait_for_function("window.Relaydesk")
    await page.evaluate(
        """() => {
        window.seen = [];
        for (const name of ['ready', 'open', 'close']) Relaydesk.on(name, () => seen.push(name));
        Relaydesk.on('message', m => seen.push(m));
        const off = Relaydesk.on('message', () => seen.push('unsubscribed listener called'));
        off();
        Relaydesk.open();
        Relaydesk.send('How do I reset my password?');
    }"""
    )
    await expect(page.locator(f"{W} .panel")).to_be_visible()
    await page.wait_for_function("seen.some(m => m.role === 'ai')")
    seen = await page.evaluate("seen")
    assert seen[:2] == ["open", "ready"]
    question, answer = [m for m in seen if isinstance(m, dict)]
    assert question["role"] == "visitor" and question["text"] == "How do I reset my password?"
    assert answer["seq"] == question["seq"] + 1
    assert set(answer) >= {"id", "authorName", "createdAt", "attachments", "component"}
    assert "unsubscribed listener called" not in seen

    await page.evaluate("Relaydesk.close()")
    await expect(page.locator(f"{W} .panel")).to_be_hidden()
    assert (await page.evaluate("seen"))[-1] == "close"


async def test_answer_arriving_while_closed_shows_an_unread_badge(
    page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    await page.goto(site.publish("badge.html", company_page(widget_server, shop)))
    await page.wait_for_function("window.Relaydesk")
    await page.evaluate("Relaydesk.send('What plans do you have?')")
    badge = page.locator(f"{W} .badge")
    await expect(badge).to_have_text("1")
    await page.locator(f"{W} .launcher").click()
    await expect(badge).to_be_hidden()


async def test_failed_send_is_retried_with_the_same_client_id(
    page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    await page.goto(site.publish("retry.html", company_page(widget_server, shop)))
    await page.locator(f"{W} .launcher").click()
    await page.route("**/api/widget/v1/messages", lambda route: route.abort())
    await ask(page, "How long does shipping take?")
    failed = page.locator(f"{W} li.msg[data-status=failed]")
    await expect(failed.locator(".retry")).to_be_visible()
    client_id = await failed.get_attribute("data-client-id")

    await page.unroute("**/api/widget/v1/messages")
    await failed.locator(".retry").click()
    sent = page.locator(f"{W} li.msg[data-client-id='{client_id}']")
    await expect(sent).to_have_attribute("data-status", "sent")
    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_have_count(1)


async def test_lost_answer_to_a_send_never_shows_the_message_twice(
    page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    async def lose_answer(route: Route) -> None:
        await route.fetch()  # the server stores the message (every retry: same client_id)…
        await route.abort()  # …but its answer never reaches the browser

    await page.goto(site.publish("lost.html", company_page(widget_server, shop)))
    await page.locator(f"{W} .launcher").click()
    await expect(page.locator(f"{W} .status")).to_be_hidden()  # the socket is live
    await page.route("**/api/widget/v1/messages", lose_answer)
    await ask(page, "What plans do you have?")

    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_have_count(1)
    await expect(page.locator(f"{W} li.msg[data-role=visitor]")).to_have_attribute(
        "data-status", "sent"
    )
    assert await seqs(page) == ["1", "2"]


async def test_answer_missed_while_offline_is_fetched_on_reconnect(
    page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    await page.goto(site.publish("offline.html", company_page(widget_server, shop)))
    await page.locator(f"{W} .launcher").click()
    await ask(page, "This will be a slow one")
    await expect(page.locator(f"{W} li.msg[data-role=visitor]")).to_have_attribute(
        "data-status", "sent"
    )
    await page.context.set_offline(True)

    async def answered() -> bool:
        history = await server_history(page, widget_server, shop)
        return any(m["role"] == "ai" for m in history["messages"])

    await wait_for(answered)
    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_have_count(0)
    await page.context.set_offline(False)
    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_have_text(
        "Thanks for waiting: it is on its way."
    )
    assert await seqs(page) == ["1", "2"]


async def test_three_answers_pushed_while_cut_off_arrive_once_and_in_order(
    page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    await page.goto(site.publish("cut.html", company_page(widget_server, shop)))
    await page.locator(f"{W} .launcher").click()
    for n in (1, 2, 3):
        await ask(page, f"later {n}")
    sent = page.locator(f"{W} li.msg[data-role=visitor][data-status=sent]")
    await expect(sent).to_have_count(3)
    await page.context.set_offline(True)  # the socket drops while the answers are pushed

    async def all_answered() -> bool:
        history = await server_history(page, widget_server, shop)
        return len([m for m in history["messages"] if m["role"] == "ai"]) == 3

    await wait_for(all_answered)
    assert await page.locator(f"{W} li.msg[data-role=ai]").count() < 3
    await page.context.set_offline(False)
    answers = page.locator(f"{W} li.msg[data-role=ai]")
    await expect(answers).to_have_text(
        ["Answer to later 1", "Answer to later 2", "Answer to later 3"]
    )
    assert await seqs(page) == ["1", "2", "3", "4", "5", "6"]


async def test_visitor_ends_the_conversation_rates_it_and_starts_afresh(
    page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    await page.goto(site.publish("end.html", company_page(widget_server, shop)))
    await page.wait_for_function("window.Relaydesk")
    await page.evaluate(
        "() => { window.ended = []; Relaydesk.on('conversation.closed', c => ended.push(c)); }"
    )
    await page.locator(f"{W} .launcher").click()
    await ask(page, "How long does shipping take?")
    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_have_count(1)
    first = await page.locator(f"{W} li.msg").first.get_attribute("data-conversation")

    await page.locator(f"{W} .end").click()
    await expect(page.locator(f"{W} li.msg[data-role=system]")).to_have_text(
        "This conversation has ended."
    )
    await expect(page.locator(f"{W} .panel")).to_have_attribute("data-state", "closed")
    await page.wait_for_function("ended.length === 1")
    assert await page.evaluate("ended") == [{"conversationId": first}]

    card = page.locator(f"{W} li.csat")
    await card.locator("[data-score='2']").click()
    await card.locator("textarea.comment").fill("It took too long.")
    await card.locator("button.rate").click()
    await expect(card).to_have_text("Thanks for your feedback!")
    assert (await server_history(page, widget_server, shop))["conversation"]["csat_score"] == 2

    await ask(page, "What plans do you have?")
    second = page.locator(f"{W} li.msg[data-role=visitor]").nth(1)
    await expect(second).to_have_attribute("data-status", "sent")
    assert await second.get_attribute("data-conversation") != first
    await expect(page.locator(f"{W} .end")).to_be_visible()

    await page.reload()
    await page.locator(f"{W} .launcher").click()
    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_have_text(re.compile("Starter plan"))
    await expect(page.locator(f"{W} li.csat")).to_have_count(0)


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def test_upload_over_the_limit_is_refused_before_upload_and_an_image_is_shown(
    page: Page, site: Site, widget_server: RunningServer, shop: Org, tmp_path: Path
) -> None:
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if "/uploads" in r.url else None)
    await page.goto(site.publish("upload.html", company_page(widget_server, shop)))
    await page.locator(f"{W} .launcher").click()
    limit = widget_server.settings.limits.max_upload_bytes
    big = tmp_path / "scan.pdf"  # a path Chromium reads, not 10 MB through Playwright's pipe
    big.write_bytes(b"%" * (limit + 1))
    await page.locator(f"{W} input[type=file]").set_input_files([big])
    await expect(page.locator(f"{W} .error")).to_have_text("scan.pdf is too large (limit 10 MB).")
    assert uploads == []

    photo = {"name": "photo.png", "mimeType": "image/png", "buffer": tiny_png()}
    await page.locator(f"{W} input[type=file]").set_input_files([photo])
    image = page.locator(f"{W} li.msg[data-role=visitor] a.file img")
    await expect(image).to_have_attribute("alt", "photo.png")
    assert await image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 1


async def identity_token(server: RunningServer, org: Org, email: str) -> str:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        answer = await http.post(
            "/api/v1/identity-tokens",
            json={"email": email},
            headers={"authorization": f"Bearer {org.api_key}"},
        )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["identity_token"])


async def verified_visitor_asked(
    page: Page, site: Site, server: RunningServer, org: Org, email: str
) -> str:
    """A verified visitor asks about a parcel and gets the AI's answer on `page`; returns the
    page's URL (the same site, for the visitor's other browser)."""
    url = site.publish("account.html", company_page(server, org))
    await page.goto(url)
    await page.wait_for_function("window.Relaydesk")
    token = await identity_token(server, org, email)
    await page.evaluate("t => { Relaydesk.identify(t); Relaydesk.open(); }", token)
    await ask(page, "Where is my parcel?")
    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_have_count(1)
    return url


async def test_identified_visitor_sees_their_history_in_another_browser(
    browser: Browser, page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    url = await verified_visitor_asked(page, site, widget_server, shop, "ada@example.com")

    laptop = await browser.new_context()
    other = await laptop.new_page()
    await other.goto(url)
    await other.locator(f"{W} .launcher").click()  # anonymous first: nothing to show
    await expect(other.locator(f"{W} .status")).to_be_hidden()
    await expect(other.locator(f"{W} li.msg")).to_have_count(0)
    token = await identity_token(widget_server, shop, "ada@example.com")
    await other.evaluate("t => Relaydesk.identify(t)", token)
    await expect(other.locator(f"{W} li.msg[data-role=visitor]")).to_have_text(
        "Where is my parcel?"
    )
    await expect(other.locator(f"{W} li.msg")).to_have_count(2)
    await laptop.close()


async def test_identify_while_the_first_session_is_starting_keeps_the_identity(
    browser: Browser, page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    url = await verified_visitor_asked(page, site, widget_server, shop, "grace@example.com")

    # The anonymous session's answer arrives only after the page called identify().
    laptop = await browser.new_context()
    other = await laptop.new_page()
    held, release = asyncio.Event(), asyncio.Event()

    async def hold_first(route: Route) -> None:
        if not held.is_set():
            held.set()
            await release.wait()
        await route.continue_()

    await other.route("**/api/widget/v1/sessions", hold_first)
    await other.goto(url)
    await other.locator(f"{W} .launcher").click()
    await asyncio.wait_for(held.wait(), 10)
    token = await identity_token(widget_server, shop, "grace@example.com")
    await other.evaluate("t => { Relaydesk.identify(t); }", token)
    release.set()
    await expect(other.locator(f"{W} li.msg[data-role=visitor]")).to_have_text(
        "Where is my parcel?"
    )
    await expect(other.locator(f"{W} li.profile")).to_be_hidden()  # verified: no "About you"
    await laptop.close()


async def test_a_reconnect_while_identify_runs_does_not_take_the_identity_back(
    browser: Browser, page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    """The socket drops and its reconnect starts an anonymous session just as the page calls
    identify(). The anonymous answer is held a second for the verified one to overtake it (it
    did, before session starts were queued): the page stays verified and writes into the
    verified visitor's conversation."""
    url = await verified_visitor_asked(page, site, widget_server, shop, "hedy@example.com")
    verified = await page.locator(f"{W} li.msg").first.get_attribute("data-conversation")

    laptop = await browser.new_context()
    other = await laptop.new_page()
    sockets: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    greeted = asyncio.Event()  # the widget has its first hello: the next one is a reconnect's
    other.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda f: '"hello"' in str(f) and greeted.set()),
    )
    await other.route_web_socket(re.compile(r".*/ws\?token=.*"), through)
    await other.goto(url)
    await other.locator(f"{W} .launcher").click()
    await expect(other.locator(f"{W} li.profile")).to_be_visible()  # anonymous
    await asyncio.wait_for(greeted.wait(), 15)

    held, identified, delivered = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def anonymous_answer_last(route: Route) -> None:
        answer = await route.fetch()
        if held.is_set():  # identify()'s session
            await route.fulfill(response=answer)
            identified.set()
            return
        held.set()  # the reconnect's: the server answered for the anonymous visitor…
        with contextlib.suppress(TimeoutError):  # …and, if identify() asks meanwhile,
            await asyncio.wait_for(identified.wait(), 1.0)
        await asyncio.sleep(0.2)
        await route.fulfill(response=answer)  # …the page hears it after the verified one
        delivered.set()

    await other.route("**/api/widget/v1/sessions", anonymous_answer_last)
    await sockets[0].close()  # the reconnect's hello starts a session
    await asyncio.wait_for(held.wait(), 15)
    token = await identity_token(widget_server, shop, "hedy@example.com")
    await other.evaluate("t => { Relaydesk.identify(t); }", token)
    await asyncio.wait_for(identified.wait(), 15)
    await expect(other.locator(f"{W} li.msg[data-role=visitor]")).to_have_text(
        "Where is my parcel?"
    )
    await asyncio.wait_for(delivered.wait(), 15)
    await other.wait_for_timeout(300)  # the page has read the late anonymous answer
    await ask(other, "Still there?")
    sent = other.locator(f"{W} li.msg[data-role=visitor]").last
    await expect(sent).to_have_attribute("data-status", "sent")
    assert await sent.get_attribute("data-conversation") == verified
    await expect(other.locator(f"{W} li.profile")).to_be_hidden()
    await laptop.close()


async def server_visitor(page: Page, server: RunningServer, org: Org, site: Site) -> dict[str, Any]:
    """The visitor the server holds for the page's stored visitor token."""
    token = await page.evaluate(f"localStorage.getItem('relaydesk:{org.widget_key}')")
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        answer = await http.post(
            "/api/widget/v1/sessions",
            json={"widget_key": org.widget_key, "visitor_token": token},
            headers={"origin": site.base_url},
        )
    assert answer.status_code == 200, answer.text
    visitor: dict[str, Any] = answer.json()["visitor"]
    return visitor


async def test_anonymous_visitor_leaves_name_and_email_stored_unverified(
    page: Page, site: Site, widget_server: RunningServer, shop: Org
) -> None:
    await page.goto(site.publish("about.html", company_page(widget_server, shop)))
    await page.wait_for_function("window.Relaydesk")
    await page.evaluate(
        "() => { window.profiles = []; Relaydesk.on('profile', p => profiles.push(p)); }"
    )
    await page.locator(f"{W} .launcher").click()
    profile = page.locator(f"{W} li.profile")
    await expect(profile).to_have_attribute("data-state", "offer")
    await profile.locator(".profile-open").click()
    await profile.locator("input.profile-name").fill("Ada")
    await profile.locator("input.profile-email").fill("ada@example.com")
    await profile.locator("button.profile-save").click()

    who = profile.locator(".profile-who .who")
    await expect(who).to_have_text("Chatting as Ada · ada@example.com")
    await expect(profile.locator(".profile-form")).to_be_hidden()
    assert await page.evaluate("profiles") == [{"name": "Ada", "email": "ada@example.com"}]
    visitor = await server_visitor(page, widget_server, shop, site)
    assert (visitor["name"], visitor["email"], visitor["verified"]) == (
        "Ada",
        "ada@example.com",
        False,
    )

    await page.reload()
    await page.locator(f"{W} .launcher").click()
    await expect(who).to_have_text("Chatting as Ada · ada@example.com")
    await expect(profile).to_have_attribute("data-state", "saved")
    await expect(profile.locator(".profile-form")).to_be_hidden()
    await expect(profile.locator(".profile-open")).to_be_hidden()
