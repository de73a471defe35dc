"""The inbox page a person uses as the rep: escaped content, reply, note, close, assign."""

from __future__ import annotations

import httpx

from tests.sandbox.sandbox_flows import connect_account, register_channel, visitor_message


async def start(
    client: httpx.AsyncClient, api: httpx.AsyncClient, developer_params: dict[str, str], text: str
) -> str:
    channel = await register_channel(client, developer_params, None)
    account = await connect_account(api, channel["id"])
    url = f"/conversations/v3/custom-channels/{channel['id']}/messages"
    published = (await api.post(url, json=visitor_message(account["id"], "t", text, "k"))).json()
    return str(published["conversationsThreadId"])


async def test_thread_page_escapes_visitor_text(
    client: httpx.AsyncClient, api: httpx.AsyncClient, developer_params: dict[str, str]
) -> None:
    thread_id = await start(client, api, developer_params, "<script>alert(1)</script>")
    page = await client.get(f"/inbox/threads/{thread_id}")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    listing = await client.get("/", follow_redirects=True)
    assert "jane@example.com" in listing.text


async def test_rep_replies_notes_assigns_and_closes_from_the_page(
    client: httpx.AsyncClient, api: httpx.AsyncClient, developer_params: dict[str, str]
) -> None:
    thread_id = await start(client, api, developer_params, "hello")
    base = f"/inbox/threads/{thread_id}"
    sent = await client.post(
        base + "/reply",
        data={"text": "Hi Jane", "kind": "reply", "agent": "sam.rivera@sandbox.example"},
        files={"files": ("note.txt", b"hello", "text/plain")},
    )
    assert sent.status_code == 303
    await client.post(base + "/reply", data={"text": "VIP customer", "kind": "note"})
    await client.post(base + "/assign", data={"agent": "alex.chen@sandbox.example"})
    await client.post(base + "/close")
    thread = (await client.get("/_sandbox/state")).json()["threads"][0]
    assert [m["text"] for m in thread["messages"]] == ["hello", "Hi Jane"]
    assert thread["messages"][1]["attachments"][0]["name"] == "note.txt"
    assert [c["text"] for c in thread["comments"]] == ["VIP customer"]
    assert thread["status"] == "CLOSED" and thread["assignedTo"] == "A-3892667"
