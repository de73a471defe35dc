"""Steps fail alone: a thread HubSpot refuses does not stop the contact, ticket and note; a step
that is being retried holds up only the steps that need it; the admin shows which and why."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from hubspot_sandbox import RunningSandbox
from relaydesk.hubspot.handoff.status import StepStatus, sync_status
from relaydesk.models import Conversation
from relaydesk.runtime import Runtime

from ...admin_support import make_user, signed_in
from ...support import RunningServer, free_port, server_settings, start_server
from .world import (
    Person,
    connect,
    drain,
    failed_jobs,
    faults,
    handed_off_conversation,
    new_organization,
    retries_due,
    sandbox_state,
    write_after_handoff,
)

PUBLISH = r"custom-channels/.+/messages$"
REFUSED = "Channel account 1 is not authorized to publish in inbox 481939"


def refuse_publishes(status: int = 400, message: str = REFUSED) -> dict[str, Any]:
    return {"refuse": [{"method": "POST", "path": PUBLISH, "status": status, "message": message}]}


async def steps(runtime: Runtime, conversation_id: str) -> dict[str, StepStatus]:
    async with runtime.sessions() as session:
        return {s.step: s for s in await sync_status(session, conversation_id)}


@pytest_asyncio.fixture(loop_scope="session")
async def admin_server(runtime: Runtime, tmp_path: Path) -> AsyncIterator[RunningServer]:
    """The admin console on the handoff's own database (its worker does not run jobs)."""
    port = free_port()
    settings = server_settings(runtime.settings.database_url, tmp_path / "server", port)
    settings.worker.in_process = False
    server = await asyncio.to_thread(start_server, settings, port)
    yield server
    await asyncio.to_thread(server.stop)


async def test_a_thread_hubspot_refuses_leaves_contact_ticket_and_note_and_admin_says_why(
    runtime: Runtime, handoff_sandbox: RunningSandbox, admin_server: RunningServer
) -> None:
    organization_id = await new_organization(runtime)
    await connect(runtime, handoff_sandbox, organization_id)
    conversation_id = await handed_off_conversation(
        runtime, organization_id, Person("Jane Doe", "jane@example.com", True), messages=4, files=1
    )
    await faults(handoff_sandbox, **refuse_publishes())
    try:
        await drain(runtime)
        await write_after_handoff(runtime, conversation_id, "Any news?")
        await drain(runtime)
    finally:
        await faults(handoff_sandbox, refuse=[])
    assert await failed_jobs(runtime.sessions) == []  # refused, not retried blindly

    state = await sandbox_state(handoff_sandbox)
    assert state["threads"] == []
    [contact], [ticket] = state["contacts"], state["tickets"]
    assert contact["properties"]["email"] == "jane@example.com"
    assert [c["id"] for c in ticket["associations"]["contacts"]] == [contact["id"]]
    assert "message 4 from the ai" in ticket["properties"]["content"]
    handoff_note, later = sorted(state["notes"], key=lambda n: n["properties"]["hs_timestamp"])
    body = handoff_note["properties"]["hs_note_body"]
    assert "<b>Handed off by relaydesk</b>" in body
    assert "no inbox thread: the transcript is in the ticket&#x27;s description" in body
    assert REFUSED in body  # what is missing, and HubSpot's reason
    assert {n["id"] for n in ticket["associations"]["notes"]} == {handoff_note["id"], later["id"]}
    assert "Any news?" in later["properties"]["hs_note_body"]  # later messages: notes too

    found = await steps(runtime, conversation_id)
    assert (found["thread"].state, found["thread"].error) == ("failed", f"BadRequest: {REFUSED}")
    assert [found[s].state for s in ("contact", "ticket", "note")] == ["done"] * 3
    assert found["note"].detail == (
        "a CRM note on the ticket (there is no thread), and 1 later message as notes"
    )

    admin = await signed_in(
        admin_server.base_url, await make_user(runtime.sessions, organization_id)
    )
    html = (await admin.get(f"/admin/conversations/{conversation_id}")).text
    await admin.close()
    assert '<tr class="step-failed" data-step="thread">' in html
    assert f"BadRequest: {REFUSED}" in html
    assert '<tr class="step-done" data-step="ticket">' in html


async def test_a_thread_being_retried_holds_up_ticket_and_note_which_say_so(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    organization_id = await new_organization(runtime)
    await connect(runtime, handoff_sandbox, organization_id)
    conversation_id = await handed_off_conversation(
        runtime, organization_id, Person("Jane Doe", "jane@example.com", True), messages=2, files=0
    )
    await faults(handoff_sandbox, **refuse_publishes(503, "Service Unavailable"))
    try:
        assert await runtime.worker().run_once() == 1
        found = await steps(runtime, conversation_id)
        assert found["contact"].state == "done"
        assert (found["thread"].state, found["thread"].error) == (
            "failed",
            "ServerError: Service Unavailable",
        )
        assert (found["ticket"].state, found["ticket"].detail) == (
            "waiting",
            "waiting for the thread",
        )
        assert (found["note"].state, found["note"].detail) == ("waiting", "waiting for the ticket")
        assert (await sandbox_state(handoff_sandbox))["tickets"] == []
    finally:
        await faults(handoff_sandbox, refuse=[])
    await retries_due(runtime)
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []
    found = await steps(runtime, conversation_id)
    assert [found[s].state for s in ("contact", "thread", "ticket", "note")] == ["done"] * 4
    [thread] = (await sandbox_state(handoff_sandbox))["threads"]
    [note] = thread["comments"]
    assert "Missing in HubSpot" not in note["text"]


async def test_a_contact_hubspot_refuses_leaves_thread_ticket_and_note_without_it(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    organization_id = await new_organization(runtime)
    await connect(runtime, handoff_sandbox, organization_id)
    conversation_id = await handed_off_conversation(
        runtime, organization_id, Person("Jane Doe", "jane@example.com"), messages=2, files=0
    )
    refused = "Property values were not valid: email"
    contacts = {"method": "POST", "path": "objects/.*contacts$", "status": 400, "message": refused}
    await faults(handoff_sandbox, refuse=[contacts])
    try:
        await drain(runtime)
    finally:
        await faults(handoff_sandbox, refuse=[])
    assert await failed_jobs(runtime.sessions) == []

    state = await sandbox_state(handoff_sandbox)
    assert state["contacts"] == []
    [thread], [ticket] = state["threads"], state["tickets"]
    assert ticket["associations"]["contacts"] == []
    assert [t["id"] for t in ticket["associations"]["threads"]] == [thread["id"]]
    [note] = thread["comments"]
    assert "Missing in HubSpot: no contact" in note["text"] and refused in note["text"]
    async with runtime.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
    assert conversation is not None and conversation.hubspot_contact_id is None
