"""Bad input gets a clear 4xx, never a 5xx, and nothing already accepted is lost."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.web.app import create_app

from .databases import migrated_sqlite
from .orgs import Org, make_org
from .support import WidgetClient, server_settings

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest_asyncio.fixture(loop_scope="session")
async def visitor(client: httpx.AsyncClient, org: Org) -> WidgetClient:
    widget = WidgetClient(client, org.widget_key)
    await widget.start()
    return widget


async def test_malformed_json_is_a_400(client: httpx.AsyncClient, visitor: WidgetClient) -> None:
    answer = await client.post(
        "/api/widget/v1/messages",
        content=b'{"client_id": "x", "text": ',
        headers={**visitor.auth, "content-type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "malformed_json"


async def test_wrong_shapes_are_a_422_naming_the_field(
    client: httpx.AsyncClient, visitor: WidgetClient
) -> None:
    answer = await client.post("/api/widget/v1/messages", json={"text": 5}, headers=visitor.auth)
    assert answer.status_code == 422
    assert "client_id" in answer.json()["error"]["message"]
    answer = await client.get(
        "/api/widget/v1/conversations/x/messages", params={"after_seq": -1}, headers=visitor.auth
    )
    assert answer.status_code == 422


async def test_text_over_the_limit_is_refused(
    client: httpx.AsyncClient, visitor: WidgetClient
) -> None:
    answer = await visitor.send("x" * 4001)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "text_too_long"
    assert (await visitor.send("x" * 4000)).status_code == 201


async def test_empty_message_is_refused(client: httpx.AsyncClient, visitor: WidgetClient) -> None:
    answer = await visitor.send("   ")
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "empty_message"


async def test_unknown_widget_key(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/widget/v1/sessions", json={"widget_key": "nope"})
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "unknown_widget_key"
    answer = await client.get("/api/widget/v1/config", params={"widget_key": "nope"})
    assert answer.status_code == 404


async def test_missing_token(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/widget/v1/messages", json={"client_id": "a", "text": "hi"})
    assert answer.status_code == 401


async def test_a_message_is_checked_in_the_documented_order(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    """Its plain endpoint checks as FastAPI's handling did: the JSON first, then the visitor,
    then the body's shape."""
    org = await make_org(db, origins=["https://shop.example"])
    visitor = WidgetClient(client, org.widget_key, origin="https://shop.example")
    await visitor.start()
    path, as_json = "/api/widget/v1/messages", {"content-type": "application/json"}
    answer = await client.post(path, content=b'{"client_id": ', headers=as_json)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "malformed_json"
    answer = await client.post(path, json={"text": 5})
    assert answer.status_code == 401
    foreign = {**visitor.auth, "origin": "https://elsewhere.example"}
    answer = await client.post(path, json={"text": 5}, headers=foreign)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "origin_not_allowed"
    answer = await client.post(path, headers={**visitor.auth, **as_json})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"] == [{"field": "", "problem": "Field required"}]
    not_json = {**visitor.auth, "content-type": "text/plain"}
    answer = await client.post(path, content=b'{"client_id": "a"}', headers=not_json)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_input"
    answer = await client.get(path, headers=visitor.auth)
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"
    as_vendor_json = {**visitor.auth, "content-type": "application/vnd.api+json"}
    answer = await client.post(
        path, content=b'{"client_id": "a", "text": "hi"}', headers=as_vendor_json
    )
    assert answer.status_code == 201 and answer.json()["text"] == "hi"


async def upload(
    client: httpx.AsyncClient,
    visitor: WidgetClient,
    name: str,
    data: bytes,
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    return await client.post(
        "/api/widget/v1/uploads",
        files={"file": (name, io.BytesIO(data), content_type)},
        headers=visitor.auth,
    )


async def test_upload_is_sniffed_stored_attached_and_downloadable(
    client: httpx.AsyncClient, visitor: WidgetClient
) -> None:
    answer = await upload(client, visitor, "screenshot.png", PNG, "text/plain")
    assert answer.status_code == 201, answer.text
    attachment = answer.json()
    assert attachment["content_type"] == "image/png" and attachment["size"] == len(PNG)

    sent = await visitor.send("here is the error", attachment_ids=[attachment["id"]])
    assert sent.json()["attachments"][0]["id"] == attachment["id"]
    downloaded = await client.get(attachment["url"])
    assert downloaded.status_code == 200 and downloaded.content == PNG
    assert downloaded.headers["content-type"] == "image/png"
    tampered = await client.get(attachment["url"].replace("sig=", "sig=0"))
    assert tampered.status_code == 404
    reused = await visitor.send("again", attachment_ids=[attachment["id"]])
    assert reused.status_code == 422


async def test_disguised_upload_is_refused(
    client: httpx.AsyncClient, visitor: WidgetClient
) -> None:
    answer = await upload(client, visitor, "holiday.png", EXE, "image/png")
    assert answer.status_code == 415
    answer = await upload(client, visitor, "invoice.pdf", PNG, "application/pdf")
    assert answer.status_code == 415
    assert answer.json()["error"]["code"] == "disguised_file"


async def test_oversized_upload_is_refused(
    client: httpx.AsyncClient, visitor: WidgetClient
) -> None:
    big = b"a" * (10 * 1024 * 1024 + 1)
    answer = await upload(client, visitor, "notes.txt", big, "text/plain")
    assert answer.status_code == 413


async def test_wrong_origin_is_refused(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    org = await make_org(db, origins=["https://shop.example.com"])
    body = {"widget_key": org.widget_key}
    evil = await client.post(
        "/api/widget/v1/sessions", json=body, headers={"origin": "https://evil.example.net"}
    )
    assert evil.status_code == 403 and evil.json()["error"]["code"] == "origin_not_allowed"
    good = await client.post(
        "/api/widget/v1/sessions", json=body, headers={"origin": "https://shop.example.com"}
    )
    assert good.status_code == 200
    assert good.headers["access-control-allow-origin"] == "https://shop.example.com"
    assert good.headers["access-control-expose-headers"] == "Retry-After"
    token = good.json()["visitor_token"]
    stolen = await client.post(
        "/api/widget/v1/messages",
        json={"client_id": "a", "text": "hi"},
        headers={"origin": "https://evil.example.net", "authorization": f"Bearer {token}"},
    )
    assert stolen.status_code == 403
    preflight = await client.options(
        "/api/widget/v1/messages",
        headers={"origin": "https://shop.example.com", "access-control-request-method": "POST"},
    )
    assert preflight.status_code == 204


async def test_rate_limits_answer_429_with_retry_after(tmp_path: Path) -> None:
    """A server of its own, with low limits, driven in-process."""
    url = migrated_sqlite(tmp_path / "limits.db")
    settings = server_settings(url, tmp_path, 1)
    settings.limits.visitor_messages_per_minute = 6
    settings.limits.ip_requests_per_minute = 40
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        org = await make_org(app.state.runtime.sessions)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://relaydesk") as http:
            widget = WidgetClient(http, org.widget_key)
            await widget.start()
            codes = [(await widget.send(f"message {i}")).status_code for i in range(4)]
            assert codes[:2] == [201, 201] and codes[-1] == 429
            limited = await widget.send("one more")
            assert limited.json()["error"]["code"] == "rate_limited"
            assert int(limited.headers["retry-after"]) >= 1
            for _ in range(40):
                answer = await http.get(
                    "/api/widget/v1/config", params={"widget_key": org.widget_key}
                )
                if answer.status_code == 429:
                    break
            assert answer.status_code == 429


async def test_message_numbers_past_the_database_integer_are_a_422(
    client: httpx.AsyncClient, visitor: WidgetClient
) -> None:
    await visitor.send("hello")
    path = f"/api/widget/v1/conversations/{visitor.conversation_id}"
    history = await client.get(f"{path}/messages?after_seq={2**31}", headers=visitor.auth)
    read = await client.post(f"{path}/read", json={"up_to_seq": 2**63}, headers=visitor.auth)
    assert history.status_code == 422 and read.status_code == 422
    fine = await client.get(f"{path}/messages?after_seq={2**31 - 1}", headers=visitor.auth)
    assert fine.status_code == 200 and fine.json()["messages"] == []


async def test_a_file_named_outside_latin_1_downloads_under_its_own_name(
    client: httpx.AsyncClient, visitor: WidgetClient
) -> None:
    answer = await upload(client, visitor, "发票 счёт.png", PNG, "image/png")
    assert answer.status_code == 201, answer.text
    assert answer.json()["name"] == "发票 счёт.png"
    downloaded = await client.get(answer.json()["url"])
    assert downloaded.status_code == 200 and downloaded.content == PNG
    disposition = downloaded.headers["content-disposition"]
    assert disposition.startswith('inline; filename="__ ____.png"')
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "发票 счёт.png"


async def test_text_no_database_can_store_is_a_422(
    client: httpx.AsyncClient, visitor: WidgetClient
) -> None:
    """A NUL (PostgreSQL refuses it) or an unpaired surrogate (no database takes one) used to
    reach the database and answer 500; the fuzz test found both."""
    for text in ("a\\u0000b", "a\\ud800b"):
        raw = b'{"client_id": "c%d", "text": "%s"}' % (len(text), text.encode())
        headers = {**visitor.auth, "content-type": "application/json"}
        sent = await client.post("/api/widget/v1/messages", content=raw, headers=headers)
        assert sent.status_code == 422, sent.text
        assert sent.json()["error"]["details"][0]["field"] == "text"
        named = await client.post(
            "/api/widget/v1/profile", content=b'{"name": "%s"}' % text.encode(), headers=headers
        )
        assert named.status_code == 422, named.text
    config = await client.get("/api/widget/v1/config", params={"widget_key": "a\x00"})
    history = await client.get("/api/widget/v1/conversations/a%00/messages", headers=visitor.auth)
    assert config.status_code == 422 and history.status_code == 422
    hook = await client.post("/hubspot/webhooks/a%00", content=b"[]")
    assert hook.status_code == 401


async def test_bodies_are_of_the_documented_types(
    client: httpx.AsyncClient, visitor: WidgetClient
) -> None:
    """`"5"` was taken for 5: the document says integer."""
    await visitor.send("hello")
    path = f"/api/widget/v1/conversations/{visitor.conversation_id}"
    read = await client.post(f"{path}/read", json={"up_to_seq": "5"}, headers=visitor.auth)
    assert read.status_code == 422, read.text
