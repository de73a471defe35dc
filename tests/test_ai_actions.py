"""AI actions: triggered by a phrase with a slot, run against an HTTP server of the test's own,
rendered as a component with a text form; private addresses refused unless allowed; what the
server refuses (404, 422) told to the visitor, handed off only the second time or on a 5xx."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from relaydesk.assistant.actions import ActionFailed, ActionRunner, ActionSpec, match_trigger
from relaydesk.assistant.configuration import save_action
from relaydesk.db import commit
from relaydesk.models import AiAction, Handoff
from relaydesk.vault import Vault

from .orgs import Org, make_org
from .support import SECRET, WidgetClient, free_port, wait_for

Sessions = async_sessionmaker[AsyncSession]


async def _order(request: Request) -> JSONResponse:
    if request.headers.get("authorization") != "Bearer shop-token":
        return JSONResponse({"error": "unauthorized"}, status_code=401)
    order_id = request.path_params["order_id"]
    if not order_id.isdigit():
        return JSONResponse({"error": "an order number is digits"}, status_code=422)
    if order_id.startswith("99"):
        return JSONResponse({"error": "no such order"}, status_code=404)
    if order_id == "500":
        return JSONResponse({"error": "database down"}, status_code=500)
    return JSONResponse({"id": order_id, "status": "shipped", "carrier": {"name": "DHL"}})


@pytest.fixture(scope="module")
def order_api() -> Iterator[str]:
    port = free_port()
    app = Starlette(routes=[Route("/orders/{order_id}", _order)])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def _order_status(base_url: str, *, allow_private: bool = True) -> ActionSpec:
    return ActionSpec(
        name="order_status",
        description="Where an order is",
        url_template=base_url + "/orders/{order_id}",
        parameters={"type": "object", "properties": {"order_id": {"type": "string"}}},
        headers={"Authorization": "Bearer shop-token"},
        component="card",
        text_template="Order {order_id} is {status} with {carrier.name}.",
        triggers=("where is my order {order_id}", "wo ist meine Bestellung {order_id}"),
        allow_private_network=allow_private,
    )


async def test_a_trigger_phrase_runs_the_action_and_renders_its_component(
    client: httpx.AsyncClient, org: Org, db: Sessions, order_api: str
) -> None:
    async with db() as session:
        await save_action(session, Vault(SECRET), org.id, _order_status(order_api))
        await commit(session)
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    await visitor.send("Hi, where is my order #4711?")
    [reply] = await visitor.wait_for_reply()
    assert reply["text"] == "Order 4711 is shipped with DHL."
    assert reply["component"]["name"] == "card"
    assert reply["component"]["data"]["status"] == "shipped"
    assert reply["component"]["text"] == reply["text"]

    async with db() as session:
        row = await session.scalar(select(AiAction).where(AiAction.organization_id == org.id))
    assert row is not None and row.headers_enc and "shop-token" not in row.headers_enc


def test_trigger_phrases_fill_their_slots() -> None:
    spec = _order_status("https://shop.example")
    found = match_trigger("WO IST MEINE BESTELLUNG 8812?", [spec])
    assert found is not None and found[1] == {"order_id": "8812"}
    assert match_trigger("where is the order form", [spec]) is None


async def test_private_addresses_are_refused_unless_allowed(order_api: str) -> None:
    async with httpx.AsyncClient() as http:
        runner = ActionRunner(http, timeout_s=5, private_networks=["127.0.0.0/8"])
        with pytest.raises(ActionFailed, match="private address"):
            await runner.run(_order_status(order_api, allow_private=False), {"order_id": "1"})
        with pytest.raises(ActionFailed, match="private address"):
            spec = _order_status("http://localhost:9", allow_private=False)
            await runner.run(spec, {"order_id": "1"})
        result = await runner.run(_order_status(order_api), {"order_id": "7"})
    assert result.text == "Order 7 is shipped with DHL."


async def test_a_tenant_cannot_reach_private_networks_the_operator_did_not_allow(
    order_api: str,
) -> None:
    """The outside probe's cross-tenant SSRF: an organization's admin ticked "allow private
    network" and read the instance's own services. The operator decides, not the tenant."""
    async with httpx.AsyncClient() as http:
        operator_allows_none = ActionRunner(http, timeout_s=5)
        with pytest.raises(ActionFailed, match="operator allows"):
            await operator_allows_none.run(_order_status(order_api), {"order_id": "1"})
        elsewhere = ActionRunner(http, timeout_s=5, private_networks=["10.0.0.0/8"])
        with pytest.raises(ActionFailed, match="operator allows"):
            await elsewhere.run(_order_status(order_api), {"order_id": "1"})


async def test_a_failing_action_hands_off_with_ai_error(
    client: httpx.AsyncClient, db: Sessions
) -> None:
    org = await make_org(db)
    async with db() as session:
        spec = _order_status(f"http://127.0.0.1:{free_port()}")  # nobody listens there
        await save_action(session, Vault(SECRET), org.id, spec)
        await commit(session)
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    await visitor.send("where is my order 55")

    async def handed_off() -> Handoff | None:
        async with db() as session:
            return await session.scalar(
                select(Handoff).where(Handoff.conversation_id == visitor.conversation_id)
            )

    handoff = await wait_for(handed_off)
    assert handoff.reasons == ["ai_error"]


async def _shop(client: httpx.AsyncClient, db: Sessions, order_api: str) -> WidgetClient:
    """A fresh organization with the order action, and a visitor of it."""
    org = await make_org(db)
    async with db() as session:
        await save_action(session, Vault(SECRET), org.id, _order_status(order_api))
        await commit(session)
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    return visitor


async def _handoff(db: Sessions, visitor: WidgetClient) -> Handoff | None:
    async with db() as session:
        return await session.scalar(
            select(Handoff).where(Handoff.conversation_id == visitor.conversation_id)
        )


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING and r.exc_info]


async def test_an_order_not_found_is_told_and_the_same_failure_again_hands_off(
    client: httpx.AsyncClient, db: Sessions, order_api: str, caplog: pytest.LogCaptureFixture
) -> None:
    visitor = await _shop(client, db, order_api)
    with caplog.at_level(logging.INFO):
        await visitor.send("where is my order 9999")
        [told] = await visitor.wait_for_reply()
        assert told["text"] == "I couldn't find order 9999 — could you check the number?"
        assert told["component"] is None
        assert await _handoff(db, visitor) is None

        await visitor.send("where is my order 4711")  # a good number in between
        assert (await visitor.wait_for_reply(2))[-1]["text"] == "Order 4711 is shipped with DHL."

        await visitor.send("where is my order 9998")
        handoff = await wait_for(lambda: _handoff(db, visitor))
    assert handoff.reasons == ["insufficient_tools"] and handoff.requested_by == "ai"
    assert "where is my order 9998" in handoff.summary
    assert _tracebacks(caplog) == []


async def test_an_invalid_number_is_told_in_the_visitors_language(
    client: httpx.AsyncClient, db: Sessions, order_api: str
) -> None:
    visitor = await _shop(client, db, order_api)
    await visitor.send("where is my order latest")
    [told] = await visitor.wait_for_reply()
    assert told["text"] == "Order latest doesn't look right — could you check it and send it again?"

    german = await _shop(client, db, order_api)
    await german.send("Wo ist meine Bestellung 9999?")
    [told] = await german.wait_for_reply()
    assert told["text"] == "Ich konnte 9999 nicht finden — können Sie die Nummer prüfen?"
    assert await _handoff(db, german) is None


async def test_a_server_error_hands_off_at_once_without_a_traceback(
    client: httpx.AsyncClient, db: Sessions, order_api: str, caplog: pytest.LogCaptureFixture
) -> None:
    visitor = await _shop(client, db, order_api)
    with caplog.at_level(logging.INFO):
        await visitor.send("where is my order 500")
        handoff = await wait_for(lambda: _handoff(db, visitor))
    assert handoff.reasons == ["ai_error"]
    assert _tracebacks(caplog) == []
    assert any("HTTP 500" in r.getMessage() for r in caplog.records)
