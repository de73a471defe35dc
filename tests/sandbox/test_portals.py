"""One app, several portals: installs land in the portal the person picked, each portal keeps its
own records, events name their portal, tokens carry only the scopes granted, ids never repeat."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from hubspot_sandbox import RunningSandbox, SandboxConfig, start_sandbox
from tests.sandbox.sandbox_flows import (
    REDIRECT_URI,
    SCOPES,
    Receiver,
    connect_account,
    exchange,
    register_channel,
    subscribe,
    visitor_message,
)
from tests.support import wait_for


async def install(client: httpx.AsyncClient, config: SandboxConfig, portal_id: int) -> str:
    """A scripted consent for `portal_id` (`approve=1`); returns the access token."""
    query = {
        "client_id": config.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": " ".join(SCOPES),
        "state": "s",
        "portalId": str(portal_id),
        "approve": "1",
    }
    answer = await client.get("/oauth/authorize", params=query)
    assert answer.status_code == 302, answer.text
    code = parse_qs(urlparse(answer.headers["location"]).query)["code"][0]
    tokens = await exchange(
        client, config, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI
    )
    assert tokens.status_code == 200, tokens.text
    assert tokens.json()["hub_id"] == portal_id
    access: str = tokens.json()["access_token"]
    return access


async def new_portal(client: httpx.AsyncClient, name: str) -> int:
    answer = await client.post("/_sandbox/portals", json={"name": name})
    assert answer.status_code == 201, answer.text
    portal_id: int = answer.json()["portalId"]
    return portal_id


async def test_each_portal_keeps_its_own_records(
    client: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    second = await new_portal(client, "Second company")
    token = await install(client, sandbox.config, second)
    headers = {"Authorization": f"Bearer {token}"}
    details = await client.get("/account-info/v3/details", headers=headers)
    assert details.json()["portalId"] == second
    contact = await client.post(
        "/crm/v3/objects/contacts",
        headers=headers,
        json={"properties": {"email": "only-in-second@example.com"}},
    )
    assert contact.status_code == 201
    in_second = (await client.get("/_sandbox/state", params={"portalId": second})).json()
    in_first = (await client.get("/_sandbox/state")).json()
    assert [c["id"] for c in in_second["contacts"]] == [contact.json()["id"]]
    assert in_first["contacts"] == []
    assert {p["portalId"] for p in in_first["portals"]} == {sandbox.config.portal_id, second}
    info = await client.get(f"/oauth/v1/access-tokens/{token}")
    assert info.json()["hub_id"] == second


async def test_consent_page_lets_the_person_pick_the_portal(
    client: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    second = await new_portal(client, "Picked on the page")
    query = {"client_id": sandbox.config.client_id, "redirect_uri": REDIRECT_URI, "scope": "oauth"}
    page = await client.get("/oauth/authorize", params=query)
    assert "Picked on the page" in page.text and f'value="{second}"' in page.text
    form = {**query, "decision": "approve", "portal_id": str(second)}
    answer = await client.post("/oauth/authorize", data=form)
    code = parse_qs(urlparse(answer.headers["location"]).query)["code"][0]
    tokens = await exchange(
        client,
        sandbox.config,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
    )
    assert tokens.json()["hub_id"] == second


async def test_app_events_name_the_portal_of_the_thread(
    client: httpx.AsyncClient,
    sandbox: RunningSandbox,
    developer_params: dict[str, str],
    receiver: Receiver,
) -> None:
    second = await new_portal(client, "Events company")
    headers = {"Authorization": f"Bearer {await install(client, sandbox.config, second)}"}
    await subscribe(client, sandbox, receiver.url + "/one-url")
    channel = await register_channel(client, developer_params, None)
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=headers) as api:
        account = await connect_account(api, channel["id"])
        published = await api.post(
            f"/conversations/v3/custom-channels/{channel['id']}/messages",
            json=visitor_message(account["id"], "conv-b", "hello from B", "m-b-1"),
        )
    thread_id = published.json()["conversationsThreadId"]
    closed = await client.post(f"/_sandbox/threads/{thread_id}/close")  # found in its portal
    assert closed.status_code == 200

    def closes() -> list[dict[str, Any]]:
        events = [e for r in receiver.received if r.url.endswith("/one-url") for e in r.json()]
        return [e for e in events if e.get("propertyName") == "status"]

    [event] = await wait_for(closes)
    assert event["portalId"] == second and event["objectId"] == int(thread_id)
    first_state = (await client.get("/_sandbox/state")).json()
    assert first_state["threads"] == []


async def test_a_token_carries_only_the_scopes_the_app_is_configured_with() -> None:
    configured = tuple(s for s in SCOPES if s != "crm.objects.owners.read")
    running = await start_sandbox(SandboxConfig(app_scopes=configured))
    try:
        async with httpx.AsyncClient(base_url=running.base_url) as client:
            token = await install(client, running.config, running.config.portal_id)
            headers = {"Authorization": f"Bearer {token}"}
            owners = await client.get("/crm/v3/owners", headers=headers)
            inboxes = await client.get("/conversations/v3/conversations/inboxes", headers=headers)
            info = (await client.get(f"/oauth/v1/access-tokens/{token}")).json()
    finally:
        await running.stop()
    assert owners.status_code == 403 and owners.json()["category"] == "MISSING_SCOPES"
    [error] = owners.json()["errors"]
    assert "crm.objects.owners.read" in error["context"]["requiredGranularScopes"]
    assert inboxes.status_code == 200
    assert "crm.objects.owners.read" not in info["scopes"] and "tickets" in info["scopes"]


async def test_a_new_sandbox_never_hands_out_an_earlier_id() -> None:
    seen: list[dict[str, int]] = []
    for _ in range(2):
        running = await start_sandbox()
        headers = {"Authorization": f"Bearer {running.config.private_app_token}"}
        try:
            async with httpx.AsyncClient(base_url=running.base_url, headers=headers) as api:
                contact = await api.post(
                    "/crm/v3/objects/contacts", json={"properties": {"email": "a@example.com"}}
                )
                ticket = await api.post(
                    "/crm/v3/objects/tickets",
                    json={"properties": {"subject": "s", "hs_pipeline_stage": "1"}},
                )
        finally:
            await running.stop()
        seen.append({"contact": int(contact.json()["id"]), "ticket": int(ticket.json()["id"])})
    assert seen[1]["contact"] > seen[0]["contact"] and seen[1]["ticket"] > seen[0]["ticket"]
