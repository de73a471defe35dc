"""The embedded AI end to end in real Chromium: the widget on a company page of another origin,
a real server with the sample knowledge base, and an AI action calling a service of our own."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Locator, Page, expect
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.assistant.actions import ActionSpec
from relaydesk.assistant.configuration import load_actions, load_policy, save_action
from relaydesk.assistant.embedded import NO_ANSWER
from relaydesk.assistant.policy import BALANCED
from relaydesk.assistant.wording import HANDING_OFF, OFFER_PERSON, ONLY_IN, SMALL_TALK
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.knowledge.documents import add_document
from relaydesk.models import Conversation, Handoff, Organization, OutboxJob
from relaydesk.vault import Vault

from ..admin_support import PASSWORD, make_user
from ..orgs import Org, make_org
from ..support import SECRET, RunningServer, free_port, start_on_fresh_database, wait_for
from .site import Site
from .test_widget import W, ask, company_page


class OrderService:
    """The shop's order API, which an AI action calls: records each path it was asked for."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                service.paths.append(self.path)
                order = self.path.rsplit("/", 1)[-1]
                body = json.dumps({"title": f"Order {order}", "body": "Shipped on Monday."})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def ai_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The default app (embedded brain) on a fresh SQLite database."""
    running = start_on_fresh_database(tmp_path_factory.mktemp("ai-browser"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def orders() -> Iterator[OrderService]:
    service = OrderService()
    yield service
    service.httpd.shutdown()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def sessions(ai_server: RunningServer) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(ai_server.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def shop(sessions: async_sessionmaker[AsyncSession], site: Site, orders: OrderService) -> Org:
    """The company: sample knowledge base, its site's origin allowed, an order lookup action."""
    org = await make_org(sessions, origins=[site.base_url])
    action = ActionSpec(
        name="order_status",
        url_template=f"{orders.base_url}/orders/{{order_id}}",
        component="card",
        text_template="{title}: {body}",
        triggers=("where is my order {order_id}",),
        allow_private_network=True,  # the test's service listens on loopback
    )
    async with sessions() as session:
        await save_action(session, Vault(SECRET), org.id, action)
        await commit(session)
    return org


async def open_chat(page: Page, site: Site, server: RunningServer, org: Org, name: str) -> None:
    await page.goto(site.publish(name, company_page(server, org)))
    await page.locator(f"{W} .launcher").click()
    await expect(page.locator(f"{W} .panel")).to_be_visible()
    # As a visitor would: type once the widget shows its greeting and is connected.
    await expect(page.locator(f"{W} li.greeting")).to_be_visible()
    await expect(page.locator(f"{W} .status")).to_be_hidden()


def notice(page: Page, language: str) -> Locator:
    """The message that tells the visitor a person takes over (other notes may follow it)."""
    return page.locator(f"{W} li.msg .text").filter(has_text=HANDING_OFF[language])


async def handoff_of(page: Page, sessions: async_sessionmaker[AsyncSession]) -> Handoff:
    conversation_id = await page.locator(f"{W} li.msg").first.get_attribute("data-conversation")

    async def recorded() -> Handoff | None:
        async with sessions() as session:
            found: Handoff | None = await session.scalar(
                select(Handoff).where(Handoff.conversation_id == conversation_id)
            )
            return found

    return await wait_for(recorded)


async def test_asking_for_a_human_in_english_hands_off(
    page: Page, site: Site, ai_server: RunningServer, shop: Org,
    sessions: async_sessionmaker[AsyncSession],
) -> None:  # fmt: skip
    await open_chat(page, site, ai_server, shop, "human-en.html")
    await ask(page, "I want to talk to a human")

    await expect(page.locator(f"{W} .panel")).to_have_attribute("data-state", "pending_human")
    await expect(notice(page, "en")).to_be_visible()
    handoff = await handoff_of(page, sessions)
    assert handoff.reasons == ["user_requested_human_assistance"]
    assert handoff.language == "en" and handoff.requested_by == "visitor"


async def test_asking_for_a_human_in_german_hands_off_in_german(
    page: Page, site: Site, ai_server: RunningServer, shop: Org,
    sessions: async_sessionmaker[AsyncSession],
) -> None:  # fmt: skip
    await open_chat(page, site, ai_server, shop, "human-de.html")
    await ask(page, "Ich möchte mit einem Menschen sprechen")

    await expect(page.locator(f"{W} .panel")).to_have_attribute("data-state", "pending_human")
    await expect(notice(page, "de")).to_be_visible()
    handoff = await handoff_of(page, sessions)
    assert handoff.reasons == ["user_requested_human_assistance"] and handoff.language == "de"


async def test_a_knowledge_base_question_is_answered_with_its_source(
    page: Page, site: Site, ai_server: RunningServer, shop: Org
) -> None:
    await open_chat(page, site, ai_server, shop, "shipping.html")
    await ask(page, "How long does shipping take?")

    answer = page.locator(f"{W} li.msg[data-role=ai]")
    await expect(answer.locator(".text")).to_contain_text("3 to 5 business days")
    await expect(answer.locator(".sources")).to_have_text("Source: Shipping")
    await expect(page.locator(f"{W} .panel")).to_have_attribute("data-state", "ai")


async def test_the_ai_says_goodbye_when_it_is_settled_and_the_widget_asks_for_a_rating(
    page: Page, site: Site, ai_server: RunningServer, shop: Org
) -> None:
    await open_chat(page, site, ai_server, shop, "settled.html")
    await ask(page, "How long does shipping take?")
    await expect(page.locator(f"{W} li.msg[data-role=ai] .text")).to_contain_text("business days")
    await ask(page, "Thanks, that solved it!")

    await expect(page.locator(f"{W} li.msg[data-role=ai] .text").last).to_contain_text(
        "Glad I could help"
    )
    await expect(page.locator(f"{W} .panel")).to_have_attribute("data-state", "closed")
    await expect(page.locator(f"{W} li.csat")).to_be_visible()


async def test_unknown_questions_are_answered_honestly_then_handed_off(
    page: Page, site: Site, ai_server: RunningServer, shop: Org,
    sessions: async_sessionmaker[AsyncSession],
) -> None:  # fmt: skip
    await open_chat(page, site, ai_server, shop, "unknown.html")
    await ask(page, "Do you rent out hot air balloons?")
    honest = page.locator(f"{W} li.msg[data-role=ai]")
    await expect(honest).to_have_text(NO_ANSWER)
    await expect(honest.locator(".sources")).to_have_count(0)
    await expect(page.locator(f"{W} .panel")).to_have_attribute("data-state", "ai")

    await ask(page, "Can my parrot sing along to the jingle?")
    await expect(page.locator(f"{W} .panel")).to_have_attribute("data-state", "pending_human")
    await expect(notice(page, "en")).to_be_visible()
    handoff = await handoff_of(page, sessions)
    assert handoff.reasons == ["insufficient_knowledge"] and handoff.language == "en"
    async with sessions() as session:
        conversation = await session.get(Conversation, handoff.conversation_id)
        assert conversation is not None and conversation.state == "pending_human"


async def test_an_ai_action_renders_its_component(
    page: Page, site: Site, ai_server: RunningServer, shop: Org, orders: OrderService
) -> None:
    await open_chat(page, site, ai_server, shop, "order.html")
    await ask(page, "Where is my order A-42?")

    card = page.locator(f"{W} li.msg[data-role=ai] .component[data-component=card] .card")
    await expect(card.locator("strong")).to_have_text("Order A-42")
    await expect(card.locator("p")).to_have_text("Shipped on Monday.")
    assert orders.paths == ["/orders/A-42"]


def label(page: Page, text: str) -> Locator:
    """A form field by the start of its label (the labels go on with a hint)."""
    return page.get_by_label(re.compile(r"^\s*" + re.escape(text)))


async def test_an_admin_sets_the_handoff_level_and_adds_an_action_in_the_console(
    page: Page, ai_server: RunningServer, sessions: async_sessionmaker[AsyncSession]
) -> None:
    base = ai_server.base_url
    shop = await make_org(sessions)  # its own, so the visitors' tests keep the defaults
    email = await make_user(sessions, shop.id, "admin")
    await page.goto(f"{base}/admin/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()

    await page.get_by_role("link", name="Handoff settings").click()
    await expect(label(page, "Quick handoff")).to_be_checked()
    await label(page, "Balanced").check()
    await label(page, "Handoff topics").fill("legal questions\nrefunds over 100 euros")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Saved.")
    await expect(label(page, "Balanced")).to_be_checked()

    await page.get_by_role("link", name="AI actions").click()
    await page.get_by_role("link", name="New action").click()
    await label(page, "Name").fill("stock_level")
    await label(page, "URL template").fill("https://shop.example.test/stock/{sku}")
    await label(page, "Parameters (JSON schema)").fill('{"type": "object",')
    await label(page, "Headers").fill("X-Api-Key: typed-in-the-browser")
    await label(page, "Component").fill("list")
    await label(page, "Trigger phrases").fill("is {sku} in stock")
    await page.get_by_role("button", name="Save action").click()
    await expect(page.get_by_role("alert")).to_contain_text("Parameters are not valid JSON")
    await label(page, "Parameters (JSON schema)").fill('{"type": "object"}')
    await label(page, "Headers").fill("X-Api-Key: typed-in-the-browser")
    await page.get_by_role("button", name="Save action").click()
    await expect(page.get_by_role("status")).to_have_text("Done: saved.")
    await expect(page.locator("table.list")).to_contain_text("stock_level")
    await page.get_by_role("link", name="stock_level").click()
    await expect(label(page, "Headers")).to_have_value("")
    assert "typed-in-the-browser" not in await page.content()

    async with sessions() as session:
        policy = await load_policy(session, shop.id)
        actions = {a.name: a for a in await load_actions(session, Vault(SECRET), shop.id)}
    assert policy.level == BALANCED
    assert policy.topics == ("legal questions", "refunds over 100 euros")
    assert actions["stock_level"].headers == {"X-Api-Key": "typed-in-the-browser"}
    assert actions["stock_level"].triggers == ("is {sku} in stock",)


async def test_greetings_and_thanks_get_answers_and_never_reach_hubspot(
    page: Page, site: Site, ai_server: RunningServer, shop: Org,
    sessions: async_sessionmaker[AsyncSession],
) -> None:  # fmt: skip
    await open_chat(page, site, ai_server, shop, "small-talk.html")
    answers = page.locator(f"{W} li.msg[data-role=ai] .text")
    for n, (text, kind) in enumerate(
        [("Hi", "greeting"), ("Hello?", "presence"), ("thanks", "thanks")], start=1
    ):
        await ask(page, text)
        await expect(answers).to_have_count(n)
        await expect(answers.nth(n - 1)).to_have_text(SMALL_TALK[kind]["en"])
    await expect(page.locator(f"{W} .panel")).to_have_attribute("data-state", "ai")

    conversation_id = await page.locator(f"{W} li.msg").first.get_attribute("data-conversation")
    async with sessions() as session:
        handoffs = await session.scalar(
            select(func.count()).where(Handoff.conversation_id == conversation_id)
        )
        hubspot_jobs = await session.scalar(
            select(func.count()).where(
                OutboxJob.kind.like("hubspot.%"), OutboxJob.ordering_key == conversation_id
            )
        )
    assert handoffs == 0 and hubspot_jobs == 0  # no contact, ticket or thread for a greeting


@pytest_asyncio.fixture(loop_scope="session")
async def german(browser: Browser) -> AsyncIterator[Page]:
    """A visitor whose browser speaks German (navigator.language is de-DE)."""
    context = await browser.new_context(locale="de-DE")
    yield await context.new_page()
    await context.close()


async def test_a_german_visitor_is_answered_from_a_german_article(
    german: Page, site: Site, ai_server: RunningServer,
    sessions: async_sessionmaker[AsyncSession],
) -> None:  # fmt: skip
    org = await make_org(sessions, origins=[site.base_url])
    async with sessions() as session:
        organization = await session.get(Organization, org.id)
        assert organization is not None
        await add_document(
            session,
            organization,
            "Versand",
            "# Versand\n\n## Lieferzeit\nDer Versand innerhalb Deutschlands dauert zwei bis "
            "drei Werktage.",
        )
        await commit(session)
    await open_chat(german, site, ai_server, org, "versand-de.html")
    await ask(german, "Hallo")
    answer = german.locator(f"{W} li.msg[data-role=ai]")
    await expect(answer.locator(".text")).to_have_text(SMALL_TALK["greeting"]["de"])
    await ask(german, "Wie lange dauert der Versand?")
    await expect(answer.nth(1).locator(".text")).to_contain_text("zwei bis drei Werktage")
    await expect(answer.nth(1).locator(".sources")).to_contain_text("Versand")


async def test_a_german_visitor_hears_in_german_that_help_is_in_english_and_is_offered_a_person(
    german: Page, site: Site, ai_server: RunningServer, shop: Org,
    sessions: async_sessionmaker[AsyncSession],
) -> None:  # fmt: skip
    await open_chat(german, site, ai_server, shop, "versand-en.html")
    await ask(german, "Wie lange dauert der Versand?")
    answer = german.locator(f"{W} li.msg[data-role=ai] .text")
    sorry = ONLY_IN["de"].format(languages="Englisch")
    await expect(answer).to_have_text(f"{sorry} {OFFER_PERSON['de']}")
    await expect(german.locator(f"{W} .panel")).to_have_attribute("data-state", "ai")

    await ask(german, "Ja, gerne")
    await expect(german.locator(f"{W} .panel")).to_have_attribute("data-state", "pending_human")
    await expect(notice(german, "de")).to_be_visible()
    handoff = await handoff_of(german, sessions)
    assert handoff.reasons == ["user_requested_human_assistance"] and handoff.language == "de"
