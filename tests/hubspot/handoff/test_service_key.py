"""Ticket-only mode with a Service Key, the credential HubSpot offers now that legacy private apps
can no longer be created: it connects, and a handoff writes the contact, the ticket with the
transcript and the note, with no inbox thread (a Service Key cannot use custom channels)."""

from __future__ import annotations

import httpx
import pytest

from hubspot_sandbox import RunningSandbox
from relaydesk.errors import InvalidInput
from relaydesk.hubspot.connect import flows as setup
from relaydesk.runtime import Runtime

from .world import (
    INBOX,
    OWNER,
    PIPELINE,
    PUBLIC_URL,
    STAGE,
    Person,
    drain,
    failed_jobs,
    handed_off_conversation,
    new_organization,
    sandbox_state,
)


async def service_key(sandbox: RunningSandbox) -> str:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as control:
        answer = await control.post("/_sandbox/service-keys", json={"name": "relaydesk"})
    assert answer.status_code == 201, answer.text
    key: str = answer.json()["serviceKey"]
    return key


async def test_a_service_key_connects_ticket_only_mode_and_a_handoff_lands(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    key = await service_key(handoff_sandbox)
    assert not key.startswith("pat-")
    organization_id = await new_organization(runtime)
    flow = setup.Setup(runtime.hubspot, runtime.sessions, runtime.vault, runtime.secret, PUBLIC_URL)
    connection = await setup.connect_private_app(flow, organization_id, key)
    assert connection.mode == "private_app"
    assert connection.portal_id == str(handoff_sandbox.config.portal_id)
    chosen = setup.Chosen(INBOX, OWNER, PIPELINE, STAGE)
    assert await setup.choose(flow, organization_id, chosen, "Website chat") == "active"

    person = Person("Jane Doe", "jane@example.com", verified=True)
    conversation_id = await handed_off_conversation(
        runtime, organization_id, person, messages=4, files=0
    )
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []
    state = await sandbox_state(handoff_sandbox)
    assert state["threads"] == []
    [contact] = state["contacts"]
    [ticket] = state["tickets"]
    [note] = state["notes"]
    assert contact["properties"]["email"] == "jane@example.com"
    assert "message 1 from the visitor" in ticket["properties"]["content"]
    assert conversation_id in note["properties"]["hs_note_body"]
    assert [n["id"] for n in ticket["associations"]["notes"]] == [note["id"]]


@pytest.mark.parametrize("pasted", ["", "short", "has spaces in the middle of it", "x" * 501])
async def test_what_cannot_be_a_key_is_refused_before_hubspot_is_asked(
    runtime: Runtime, pasted: str
) -> None:
    organization_id = await new_organization(runtime)
    flow = setup.Setup(runtime.hubspot, runtime.sessions, runtime.vault, runtime.secret, PUBLIC_URL)
    with pytest.raises(InvalidInput, match="Service Key"):
        await setup.connect_private_app(flow, organization_id, pasted)
