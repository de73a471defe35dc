"""Health, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

import httpx

from .orgs import Org
from .support import WidgetClient


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


async def test_metrics_count_requests_and_sockets(client: httpx.AsyncClient, org: Org) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    await visitor.send("What are your plans?")
    await visitor.wait_for_reply()
    text = (await client.get("/metrics")).text
    assert 'relaydesk_http_requests_total{method="POST",route="/api/widget/v1/messages"' in text
    assert "relaydesk_ws_connections" in text
    processed = [
        line for line in text.splitlines() if line.startswith("relaydesk_outbox_jobs_processed ")
    ]
    assert processed and float(processed[0].split()[1]) >= 1


async def test_openapi_documents_the_widget_api(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/api/widget/v1/sessions",
        "/api/widget/v1/messages",
        "/api/widget/v1/uploads",
        "/api/widget/v1/conversations/{conversation_id}/messages",
        "/api/v1/identity-tokens",
        "/healthz",
        "/readyz",
    ):
        assert path in paths


async def test_the_channel_webhook_keeps_its_document_and_its_refusals(
    client: httpx.AsyncClient,
) -> None:
    """Served by a plain endpoint ahead of its FastAPI declaration: the document describes it
    as declared, other methods are refused as FastAPI's routes refuse them, and its requests are
    counted under its route."""
    path = "/hubspot/channel"
    operations = (await client.get("/openapi.json")).json()["paths"][path]
    assert list(operations) == ["post"]
    assert set(operations["post"]["responses"]) == {"200", "400", "401", "408", "413"}
    answer = await client.get(path)
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"
    assert answer.json()["error"]["code"] == "method_not_allowed"
    unsigned = await client.post(path, json={"type": "OUTGOING_CHANNEL_MESSAGE_CREATED"})
    assert unsigned.status_code == 401
    assert unsigned.json()["error"]["code"] == "invalid_signature"
    text = (await client.get("/metrics")).text
    for method, status in (("GET", 405), ("POST", 401)):
        assert f'{{method="{method}",route="{path}",status="{status}"}}' in text
