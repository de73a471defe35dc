"""The `/_sandbox/` control API: requests log, state, reset, rep actions."""

from __future__ import annotations

from typing import Any

import httpx

from hubspot_sandbox import RunningSandbox
from tests.sandbox.sandbox_flows import connect_account, register_channel, visitor_message


async def test_requests_are_logged_in_order_with_tokens_redacted(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    developer_params: dict[str, str],
    tokens: dict[str, Any],
) -> None:
    await register_channel(client, developer_params, None)
    await api.post("/crm/v3/objects/contacts", json={"properties": {"email": "a@example.com"}})
    await api.get("/crm/v3/objects/contacts/404404")
    log = (await client.get("/_sandbox/requests")).json()["requests"]
    paths = [(r["method"], r["path"], r["status"]) for r in log]
    assert paths[0] == ("POST", "/oauth/v1/token", 200)
    assert paths[-3:] == [
        ("POST", "/conversations/v3/custom-channels", 201),
        ("POST", "/crm/v3/objects/contacts", 201),
        ("GET", "/crm/v3/objects/contacts/404404", 404),
    ]
    assert log[-2]["body"] == {"properties": {"email": "a@example.com"}}
    assert log[-3]["query"]["hapikey"] == ["[redacted]"]
    token_call = next(r for r in log if r["path"] == "/oauth/v1/token")
    assert token_call["body"]["client_secret"] == "[redacted]"
    assert token_call["body"]["code"] == "[redacted]"
    dump = str(log)
    assert tokens["access_token"] not in dump and tokens["refresh_token"] not in dump


async def test_state_shows_threads_contacts_channels_and_reset_clears_them(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    developer_params: dict[str, str],
    sandbox: RunningSandbox,
) -> None:
    channel = await register_channel(client, developer_params, None)
    account = await connect_account(api, channel["id"])
    url = f"/conversations/v3/custom-channels/{channel['id']}/messages"
    published = (await api.post(url, json=visitor_message(account["id"], "t", "hi", "k"))).json()
    thread_id = published["conversationsThreadId"]
    await client.post(f"/_sandbox/threads/{thread_id}/assign", json={"agent": "Sam Rivera"})
    await client.post(f"/_sandbox/threads/{thread_id}/close")

    state = (await client.get("/_sandbox/state")).json()
    [thread] = state["threads"]
    assert thread["status"] == "CLOSED" and thread["assignedTo"].startswith("A-")
    assert thread["integrationThreadId"] == "t"
    assert [c["properties"]["email"] for c in state["contacts"]] == ["jane@example.com"]
    assert thread["associatedContactId"] == state["contacts"][0]["id"]
    assert [c["id"] for c in state["channels"]] == [channel["id"]]
    assert [a["id"] for a in state["channelAccounts"]] == [account["id"]]

    assert (await client.post("/_sandbox/reset")).status_code == 200
    state = (await client.get("/_sandbox/state")).json()
    assert state["threads"] == state["contacts"] == state["channels"] == []
    assert (await client.get("/_sandbox/requests")).json()["requests"] == []
    assert len(state["owners"]) == 2 and state["inboxes"]


async def test_reply_with_an_attachment_is_downloadable_through_a_signed_url(
    client: httpx.AsyncClient, api: httpx.AsyncClient, developer_params: dict[str, str]
) -> None:
    channel = await register_channel(client, developer_params, None)
    account = await connect_account(api, channel["id"])
    url = f"/conversations/v3/custom-channels/{channel['id']}/messages"
    published = (await api.post(url, json=visitor_message(account["id"], "t", "hi", "k"))).json()
    reply = await client.post(
        f"/_sandbox/threads/{published['conversationsThreadId']}/reply",
        json={
            "text": "Label attached",
            "attachments": [
                {"name": "label.pdf", "contentType": "application/pdf", "base64": "JVBERi0xLjQK"}
            ],
        },
    )
    [attachment] = reply.json()["attachments"]
    assert attachment["name"] == "label.pdf" and attachment["fileUsageType"] == "OTHER"
    signed = (await api.get(f"/files/v3/files/{attachment['fileId']}/signed-url")).json()
    async with httpx.AsyncClient() as outside:
        content = await outside.get(signed["url"])
    assert content.status_code == 200 and content.content == b"%PDF-1.4\n"


async def test_file_upload_then_attach_to_a_published_message(
    client: httpx.AsyncClient, api: httpx.AsyncClient, developer_params: dict[str, str]
) -> None:
    uploaded = await api.post(
        "/files/v3/files",
        files={"file": ("photo.png", b"\x89PNG\r\n", "image/png")},
        data={"folderPath": "/relaydesk", "options": '{"access": "PRIVATE"}'},
    )
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
    assert uploaded.json()["type"] == "IMG" and uploaded.json()["extension"] == "png"
    refused = await api.post(
        "/files/v3/files",
        files={"file": ("a.txt", b"x", "text/plain")},
        data={"options": '{"access": "PRIVATE"}'},
    )
    assert refused.status_code == 400
    channel = await register_channel(client, developer_params, None)
    account = await connect_account(api, channel["id"])
    body = visitor_message(account["id"], "t", "see photo", "k")
    body["attachments"] = [{"type": "FILE", "fileId": file_id, "fileUsageType": "IMAGE"}]
    url = f"/conversations/v3/custom-channels/{channel['id']}/messages"
    published = await api.post(url, json=body)
    assert published.status_code == 201
    assert published.json()["attachments"][0]["name"] == "photo.png"
    download = await api.get(f"/files/v3/files/{file_id}/download")
    assert download.content == b"\x89PNG\r\n"
