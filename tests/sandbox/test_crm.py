"""CRM behaviour relaydesk depends on: duplicate contacts, search lag, tickets, notes."""

from __future__ import annotations

import re

import httpx

from hubspot_sandbox import RunningSandbox
from tests.sandbox.sandbox_flows import (
    connect_account,
    register_channel,
    visitor_message,
)
from tests.support import wait_for

JANE = {"properties": {"email": "jane@example.com", "firstname": "Jane"}}


def by_email(email: str) -> dict[str, object]:
    return {
        "filterGroups": [
            {"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}
        ],
        "properties": ["email", "firstname"],
        "limit": 1,
    }


async def test_duplicate_contact_gets_409_with_the_existing_id(api: httpx.AsyncClient) -> None:
    created = await api.post("/crm/v3/objects/contacts", json=JANE)
    assert created.status_code == 201
    duplicate = await api.post(
        "/crm/v3/objects/contacts", json={"properties": {"email": "JANE@example.com"}}
    )
    assert duplicate.status_code == 409
    body = duplicate.json()
    assert body["category"] == "CONFLICT" and body["status"] == "error"
    match = re.search(r"Existing ID:\s*(\d+)", body["message"])
    assert match and match.group(1) == created.json()["id"]


async def test_search_misses_a_just_created_contact_then_finds_it(api: httpx.AsyncClient) -> None:
    created = (await api.post("/crm/v3/objects/contacts", json=JANE)).json()
    first = await api.post("/crm/v3/objects/contacts/search", json=by_email("jane@example.com"))
    assert first.status_code == 200 and first.json()["total"] == 0

    async def found() -> list[dict[str, object]]:
        answer = await api.post(
            "/crm/v3/objects/contacts/search", json=by_email("jane@example.com")
        )
        results: list[dict[str, object]] = answer.json()["results"]
        return results

    results = await wait_for(found)
    assert results[0]["id"] == created["id"]


async def test_get_contact_by_email(api: httpx.AsyncClient) -> None:
    created = (await api.post("/crm/v3/objects/contacts", json=JANE)).json()
    found = await api.get(
        "/crm/v3/objects/contacts/jane@example.com",
        params={"idProperty": "email", "properties": "email,firstname"},
    )
    assert found.status_code == 200 and found.json()["id"] == created["id"]
    missing = await api.get(
        "/crm/v3/objects/contacts/nobody@example.com", params={"idProperty": "email"}
    )
    assert missing.status_code == 404


async def test_batch_upsert_creates_then_updates(api: httpx.AsyncClient) -> None:
    body = {
        "inputs": [
            {"id": "sam@example.com", "idProperty": "email", "properties": {"firstname": "Sam"}}
        ]
    }
    first = (await api.post("/crm/v3/objects/contacts/batch/upsert", json=body)).json()
    assert first["results"][0]["new"] is True
    body["inputs"][0]["properties"] = {"firstname": "Samuel"}
    second = (await api.post("/crm/v3/objects/contacts/batch/upsert", json=body)).json()
    assert second["results"][0]["new"] is False
    assert second["results"][0]["id"] == first["results"][0]["id"]
    assert second["results"][0]["properties"]["firstname"] == "Samuel"


async def test_ticket_with_associations_and_a_note(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    contact = (await api.post("/crm/v3/objects/contacts", json=JANE)).json()
    owner = (await api.get("/crm/v3/owners")).json()["results"][0]
    stage = (await api.get("/crm/v3/pipelines/tickets")).json()["results"][0]["stages"][0]
    property_body = {
        "name": "relaydesk_tags",
        "label": "relaydesk tags",
        "groupName": "ticketinformation",
        "type": "enumeration",
        "fieldType": "checkbox",
        "options": [{"label": "Handed off", "value": "handed_off", "hidden": False}],
    }
    assert (await api.post("/crm/v3/properties/tickets", json=property_body)).status_code == 201
    assert (await api.post("/crm/v3/properties/tickets", json=property_body)).status_code == 409
    ticket = await api.post(
        "/crm/v3/objects/tickets",
        json={
            "properties": {
                "subject": "Chat hand-off",
                "hs_pipeline": "0",
                "hs_pipeline_stage": stage["id"],
                "hubspot_owner_id": owner["id"],
                "relaydesk_tags": "handed_off",
            },
            "associations": [
                {
                    "to": {"id": contact["id"]},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}],
                }
            ],
        },
    )
    assert ticket.status_code == 201, ticket.text
    ticket_id = ticket.json()["id"]
    note = await api.post(
        "/crm/v3/objects/notes",
        json={
            "properties": {
                "hs_timestamp": "2026-09-01T10:16:00Z",
                "hs_note_body": "<p>AI summary</p>",
            },
            "associations": [
                {
                    "to": {"id": ticket_id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 228}],
                }
            ],
        },
    )
    assert note.status_code == 201
    linked = await api.get(f"/crm/v4/objects/contacts/{contact['id']}/associations/tickets")
    assert linked.json()["results"][0]["toObjectId"] == ticket_id
    assert linked.json()["results"][0]["associationTypes"][0]["typeId"] == 15
    state = (await client.get("/_sandbox/state")).json()
    [stored] = state["tickets"]
    assert stored["properties"]["relaydesk_tags"] == "handed_off"
    assert [n["id"] for n in stored["associations"]["notes"]] == [note.json()["id"]]


async def test_crm_refuses_unknown_properties_and_bad_values(api: httpx.AsyncClient) -> None:
    unknown = await api.post(
        "/crm/v3/objects/tickets",
        json={"properties": {"subject": "x", "hs_pipeline_stage": "1", "tags": "a"}},
    )
    assert unknown.status_code == 400 and "PROPERTY_DOESNT_EXIST" in unknown.json()["message"]
    bad_stage = await api.post(
        "/crm/v3/objects/tickets", json={"properties": {"subject": "x", "hs_pipeline_stage": "99"}}
    )
    assert bad_stage.status_code == 400
    note_without_time = await api.post(
        "/crm/v3/objects/notes", json={"properties": {"hs_note_body": "x"}}
    )
    assert note_without_time.status_code == 400
    wrong_type = await api.post(
        "/crm/v3/objects/tickets",
        json={
            "properties": {"subject": "x", "hs_pipeline_stage": "1"},
            "associations": [
                {
                    "to": {"id": "1"},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 15}],
                }
            ],
        },
    )
    assert wrong_type.status_code == 400


async def test_ticket_update_sends_property_change(
    api: httpx.AsyncClient, client: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    ticket = (
        await api.post(
            "/crm/v3/objects/tickets",
            json={"properties": {"subject": "x", "hs_pipeline_stage": "1"}},
        )
    ).json()
    updated = await api.patch(
        f"/crm/v3/objects/tickets/{ticket['id']}", json={"properties": {"hs_pipeline_stage": "4"}}
    )
    assert updated.status_code == 200
    deliveries = (await client.get("/_sandbox/webhooks")).json()["deliveries"]
    assert deliveries == []  # no target URL configured: HubSpot sends nothing


async def test_ticket_linked_to_a_thread_shows_on_the_thread(
    api: httpx.AsyncClient, client: httpx.AsyncClient, developer_params: dict[str, str]
) -> None:
    channel = await register_channel(client, developer_params, None)
    account = await connect_account(api, channel["id"])
    url = f"/conversations/v3/custom-channels/{channel['id']}/messages"
    published = (await api.post(url, json=visitor_message(account["id"], "t", "hi", "k"))).json()
    thread_id = published["conversationsThreadId"]
    ticket = await api.post(
        "/crm/v3/objects/tickets",
        json={
            "properties": {"subject": "Chat hand-off", "hs_pipeline_stage": "1"},
            "associations": [
                {
                    "to": {"id": thread_id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 32}],
                }
            ],
        },
    )
    assert ticket.status_code == 201, ticket.text
    thread = await api.get(
        f"/conversations/v3/conversations/threads/{thread_id}", params={"association": "TICKET"}
    )
    assert thread.json()["threadAssociations"] == {"associatedTicketId": ticket.json()["id"]}
    by_ticket = await api.get(
        "/conversations/v3/conversations/threads",
        params={"associatedTicketId": ticket.json()["id"]},
    )
    assert [t["id"] for t in by_ticket.json()["results"]] == [thread_id]
