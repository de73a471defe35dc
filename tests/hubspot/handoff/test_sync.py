"""The handoff into HubSpot against the sandbox: contact, thread with the transcript and files,
ticket, note; every request fits HubSpot's schema; contacts by identity."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import func, select

from hubspot_sandbox import RunningSandbox
from relaydesk import events
from relaydesk.closing import close_conversation
from relaydesk.db import commit
from relaydesk.hubspot.connect import look
from relaydesk.hubspot.connect.connections import find_connection, portal_client
from relaydesk.hubspot.handoff import markers
from relaydesk.hubspot.handoff.status import StepStatus, sync_status
from relaydesk.models import Attachment, Conversation, Message, OutboxJob, utcnow
from relaydesk.runtime import Runtime

from ...services import unavailable
from .world import (
    PIPELINE,
    PUBLIC_URL,
    STAGE,
    Person,
    connect,
    drain,
    failed_jobs,
    faults,
    handed_off_conversation,
    new_organization,
    retries_due,
    sandbox_requests,
    sandbox_state,
    schema_problems,
    write_after_handoff,
)


async def step_status(runtime: Runtime, conversation_id: str, step: str) -> StepStatus:
    """One step of the conversation's sync, as the admin page shows it."""
    async with runtime.sessions() as session:
        [found] = [s for s in await sync_status(session, conversation_id) if s.step == step]
    return found


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
        "Reason: the visitor asked for a person; the visitor is frustrated",
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


async def test_the_ai_name_and_ticket_tag_follow_the_organizations_choice(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    organization_id = await new_organization(runtime)
    await connect(runtime, handoff_sandbox, organization_id)
    async with runtime.sessions() as session:
        chosen = look.LookChoices("Ava from Acme", "acme_escalation", "from_chat")
        await look.save_look(session, organization_id, chosen)
        await session.commit()
    person = Person("Jane Doe", "jane@example.com", verified=True)
    await handed_off_conversation(runtime, organization_id, person, messages=4, files=0)
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []

    state = await sandbox_state(handoff_sandbox)
    [thread] = state["threads"]
    ai_senders = {
        m["senders"][0]["name"] for m in thread["messages"] if m["direction"] == "OUTGOING"
    }
    assert ai_senders == {"Ava from Acme"}
    [ticket] = state["tickets"]
    assert ticket["properties"]["acme_escalation"] == "from_chat"
    assert "relaydesk_handoff_tag" not in ticket["properties"]
    created = [
        r["body"]["name"]
        for r in await sandbox_requests(handoff_sandbox)
        if r["method"] == "POST"
        and re.fullmatch(r"/crm/(v3/)?properties/(\S+/)?tickets", r["path"])
    ]
    assert "acme_escalation" in created


async def test_every_request_fits_hubspots_schema(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    if not (handoff_sandbox.config.openapi_dir and handoff_sandbox.config.openapi_dir.is_dir()):
        unavailable("HubSpot's OpenAPI documents (../shared/hubspot-openapi) are not here")
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


async def test_an_interrupted_contact_create_for_a_visitor_without_email_is_not_repeated(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    """A run created the contact of a name-only visitor, then died before storing its id: the
    next run finds it by our visitor id instead of creating a second one."""
    organization_id = await new_organization(runtime)
    await connect(runtime, handoff_sandbox, organization_id)
    conversation_id = await handed_off_conversation(
        runtime, organization_id, Person("Ann Onymous"), messages=2, files=0
    )
    async with runtime.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        connection = await find_connection(session, organization_id)
    assert conversation is not None and connection is not None
    client = portal_client(runtime.hubspot, runtime.sessions, runtime.vault, connection)
    property_body = {
        "name": "relaydesk_visitor_id",
        "label": "relaydesk visitor",
        "type": "string",
        "fieldType": "text",
        "groupName": "contactinformation",
    }
    await client.create_property("contacts", property_body)
    await markers.begin(runtime.sessions, conversation_id, "contact")
    earlier = await client.create_object(
        "contacts", {"firstname": "Ann", "relaydesk_visitor_id": conversation.visitor_id}
    )

    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []
    state = await sandbox_state(handoff_sandbox)
    assert [c["id"] for c in state["contacts"]] == [earlier.id]
    [thread] = state["threads"]
    assert thread["associatedContactId"] == earlier.id
    async with runtime.sessions() as session:
        row = await session.get(Conversation, conversation_id)
    assert row is not None and row.hubspot_contact_id == earlier.id


async def test_an_interrupted_file_upload_is_found_not_uploaded_twice(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    """A run uploaded a visitor's file, then died before storing its id: the next run finds
    the file by the attachment's id in HubSpot's file index and attaches that one."""
    person = Person("Jane Doe", "jane@example.com", verified=True)
    conversation_id = await handed_off(runtime, handoff_sandbox, person, messages=2, files=1)
    async with runtime.sessions() as session:
        [attachment] = await session.scalars(
            select(Attachment).join(Message).where(Message.conversation_id == conversation_id)
        )
        attachment.hubspot_upload_started_at = utcnow()
        connection = await find_connection(session, attachment.organization_id)
        await session.commit()
    assert connection is not None
    client = portal_client(runtime.hubspot, runtime.sessions, runtime.vault, connection)
    data = await runtime.files.get(attachment.storage_key)
    earlier = await client.upload_file(
        f"{attachment.id}-{attachment.name}", data, attachment.content_type
    )

    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []
    state = await sandbox_state(handoff_sandbox)
    assert [f["id"] for f in state["files"]] == [earlier.id]
    [thread] = state["threads"]
    attached = [a["fileId"] for m in thread["messages"] for a in m["attachments"]]
    assert attached == [earlier.id]


async def private_app_handoff(runtime: Runtime, sandbox: RunningSandbox) -> str:
    organization_id = await new_organization(runtime)
    await connect(runtime, sandbox, organization_id, mode="private_app")
    person = Person("Jane Doe", "jane@example.com", verified=True)
    return await handed_off_conversation(runtime, organization_id, person, messages=4, files=0)


async def test_private_app_mode_writes_contact_ticket_with_transcript_and_crm_note(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    conversation_id = await private_app_handoff(runtime, handoff_sandbox)
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []

    state = await sandbox_state(handoff_sandbox)
    assert state["threads"] == []  # private apps cannot post inbox conversations
    [contact] = state["contacts"]
    [ticket] = state["tickets"]
    props = ticket["properties"]
    assert props["relaydesk_handoff_tag"] == "opencx_handedoff"
    assert "message 1 from the visitor" in props["content"]
    assert "message 4 from the ai" in props["content"]
    assert [c["id"] for c in ticket["associations"]["contacts"]] == [contact["id"]]
    [note] = state["notes"]
    assert (
        f"{PUBLIC_URL}/admin/conversations/{conversation_id}" in note["properties"]["hs_note_body"]
    )
    assert [n["id"] for n in ticket["associations"]["notes"]] == [note["id"]]
    assert [n["id"] for n in contact["associations"]["notes"]] == [note["id"]]


async def test_an_interrupted_crm_note_is_found_not_written_twice(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    """Private-app mode: the note was created, then the run died before storing its id; the
    next run finds it by the conversation id in its link."""
    conversation_id = await private_app_handoff(runtime, handoff_sandbox)
    await drain(runtime)
    [note] = (await sandbox_state(handoff_sandbox))["notes"]
    async with runtime.sessions() as session:  # as if the id had never been stored
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.hubspot_note_id = None
        step = await markers.step_of(session, conversation_id, "note")
        assert step is not None
        step.state, step.hubspot_id = "started", None
        session.add(
            OutboxJob(kind=events.HUBSPOT_HANDOFF, payload={"conversation_id": conversation_id},
                      ordering_key=conversation_id, dedupe_key=f"again:{conversation_id}",
                      state="pending", run_after=utcnow(), attempts=0)
        )  # fmt: skip
        await session.commit()

    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []
    assert [n["id"] for n in (await sandbox_state(handoff_sandbox))["notes"]] == [note["id"]]
    async with runtime.sessions() as session:
        again = await session.get(Conversation, conversation_id)
    assert again is not None and again.hubspot_note_id == note["id"]


async def test_without_a_connection_the_visitor_hears_once_and_the_sync_runs_once_connected(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    organization_id = await new_organization(runtime)  # HubSpot not connected yet
    no_email = await handed_off_conversation(
        runtime, organization_id, Person("Ann Onymous"), messages=2, files=0
    )
    with_email = await handed_off_conversation(
        runtime, organization_id, Person("Jo", "jo@example.com"), messages=2, files=0
    )
    german = await handed_off_conversation(
        runtime, organization_id, Person("Uwe"), messages=2, files=0, language="de"
    )
    worker = runtime.worker()
    assert await worker.run_once() == 3  # all wait for the connection
    assert await worker.run_once() == 0  # ... later, not now

    async def system_texts(conversation_id: str) -> list[str]:
        async with runtime.sessions() as session:
            rows = await session.scalars(
                select(Message.text).where(
                    Message.conversation_id == conversation_id, Message.role == "system"
                )
            )
            return list(rows)

    [told] = await system_texts(no_email)
    assert "will follow up" in told and "leave your email" in told
    [told] = await system_texts(with_email)
    assert "will follow up" in told and "email" not in told
    [told] = await system_texts(german)
    assert "meldet sich bei Ihnen" in told and "E-Mail-Adresse" in told
    waiting = await step_status(runtime, no_email, "connection")
    assert waiting.error == "HubSpot is not connected"
    assert (await sandbox_state(handoff_sandbox))["contacts"] == []

    await connect(runtime, handoff_sandbox, organization_id)
    await retries_due(runtime)  # 30 s later in real life
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []
    state = await sandbox_state(handoff_sandbox)
    assert len(state["threads"]) == len(state["tickets"]) == len(state["contacts"]) == 3
    assert len(await system_texts(no_email)) == 1  # told once, not on every retry


async def test_messages_after_the_handoff_join_the_same_hubspot_thread(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    person = Person("Jane Doe", "jane@example.com", verified=True)
    conversation_id = await handed_off(runtime, handoff_sandbox, person, messages=2, files=0)
    await drain(runtime)
    await write_after_handoff(runtime, conversation_id, "Here is my receipt", "Any news?")
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []

    state = await sandbox_state(handoff_sandbox)
    [thread] = state["threads"]
    last_two = thread["messages"][-2:]
    assert [m["text"] for m in last_two] == ["Here is my receipt", "Any news?"]
    assert [m["direction"] for m in last_two] == ["INCOMING", "INCOMING"]
    assert [len(m["attachments"]) for m in last_two] == [1, 0]
    [file] = state["files"]
    assert last_two[0]["attachments"][0]["fileId"] == file["id"]


async def hubspot_ids(runtime: Runtime, conversation_id: str) -> dict[str, str | None]:
    """The HubSpot id stored on each visitor message, by its text."""
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(Message.text, func.coalesce(Message.hubspot_message_id, Message.hubspot_note_id))
            .where(Message.conversation_id == conversation_id, Message.role == "visitor")
            .order_by(Message.seq)
        )
        return {text: hubspot_id for text, hubspot_id in rows}


def publish_again(conversation_id: str, message_id: str) -> OutboxJob:
    return OutboxJob(kind=events.HUBSPOT_PUBLISH, payload={"message_id": message_id},
                     ordering_key=conversation_id, dedupe_key=f"again:{uuid.uuid4().hex}",
                     state="pending", run_after=utcnow(), attempts=0)  # fmt: skip


async def test_private_app_messages_after_the_handoff_become_notes_on_the_ticket(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    """No thread in private-app mode: each later message is a note on the ticket and contact,
    written once (a job run again finds the id stored) and as text, not HTML."""
    conversation_id = await private_app_handoff(runtime, handoff_sandbox)
    await drain(runtime)
    await write_after_handoff(runtime, conversation_id, "Here is my receipt", "Order <b>#12</b>")
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []

    state = await sandbox_state(handoff_sandbox)
    [contact], [ticket] = state["contacts"], state["tickets"]
    handoff_note, *later = sorted(state["notes"], key=lambda n: n["properties"]["hs_timestamp"])
    bodies = [n["properties"]["hs_note_body"] for n in later]
    assert len(bodies) == 2
    assert "Here is my receipt" in bodies[0] and "receipt.pdf" in bodies[0]
    assert "Order &lt;b&gt;#12&lt;/b&gt;" in bodies[1]
    assert all(f"{PUBLIC_URL}/admin/conversations/{conversation_id}" in b for b in bodies)
    every = {handoff_note["id"], *(n["id"] for n in later)}
    assert {n["id"] for n in ticket["associations"]["notes"]} == every
    assert {n["id"] for n in contact["associations"]["notes"]} == every
    ids = await hubspot_ids(runtime, conversation_id)
    assert [ids["Here is my receipt"], ids["Order <b>#12</b>"]] == [n["id"] for n in later]
    async with runtime.sessions() as session:
        steps = {s.step: s for s in await sync_status(session, conversation_id, "private_app")}
    assert (steps["note"].state, steps["note"].detail) == ("done", "and 2 later messages as notes")
    assert steps["thread"].state == steps["files"].state == "skipped"

    async with runtime.sessions() as session:  # the same message's job, run again
        message_id = await session.scalar(
            select(Message.id).where(
                Message.conversation_id == conversation_id,
                Message.hubspot_note_id == later[0]["id"],
            )
        )
        assert message_id is not None
        session.add(publish_again(conversation_id, message_id))
        await session.commit()
    await drain(runtime)
    assert len((await sandbox_state(handoff_sandbox))["notes"]) == 3


async def test_an_interrupted_follow_up_note_is_found_not_written_twice(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    """The note was created, then the run died before storing its id: the next run finds it by
    the message id in it."""
    conversation_id = await private_app_handoff(runtime, handoff_sandbox)
    await drain(runtime)
    await write_after_handoff(runtime, conversation_id, "Here is my receipt")
    await drain(runtime)
    notes = (await sandbox_state(handoff_sandbox))["notes"]
    note_id = (await hubspot_ids(runtime, conversation_id))["Here is my receipt"]
    assert len(notes) == 2 and note_id in [n["id"] for n in notes]
    async with runtime.sessions() as session:  # as if the id had never been stored
        message = await session.scalar(
            select(Message).where(
                Message.conversation_id == conversation_id, Message.hubspot_note_id == note_id
            )
        )
        assert message is not None and message.hubspot_note_started_at is not None
        message.hubspot_note_id = None
        session.add(publish_again(conversation_id, message.id))
        await session.commit()

    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []
    assert len((await sandbox_state(handoff_sandbox))["notes"]) == 2
    assert (await hubspot_ids(runtime, conversation_id))["Here is my receipt"] == note_id


async def test_a_later_message_that_needed_a_retry_leaves_the_thread_step_done(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    """A 500 on a message after the handoff shows on the thread step until a retry sends it."""
    person = Person("Jane Doe", "jane@example.com", verified=True)
    conversation_id = await handed_off(runtime, handoff_sandbox, person, messages=2, files=0)
    await drain(runtime)
    await faults(handoff_sandbox, error_rate=1.0)
    await write_after_handoff(runtime, conversation_id, "Here is my receipt")
    assert await runtime.worker().run_once() == 1
    thread = await step_status(runtime, conversation_id, "thread")
    assert (thread.state, thread.error) == ("failed", "ServerError: internal error")

    await faults(handoff_sandbox, error_rate=0.0)
    await retries_due(runtime)
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []
    thread = await step_status(runtime, conversation_id, "thread")
    assert (thread.state, thread.error) == ("done", None)
    assert (await hubspot_ids(runtime, conversation_id))["Here is my receipt"]


async def test_a_visitor_ending_the_chat_closes_the_hubspot_thread(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    person = Person("Jane Doe", "jane@example.com", verified=True)
    conversation_id = await handed_off(runtime, handoff_sandbox, person, messages=2, files=0)
    await drain(runtime)
    [thread] = (await sandbox_state(handoff_sandbox))["threads"]
    assert thread["status"] == "OPEN"
    async with runtime.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        assert await close_conversation(session, runtime.effects, conversation, by="visitor")
        await commit(session)
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []
    [thread] = (await sandbox_state(handoff_sandbox))["threads"]
    assert thread["status"] == "CLOSED"
