"""Custom channel: register, connect an account, publish a transcript, threads and idempotency."""

from __future__ import annotations

import httpx

from tests.sandbox.sandbox_flows import connect_account, register_channel, visitor_message


async def test_channel_registration_needs_the_developer_key(
    client: httpx.AsyncClient, developer_params: dict[str, str]
) -> None:
    channel = await register_channel(client, developer_params, "http://127.0.0.1:9/hook")
    assert channel["webhookUrl"] == "http://127.0.0.1:9/hook" and channel["id"]
    listed = await client.get("/conversations/custom-channels/v3", params=developer_params)
    assert [c["id"] for c in listed.json()["results"]] == [channel["id"]]
    refused = await client.get(
        "/conversations/custom-channels/v3", params=developer_params | {"hapikey": "wrong"}
    )
    assert refused.status_code == 401


async def test_capabilities_with_identifier_types_as_objects_are_refused(
    client: httpx.AsyncClient, developer_params: dict[str, str]
) -> None:
    answer = await client.post(
        "/conversations/v3/custom-channels",
        params=developer_params,
        json={
            "name": "bad",
            "capabilities": {"deliveryIdentifierTypes": [{"type": "HS_EMAIL_ADDRESS"}]},
        },
    )
    assert answer.status_code == 400
    assert answer.json()["category"] == "VALIDATION_ERROR"


async def test_messages_with_one_integration_thread_id_share_a_thread(
    client: httpx.AsyncClient, api: httpx.AsyncClient, developer_params: dict[str, str]
) -> None:
    channel = await register_channel(client, developer_params, None)
    account = await connect_account(api, channel["id"])
    url = f"/conversations/v3/custom-channels/{channel['id']}/messages"
    first = await api.post(url, json=visitor_message(account["id"], "s-1", "hello", "m-1"))
    second = await api.post(url, json=visitor_message(account["id"], "s-1", "anyone?", "m-2"))
    other = await api.post(url, json=visitor_message(account["id"], "s-2", "new chat", "m-3"))
    assert first.status_code == second.status_code == other.status_code == 201
    thread_id = first.json()["conversationsThreadId"]
    assert second.json()["conversationsThreadId"] == thread_id
    assert other.json()["conversationsThreadId"] != thread_id
    assert first.json()["senders"][0]["actorId"].startswith("V-")
    messages = await api.get(f"/conversations/v3/conversations/threads/{thread_id}/messages")
    assert [m["text"] for m in messages.json()["results"]] == ["hello", "anyone?"]


async def test_integration_idempotency_id_returns_the_same_message(
    client: httpx.AsyncClient, api: httpx.AsyncClient, developer_params: dict[str, str]
) -> None:
    channel = await register_channel(client, developer_params, None)
    account = await connect_account(api, channel["id"])
    url = f"/conversations/v3/custom-channels/{channel['id']}/messages"
    body = visitor_message(account["id"], "s-1", "hello", "m-1")
    first = (await api.post(url, json=body)).json()
    retried = await api.post(url, json=body)
    assert retried.status_code == 201 and retried.json()["id"] == first["id"]
    state = (await client.get("/_sandbox/state")).json()
    assert len(state["threads"]) == 1 and len(state["threads"][0]["messages"]) == 1


async def test_message_status_updates_are_stored(
    client: httpx.AsyncClient, api: httpx.AsyncClient, developer_params: dict[str, str]
) -> None:
    channel = await register_channel(client, developer_params, None)
    account = await connect_account(api, channel["id"])
    url = f"/conversations/v3/custom-channels/{channel['id']}/messages"
    message = (await api.post(url, json=visitor_message(account["id"], "s", "hi", "k"))).json()
    failed = await api.patch(
        f"{url}/{message['id']}", json={"statusType": "FAILED", "errorMessage": "widget offline"}
    )
    assert failed.json()["status"]["statusType"] == "FAILED"
    assert (await api.get(f"{url}/{message['id']}")).json()["status"]["failureDetails"] == {
        "errorMessage": "widget offline",
        "errorMessageTokens": {},
    }


async def test_comment_posts_an_internal_note(
    client: httpx.AsyncClient, api: httpx.AsyncClient, developer_params: dict[str, str]
) -> None:
    channel = await register_channel(client, developer_params, None)
    account = await connect_account(api, channel["id"])
    url = f"/conversations/v3/custom-channels/{channel['id']}/messages"
    published = (await api.post(url, json=visitor_message(account["id"], "s", "hi", "k"))).json()
    thread = published["conversationsThreadId"]
    note = await api.post(
        f"/conversations/v3/conversations/threads/{thread}/messages",
        json={"type": "COMMENT", "text": "AI hand-off: refund", "attachments": []},
    )
    assert note.status_code == 201 and note.json()["type"] == "COMMENT"
    state = (await client.get("/_sandbox/state")).json()
    assert [c["text"] for c in state["threads"][0]["comments"]] == ["AI hand-off: refund"]
