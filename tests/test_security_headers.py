"""Every answer forbids content sniffing, and no API-docs page loads scripts from elsewhere."""

from __future__ import annotations

import httpx


async def test_answers_forbid_sniffing(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/openapi.json", "/api/widget/v1/config?widget_key=none", "/nope"):
        answer = await client.get(path)
        assert answer.headers["x-content-type-options"] == "nosniff", path


async def test_no_docs_page_pulls_scripts_from_a_cdn(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 404
    assert (await client.get("/redoc")).status_code == 404
    assert (await client.get("/openapi.json")).json()["info"]["title"] == "relaydesk"
