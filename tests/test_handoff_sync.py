"""The handoff into HubSpot against the sandbox: contact, thread with the transcript and files,
ticket, note; every request fits HubSpot's schema; contacts by identity."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hubspot_sandbox import RunningSandbox
from relaydesk.hubspot.progress import sync_status
from relaydesk.models import Attachment, Conversation, Message
from relaydesk.runtime import Runtime

from .handoff_fixtures import handoff_backend, handoff_databases, handoff_sandbox, runtime
from .handoff_world import (
    PIPELINE,
    PUBLIC_URL,
    STAGE,
    Person,
    connect,
    drain,
    failed_jobs,
    handed_off_conversation,
    new_organization,
    sandbox_requests,
    sandbox_state,
    schema_problems,
)

__all__ = ["handoff_backend", "handoff_databases", "handoff_sandbox", "runtime"]


async def handed_off(runtime: Runtime, sandbox: RunningSandbox, person: Person, **kw: Any) -> str:
    organization_id = await new_organization(runtime)
    await connect(runtime, sandbox, organization_id)
    return await handed_off_conversation(runtime, organization_id, person, **kw)


async def test_handoff_writes_contact_thread_ticket_note_and_files(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    person = Person("Jane Doe", "jane@example.com", verified=True)
    conversation_id = await handed_off(runtime, handoff_sandbox, person)
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []

    state = await sandbox_state(handoff_sandbox)
    [contact] = state["contacts"]
    assert contact["properties"]["email"] == "jane@example.com"
    [thread] = state["threads"]
    assert thread["integrationThreadId"] == conversation_id
    texts = [m["text"] for m in thread["messages"]]
    assert texts[:3] == [
        "message 1 from the visitor",
        "message 2 from the ai",
        "message 3 from the visitor",
    ]
    assert "Order 42: shipped" in texts[3] and len(texts) == 12
    directions = [m["direction"] for m in thread["messages"]]
    assert directions == ["INCOMING", "OUTGOING"] * 6
    assert thread["messages"][1]["senders"][0]["name"] == "AI assistant"
    assert thread["messages"][0]["senders"][0]["name"] == "Jane Doe"
    files = [a for m in thread["messages"] for a in m["attachments"]]
    assert len(files) == 2 and len(state["files"]) == 2
    assert all(f["access"] == "PRIVATE" for f in state["files"])

    [ticket] = state["tickets"]
    props = ticket["properties"]
    assert props["relaydesk_handoff_tag"] == "opencx_handedoff"
    assert (props["hs_pipeline"], props["hs_pipeline_stage"]) == (PIPELINE, STAGE)
    assert props["hubspot_owner_id"] == "52001234" and props["hs_ticket_priority"] == "HIGH"
    assert props["subject"].startswith("Order 42 arrived damaged")
    assert "message 12 from the ai" in props["content"]
    assert [c["id"] for c in ticket["associations"]["contacts"]] == [contact["id"]]
    assert [t["id"] for t in ticket["associations"]["threads"]] == [thread["id"]]

    [note] = thread["comments"]
    for expected in (
        "frustration",
        "negative",
        "Language: en",
        "verified (jane@example.com)",
        f"{PUBLIC_URL}/admin/conversations/{conversation_id}",
    ):
        assert expected in note["text"]

    # Timestamps and order: what relaydesk published, in the order it published it.
    async with runtime.sessions() as session:
        messages = list(
            await session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.seq)
            )
        )
        conversation = await session.get(Conversation, conversation_id)
        attachments = list(
            await session.scalars(
                select(Attachment).join(Message).where(Message.conversation_id == conversation_id)
            )
        )
        steps = await sync_status(session, conversation_id)
    published = [
        r["body"]
        for r in await sandbox_requests(handoff_sandbox)
        if r["path"].endswith("/messages") and "custom-channels" in r["path"]
    ]
    assert [b["integrationIdempotencyId"] for b in published] == [m.id for m in messages]
    assert [b["timestamp"][:19] for b in published] == [
        m.created_at.strftime("%Y-%m-%dT%H:%M:%S") for m in messages
    ]
    assert all(m.hubspot_message_id for m in messages)
    assert all(a.hubspot_file_id for a in attachments)
    assert conversation is not None
    assert conversation.hubspot_thread_id == thread["id"]
    assert conversation.hubspot_ticket_id == ticket["id"]
    assert conversation.hubspot_note_id == note["id"]
    assert {s.step: s.state for s in steps if s.step != "connection"} == {
        "contact": "done",
        "thread": "done",
        "ticket": "done",
        "note": "done",
        "files": "done",
    }


async def test_every_request_fits_hubspots_schema(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    if not (handoff_sandbox.config.openapi_dir and handoff_sandbox.config.openapi_dir.is_dir()):
        pytest.skip("HubSpot's OpenAPI documents (../shared/hubspot-openapi) are not here")
    assert handoff_sandbox.sandbox.validator.active
    await handed_off(runtime, handoff_sandbox, Person("Jane Doe", "jane@example.com", True))
    await drain(runtime)
    requests = await sandbox_requests(handoff_sandbox)
    assert len(requests) > 15
    assert schema_problems(handoff_sandbox, requests) == []


async def test_contacts_by_identity(runtime: Runtime, handoff_sandbox: RunningSandbox) -> None:
    """Verified: the existing contact. Anonymous: a new one. Unverified existing email: linked,
    flagged in the note."""
    organization_id = await new_organization(runtime)
    await connect(runtime, handoff_sandbox, organization_id)
    known = Person("Kim Known", "kim@example.com", verified=True)
    first = await handed_off_conversation(runtime, organization_id, known, messages=2, files=0)
    await drain(runtime)
    second = await handed_off_conversation(runtime, organization_id, known, messages=2, files=0)
    typed = Person("Not Kim", "kim@example.com", verified=False)
    claimed = await handed_off_conversation(runtime, organization_id, typed, messages=2, files=0)
    anonymous = await handed_off_conversation(
        runtime, organization_id, Person("Ann Onymous"), messages=2, files=0
    )
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []

    state = await sandbox_state(handoff_sandbox)
    contacts = {
        c["properties"].get("email") or c["properties"].get("firstname"): c["id"]
        for c in state["contacts"]
    }
    assert len(state["contacts"]) == 2 and set(contacts) == {"kim@example.com", "Ann"}
    async with runtime.sessions() as session:
        rows = {
            cid: await session.get(Conversation, cid) for cid in (first, second, claimed, anonymous)
        }
    assert {rows[c].hubspot_contact_id for c in (first, second, claimed)} == {  # type: ignore[union-attr]
        contacts["kim@example.com"]
    }
    assert rows[anonymous].hubspot_contact_id == contacts["Ann"]  # type: ignore[union-attr]
    notes = {t["integrationThreadId"]: t["comments"][0]["text"] for t in state["threads"]}
    assert "Identity: verified (kim@example.com)" in notes[second]
    assert "NOT verified" in notes[claimed] and "kim@example.com" in notes[claimed]
    assert "Identity: anonymous" in notes[anonymous]
