"""The widget shows an LLM's answer as it streams in (`message.delta`), in a provisional bubble
that the final message replaces; real Chromium, the LLM brain, a local OpenAI-compatible fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from relaydesk.settings import LLMSettings

from ..llm_server import FakeLLM, Script, serve
from ..orgs import Org
from ..support import RunningServer, start_on_fresh_database
from .site import Site, org_embedded_on
from .test_widget import W, ask, company_page


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeLLM]:
    fake = FakeLLM()
    with serve(fake.app()) as url:
        fake.base_url = f"{url}/v1"
        yield fake


@pytest.fixture(scope="module")
def llm_server(
    fake_llm: FakeLLM, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    llm = LLMSettings(base_url=fake_llm.base_url, model="fake-model", timeout_s=5, max_retries=0)
    running = start_on_fresh_database(tmp_path_factory.mktemp("browser-llm"), llm=llm)
    yield running
    running.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def shop(llm_server: RunningServer, site: Site) -> Org:
    return await org_embedded_on(llm_server, site)


async def test_a_streamed_answer_shows_as_it_arrives_then_as_the_final_message(
    page: Page, site: Site, llm_server: RunningServer, shop: Org, fake_llm: FakeLLM
) -> None:
    answer = "Standard shipping within the EU takes 3 to 5 business days [1]."
    fake_llm.script("shipping take", Script(text=answer, word_delay_s=0.15))
    await page.goto(site.publish("stream.html", company_page(llm_server, shop)))
    await page.locator(f"{W} .launcher").click()
    await ask(page, "How long does shipping take?")

    draft = page.locator(f"{W} li.msg[data-role=ai][data-draft]")
    await expect(draft).to_contain_text("Standard shipping")
    assert await draft.get_attribute("data-draft") == await page.locator(
        f"{W} li.msg[data-role=visitor]"
    ).get_attribute("data-id")

    final = page.locator(f"{W} li.msg[data-role=ai][data-seq]")
    await expect(final).to_contain_text("3 to 5 business days.")
    await expect(draft).to_have_count(0)
    await expect(page.locator(f"{W} li.msg")).to_have_count(2)
