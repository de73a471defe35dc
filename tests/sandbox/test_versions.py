"""The sandbox serves HubSpot's date-versioned paths (2026-03, 2026-09) beside v3: the same
records and behaviour, each request judged by the document and scopes of its own version."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from hubspot_sandbox import RunningSandbox
from hubspot_sandbox.config import default_openapi_dir
from tests.sandbox.sandbox_flows import REDIRECT_URI, exchange

from ..services import unavailable


def documents_here() -> None:
    if not default_openapi_dir().is_dir():
        unavailable("HubSpot's OpenAPI documents are not next to the repository")


async def created(api: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = await api.post(path, json=body)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


@pytest.mark.parametrize("date", ["2026-03", "2026-09"])
async def test_dated_paths_serve_the_same_portal(api: httpx.AsyncClient, date: str) -> None:
    for path in (
        f"/account-info/{date}/details",
        f"/crm/owners/{date}",
        f"/crm/pipelines/{date}/tickets",
        f"/crm/properties/{date}/tickets/hs_pipeline",
        f"/conversations/conversations/{date}/inboxes",
        f"/files/{date}/files/search",
    ):
        answer = await api.get(path)
        assert answer.status_code == 200, (path, answer.text)
    assert (await api.get(f"/crm/owners/{date}")).json() == (await api.get("/crm/v3/owners")).json()


@pytest.mark.parametrize("date", ["2026-03", "2026-09"])
async def test_dated_crm_objects_and_their_default_association(
    api: httpx.AsyncClient, sandbox: RunningSandbox, date: str
) -> None:
    email = f"dated-{date}@example.com"
    contact = await created(api, f"/crm/objects/{date}/contacts", {"properties": {"email": email}})
    ticket = await created(
        api,
        f"/crm/objects/{date}/tickets",
        {"properties": {"subject": "Dated", "hs_pipeline": "0", "hs_pipeline_stage": "1"}},
    )
    by_email = await api.get(
        f"/crm/objects/{date}/contacts/{email}", params={"idProperty": "email"}
    )
    assert by_email.json()["id"] == contact["id"]
    assert (await api.get(f"/crm/v3/objects/tickets/{ticket['id']}")).status_code == 200
    linked = await api.put(
        f"/crm/objects/{date}/tickets/{ticket['id']}/associations/default/contacts/{contact['id']}"
    )
    assert linked.status_code == 200, linked.text
    listed = await api.get(f"/crm/v4/objects/tickets/{ticket['id']}/associations/contacts")
    assert [str(a["toObjectId"]) for a in listed.json()["results"]] == [contact["id"]]
    patched = await api.patch(
        f"/crm/objects/{date}/tickets/{ticket['id']}",
        json={"properties": {"hs_ticket_priority": "HIGH"}},
    )
    assert patched.json()["properties"]["hs_ticket_priority"] == "HIGH"


async def test_the_journal_records_the_path_as_sent(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await api.get("/crm/owners/2026-09")
    await api.get("/crm/objects/2026-09/notes/nope")
    requests = (await client.get("/_sandbox/requests")).json()["requests"]
    assert [(r["path"], r["status"]) for r in requests[-2:]] == [
        ("/crm/owners/2026-09", 200),
        ("/crm/objects/2026-09/notes/nope", 404),
    ]


async def test_an_unknown_date_is_not_served(api: httpx.AsyncClient) -> None:
    answer = await api.get("/crm/owners/2025-09")
    assert answer.status_code == 404
    assert answer.json()["message"] == "Unable to route GET /crm/owners/2025-09"


async def test_dated_channel_endpoints_take_the_developer_key_alone(
    client: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    key = {"hapikey": sandbox.config.developer_api_key}
    body = {
        "name": "dated",
        "webhookUrl": "https://x.test/hubspot/channel",
        "capabilities": {"deliveryIdentifierTypes": ["CHANNEL_SPECIFIC_OPAQUE_ID"]},
    }
    channel = await client.post("/conversations/custom-channels/2026-09", params=key, json=body)
    assert channel.status_code == 201, channel.text
    one = f"/conversations/custom-channels/2026-09/{channel.json()['id']}"
    assert (await client.get(one, params=key)).json()["webhookUrl"] == body["webhookUrl"]
    assert (
        await client.get("/conversations/custom-channels/2026-03", params=key)
    ).status_code == 200
    # v3 names the app; a wrong key is refused on every version.
    assert (await client.get("/conversations/custom-channels/v3", params=key)).status_code == 403
    wrong = {"hapikey": "not-the-key"}
    assert (await client.get(one, params=wrong)).status_code == 401


async def test_each_version_is_judged_by_its_own_document(
    client: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    """2026-09's subscription create requires `active`, v3's does not."""
    documents_here()
    app_id, key = sandbox.config.app_id, {"hapikey": sandbox.config.developer_api_key}
    body = {"eventType": "ticket.propertyChange", "propertyName": "hs_pipeline_stage"}
    dated = await client.post(
        f"/app-webhooks/2026-09/{app_id}/subscriptions", params=key, json=body
    )
    assert dated.status_code == 400 and "active" in dated.json()["message"]
    v3 = await client.post(f"/webhooks/v3/{app_id}/subscriptions", params=key, json=body)
    assert v3.status_code == 201, v3.text
    again = body | {"propertyName": "subject", "active": True}
    assert (
        await client.post(f"/app-webhooks/2026-09/{app_id}/subscriptions", params=key, json=again)
    ).status_code == 201


async def test_a_dated_path_without_its_own_document_is_judged_by_v3(
    api: httpx.AsyncClient,
) -> None:
    """The folder has no 2026-03 CRM document: the v3 operation that serves it judges the body."""
    documents_here()
    bad = {"properties": {"email": "typo@example.com"}, "propertys": {}}
    for date in ("2026-03", "2026-09"):
        answer = await api.post(f"/crm/objects/{date}/contacts", json=bad)
        assert answer.status_code == 400 and "propertys" in answer.json()["message"]


async def test_scopes_follow_the_security_of_the_version_called(
    client: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    """v3's owners endpoint also accepts `automation`; 2026-09's asks for the owners scope."""
    documents_here()
    token = await token_for(client, sandbox, ["oauth", "automation"])
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/crm/v3/owners", headers=headers)).status_code == 200
    dated = await client.get("/crm/owners/2026-09", headers=headers)
    assert dated.status_code == 403 and dated.json()["category"] == "MISSING_SCOPES"
    assert "crm.objects.owners.read" in dated.text


async def token_for(client: httpx.AsyncClient, sandbox: RunningSandbox, scopes: list[str]) -> str:
    """An access token granted exactly `scopes` through the consent form."""
    config = sandbox.config
    form = {"client_id": config.client_id, "redirect_uri": REDIRECT_URI, "state": "s"}
    answer = await client.post(
        "/oauth/authorize", data=form | {"decision": "approve", "scope": scopes}
    )
    assert answer.status_code == 302, answer.text
    code = parse_qs(urlparse(answer.headers["location"]).query)["code"][0]
    grant = await exchange(
        client, config, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI
    )
    assert set(grant.json()["scopes"]) == set(scopes), grant.text
    return str(grant.json()["access_token"])
