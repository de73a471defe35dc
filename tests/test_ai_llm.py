"""The LLM brain against a local OpenAI-compatible server of the tests' own, over HTTP: grounded
answers with sources, streaming to the widget socket, hand_off and action tool calls, and
timeouts and errors handing off with `ai_error`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import websockets
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from relaydesk.assistant.actions import ActionSpec
from relaydesk.assistant.brain import BrainContext, Turn
from relaydesk.assistant.configuration import save_action
from relaydesk.assistant.llm import LLMBrain
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.knowledge.chunking import chunk_document
from relaydesk.knowledge.documents import SAMPLE_DIR
from relaydesk.knowledge.index import KnowledgeIndex
from relaydesk.models import Conversation, Handoff, Message
from relaydesk.settings import LLMSettings
from relaydesk.vault import Vault

from .llm_server import FakeLLM, Script, serve
from .orgs import make_org
from .support import (
    SECRET,
    RunningServer,
    WidgetClient,
    start_on_fresh_database,
    wait_for,
)

Sessions = async_sessionmaker[AsyncSession]
TIMEOUT_S = 1.0
SHIPPING = "Standard shipping within the EU takes 3 to 5 business days"


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeLLM]:
    fake = FakeLLM()
    with serve(fake.app()) as url:
        fake.base_url = f"{url}/v1"
        yield fake


def _llm_settings(fake: FakeLLM, **overrides: Any) -> LLMSettings:
    return LLMSettings(
        base_url=fake.base_url,
        model="fake-model",
        api_key="test-key",
        timeout_s=TIMEOUT_S,
        max_retries=0,
        **overrides,
    )


@pytest.fixture(scope="module")
def relaydesk(
    fake_llm: FakeLLM, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """The real app with no brain passed in: Runtime.build picks the LLM brain from settings.

    On a database of its own: the shared test server's worker (embedded brain) must not take
    these conversations' replies."""
    data_dir = tmp_path_factory.mktemp("data-llm")
    running = start_on_fresh_database(data_dir, llm=_llm_settings(fake_llm))
    yield running
    running.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def sessions(relaydesk: RunningServer) -> AsyncIterator[Sessions]:
    engine = create_engine(relaydesk.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def http(relaydesk: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=relaydesk.base_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def order_api() -> Iterator[str]:
    async def order(request: Request) -> JSONResponse:
        order_id = request.path_params["order_id"]
        return JSONResponse({"id": order_id, "status": "shipped", "carrier": {"name": "DHL"}})

    with serve(Starlette(routes=[Route("/orders/{order_id}", order)])) as url:
        yield url


async def _visitor(http: httpx.AsyncClient, sessions: Sessions) -> WidgetClient:
    org = await make_org(sessions)
    visitor = WidgetClient(http, org.widget_key)
    await visitor.start()
    return visitor


async def _handoff(sessions: Sessions, visitor: WidgetClient) -> Handoff:
    async def found() -> Handoff | None:
        async with sessions() as session:
            return await session.scalar(
                select(Handoff).where(Handoff.conversation_id == visitor.conversation_id)
            )

    return await wait_for(found, timeout=20)


def _system_prompt(request: dict[str, Any]) -> str:
    return str(request["messages"][0]["content"])


def _tool(request: dict[str, Any], name: str) -> dict[str, Any]:
    tools = {t["function"]["name"]: t["function"] for t in request.get("tools", [])}
    return tools[name]


async def test_an_answer_is_grounded_in_the_knowledge_base_with_its_source(
    http: httpx.AsyncClient, sessions: Sessions, fake_llm: FakeLLM
) -> None:
    fake_llm.script("shipping take", Script(text=f"{SHIPPING} [1]."))
    visitor = await _visitor(http, sessions)
    await visitor.send("How long does shipping take?")
    [reply] = await visitor.wait_for_reply()
    assert reply["text"] == f"{SHIPPING}."
    async with sessions() as session:
        row = await session.get(Message, reply["id"])
    assert row is not None
    assert row.sources == [{"title": "Shipping", "heading": "Delivery times"}]

    [request] = fake_llm.requests_about("shipping take")
    assert request["model"] == "fake-model" and request["stream"] is True
    assert request["messages"][0]["role"] == "system"
    assert "[1] Shipping › Delivery times" in _system_prompt(request)
    assert SHIPPING in _system_prompt(request)
    assert request["messages"][-1] == {"role": "user", "content": "How long does shipping take?"}


async def test_the_answer_streams_to_the_widget_before_the_final_message(
    relaydesk: RunningServer, http: httpx.AsyncClient, sessions: Sessions, fake_llm: FakeLLM
) -> None:
    fake_llm.script("refund arrive", Script(text="Refunds arrive within 5 business days [1]."))
    visitor = await _visitor(http, sessions)
    url = f"{relaydesk.ws_url}/api/widget/v1/ws?token={visitor.token}"
    async with websockets.connect(url) as ws:
        await visitor.send("When does my refund arrive?")
        frames: list[dict[str, Any]] = []
        while not (frames and frames[-1]["type"] == "message.created" and _by_ai(frames[-1])):
            frames.append(json.loads(await ws.recv()))
    asked = next(f["message"] for f in frames if f["type"] == "message.created")
    deltas = [f for f in frames if f["type"] == "message.delta"]
    assert len(deltas) >= 3
    assert all(d["reply_to_id"] == asked["id"] for d in deltas)
    texts = [d["text"] for d in deltas]
    assert all(later.startswith(earlier) for earlier, later in zip(texts, texts[1:], strict=False))
    final = frames[-1]["message"]
    assert final["text"] == texts[-1] == "Refunds arrive within 5 business days."


def _by_ai(frame: dict[str, Any]) -> bool:
    return bool(frame["message"]["role"] == "ai")


async def test_a_hand_off_tool_call_hands_off_with_its_reasons_and_summary(
    http: httpx.AsyncClient, sessions: Sessions, fake_llm: FakeLLM
) -> None:
    arguments = {
        "reasons": ["insufficient_tools"],
        "summary": "Visitor wants to change the contract of last year.",
        "sentiment": {"label": "angry", "score": -0.6},
        "language": "de",
    }
    fake_llm.script("Vertrag vom letzten Jahr", Script(tool=("hand_off", arguments)))
    visitor = await _visitor(http, sessions)
    await visitor.send("Ich will meinen Vertrag vom letzten Jahr ändern")
    [notice] = await visitor.wait_for_reply()
    assert "Menschen aus unserem Team" in notice["text"]

    handoff = await _handoff(sessions, visitor)
    assert handoff.reasons == ["insufficient_tools"]
    wanted, _, why = handoff.summary.splitlines()  # the model's words, then the record's
    assert wanted == f"Visitor's question: {arguments['summary']}"
    assert why == "Handed off because: the AI's actions could not do what the visitor needed"
    assert handoff.question == "Ich will meinen Vertrag vom letzten Jahr ändern"
    assert (handoff.sentiment, handoff.sentiment_score) == ("angry", -0.6)
    assert handoff.language == "de" and handoff.requested_by == "ai"
    async with sessions() as session:
        conversation = await session.get(Conversation, visitor.conversation_id)
    assert conversation is not None and conversation.state == "pending_human"

    [request] = fake_llm.requests_about("Vertrag vom letzten Jahr")
    reasons = _tool(request, "hand_off")["parameters"]["properties"]["reasons"]["items"]["enum"]
    assert "frustration" in reasons and "ai_error" not in reasons


async def test_an_action_tool_call_runs_the_action_and_renders_its_component(
    http: httpx.AsyncClient, sessions: Sessions, fake_llm: FakeLLM, order_api: str
) -> None:
    fake_llm.script("parcel 4711", Script(tool=("order_status", {"order_id": "4711"})))
    org = await make_org(sessions)
    parameters = {"type": "object", "properties": {"order_id": {"type": "string"}}}
    async with sessions() as session:
        spec = ActionSpec(
            name="order_status",
            description="Where an order is",
            url_template=order_api + "/orders/{order_id}",
            parameters=parameters,
            component="card",
            text_template="Order {order_id} is {status} with {carrier.name}.",
            allow_private_network=True,
        )
        await save_action(session, Vault(SECRET), org.id, spec)
        await commit(session)
    visitor = WidgetClient(http, org.widget_key)
    await visitor.start()
    await visitor.send("Any news on parcel 4711?")
    [reply] = await visitor.wait_for_reply()
    assert reply["text"] == "Order 4711 is shipped with DHL."
    assert reply["component"]["name"] == "card"
    assert reply["component"]["data"]["carrier"] == {"name": "DHL"}

    [request] = fake_llm.requests_about("parcel 4711")
    tool = _tool(request, "order_status")
    assert tool["description"] == "Where an order is" and tool["parameters"] == parameters


async def test_a_model_slower_than_the_timeout_hands_off_with_ai_error(
    http: httpx.AsyncClient, sessions: Sessions, fake_llm: FakeLLM
) -> None:
    fake_llm.script("slow question", Script(text="Too late.", delay_s=TIMEOUT_S * 2.5))
    visitor = await _visitor(http, sessions)
    await visitor.send("A slow question about returns")
    handoff = await _handoff(sessions, visitor)
    assert handoff.reasons == ["ai_error"]
    [notice] = await visitor.wait_for_reply()
    assert "person from our team" in notice["text"]


async def test_a_model_error_hands_off_with_ai_error(
    http: httpx.AsyncClient, sessions: Sessions, fake_llm: FakeLLM
) -> None:
    fake_llm.script("broken model", Script(status=500))
    visitor = await _visitor(http, sessions)
    await visitor.send("A question for the broken model about returns")
    handoff = await _handoff(sessions, visitor)
    assert handoff.reasons == ["ai_error"]


async def test_an_explicit_request_is_triaged_before_the_model_is_asked(
    http: httpx.AsyncClient, sessions: Sessions, fake_llm: FakeLLM
) -> None:
    visitor = await _visitor(http, sessions)
    await visitor.send("I want to talk to a human right now")
    handoff = await _handoff(sessions, visitor)
    assert handoff.reasons == ["user_requested_human_assistance"]
    assert fake_llm.requests_about("talk to a human right now") == []


def _sample_index() -> KnowledgeIndex:
    chunks = []
    for path in sorted(Path(SAMPLE_DIR).glob("*.md")):
        body = path.read_text(encoding="utf-8")
        chunks += chunk_document(body.splitlines()[0].lstrip("# "), body)
    return KnowledgeIndex(chunks)


async def test_without_streaming_answers_and_tool_calls_come_back_whole(fake_llm: FakeLLM) -> None:
    fake_llm.script("express cost", Script(text="Express shipping costs 9.90 EUR [1]."))
    fake_llm.script("money back", Script(tool=("hand_off", {"reasons": ["insufficient_tools"]})))
    async with httpx.AsyncClient() as client:
        brain = LLMBrain(_llm_settings(fake_llm, stream=False), client)

        def context(text: str) -> BrainContext:
            return BrainContext("org", [Turn("visitor", text)], _sample_index())

        answer = await brain.reply(context("What does express cost for shipping?"))
        handoff = await brain.reply(context("Can you check the money back status of order 12?"))
    assert answer.text == "Express shipping costs 9.90 EUR."
    assert [s.heading for s in answer.sources] == ["Delivery times"] and answer.answered
    assert not fake_llm.requests_about("express cost")[0].get("stream")
    assert handoff.handoff is not None and handoff.handoff.reasons == ["insufficient_tools"]
    assert handoff.handoff.language == "en" and "money back" in handoff.handoff.summary
