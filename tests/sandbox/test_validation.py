"""Bodies HubSpot would refuse get HubSpot's 400, whether or not the OpenAPI documents are here."""

from __future__ import annotations

import httpx
import pytest

from hubspot_sandbox import RunningSandbox
from hubspot_sandbox.config import default_openapi_dir
from tests.sandbox.sandbox_flows import connect_account, register_channel

from ..services import unavailable


@pytest.fixture
async def channel_url(
    client: httpx.AsyncClient, api: httpx.AsyncClient, developer_params: dict[str, str]
) -> tuple[str, str]:
    channel = await register_channel(client, developer_params, None)
    account = await connect_account(api, channel["id"])
    return f"/conversations/v3/custom-channels/{channel['id']}/messages", account["id"]


async def test_message_missing_required_fields_is_refused(
    api: httpx.AsyncClient, channel_url: tuple[str, str]
) -> None:
    url, account_id = channel_url
    answer = await api.post(
        url, json={"channelAccountId": account_id, "text": "hi", "integrationThreadId": "t"}
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["status"] == "error" and body["category"] == "VALIDATION_ERROR"
    assert body["correlationId"] and body["message"]


async def test_wrong_enum_and_types_are_refused(
    api: httpx.AsyncClient, channel_url: tuple[str, str], sandbox: RunningSandbox
) -> None:
    url, account_id = channel_url
    answer = await api.post(
        url,
        json={
            "channelAccountId": account_id,
            "integrationThreadId": "t",
            "messageDirection": "INBOUND",
            "text": "hi",
            "timestamp": "2026-09-01T10:15:30Z",
            "attachments": [],
            "senders": [{"deliveryIdentifier": {"type": "HS_EMAIL_ADDRESS", "value": "a@b.co"}}],
            "recipients": [{"deliveryIdentifier": {"type": "HS_EMAIL_ADDRESS", "value": "c@d.co"}}],
        },
    )
    assert answer.status_code == 400 and answer.json()["category"] == "VALIDATION_ERROR"
    if sandbox.sandbox.validator.active:
        assert "messageDirection" in answer.json()["message"]


async def test_openapi_schema_catches_what_the_sandbox_would_not(api: httpx.AsyncClient) -> None:
    if not default_openapi_dir().is_dir():
        unavailable("HubSpot's OpenAPI documents are not next to the repository")
    contact = await api.post(
        "/crm/v3/objects/contacts", json={"properties": {"email": "x@example.com"}, "propertys": {}}
    )
    assert contact.status_code == 400
    assert "propertys" in contact.json()["message"]
    comment_without_attachments = await api.post(
        "/conversations/v3/conversations/threads/1/messages",
        json={"type": "COMMENT", "text": "note"},
    )
    assert comment_without_attachments.status_code == 400


async def test_invalid_json_is_refused(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/crm/v3/objects/contacts",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 400 and answer.json()["category"] == "VALIDATION_ERROR"
