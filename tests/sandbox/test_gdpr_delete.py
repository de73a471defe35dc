"""HubSpot's GDPR delete of a contact: `POST /crm/v3/objects/contacts/gdpr-delete` (and its
2026-09 path) with `crm.objects.contacts.write`; the contact is gone for good and an app
subscribed to `contact.privacyDeletion` hears of it at its target URL."""

from __future__ import annotations

from typing import Any

import httpx

from hubspot_sandbox import RunningSandbox
from hubspot_sandbox.config import default_openapi_dir
from hubspot_sandbox.scopes import ScopeTable
from tests.sandbox.sandbox_flows import Receiver, subscribe
from tests.services import unavailable
from tests.support import wait_for

from .test_inbox import start

PATHS = ("/crm/v3/objects/contacts/gdpr-delete", "/crm/objects/2026-09/contacts/gdpr-delete")


async def _contact(api: httpx.AsyncClient, email: str) -> str:
    created = await api.post("/crm/v3/objects/contacts", json={"properties": {"email": email}})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_gdpr_delete_removes_the_contact_and_sends_privacy_deletion(
    client: httpx.AsyncClient, api: httpx.AsyncClient, sandbox: RunningSandbox, receiver: Receiver
) -> None:
    target = receiver.url + "/app"
    await subscribe(client, sandbox, target, events=["contact.privacyDeletion"])
    by_id = await _contact(api, "gone-by-id@example.com")
    by_email = await _contact(api, "gone-by-email@example.com")

    first = await api.post(PATHS[0], json={"objectId": by_id})
    second = await api.post(PATHS[1], json={"objectId": "GONE-by-email@example.com",
                                           "idProperty": "email"})  # fmt: skip
    assert (first.status_code, second.status_code) == (204, 204), (first.text, second.text)
    for contact in (by_id, by_email):
        assert (await api.get(f"/crm/v3/objects/contacts/{contact}")).status_code == 404

    def heard() -> list[dict[str, Any]]:
        return [e for r in receiver.received if r.url == target for e in r.json()]

    events = await wait_for(lambda: len(heard()) >= 2 and heard())
    assert {(e["subscriptionType"], e["objectId"]) for e in events} == {
        ("contact.privacyDeletion", int(by_id)),
        ("contact.privacyDeletion", int(by_email)),
    }
    assert all(e["portalId"] == sandbox.config.portal_id for e in events)
    unknown = await api.post(PATHS[0], json={"objectId": "999999999"})
    assert unknown.status_code == 404
    invalid = await api.post(PATHS[0], json={"idProperty": "email"})
    assert invalid.status_code == 400


async def test_gdpr_delete_needs_a_token_with_the_contacts_write_scope(
    client: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    if not default_openapi_dir().is_dir():
        unavailable("HubSpot's OpenAPI documents are not next to the repository")
    table = ScopeTable.load(default_openapi_dir())
    for path in PATHS:
        assert table.missing("POST", path, {"crm.objects.contacts.write"}) == ()
        assert table.missing("POST", path, {"crm.objects.contacts.read"}) != ()
    answer = await client.post(PATHS[0], json={"objectId": "1"})
    assert answer.status_code == 401


async def test_a_person_deletes_the_contact_from_the_inbox(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    sandbox: RunningSandbox,
    developer_params: dict[str, str],
    receiver: Receiver,
) -> None:
    target = receiver.url + "/app"
    await subscribe(client, sandbox, target, events=["contact.privacyDeletion"])
    thread_id = await start(client, api, developer_params, "please forget me")
    page = await client.get(f"/inbox/threads/{thread_id}")
    assert "Permanently delete (GDPR)" in page.text
    contact = (await client.get("/_sandbox/state")).json()["threads"][0]["associatedContactId"]
    assert contact

    deleted = await client.post(f"/inbox/threads/{thread_id}/gdpr-delete-contact")

    assert deleted.status_code == 303
    assert (await api.get(f"/crm/v3/objects/contacts/{contact}")).status_code == 404

    def heard() -> list[dict[str, Any]]:
        return [e for r in receiver.received if r.url == target for e in r.json()]

    events = await wait_for(heard)
    assert [(e["subscriptionType"], str(e["objectId"])) for e in events] == [
        ("contact.privacyDeletion", str(contact))
    ]
