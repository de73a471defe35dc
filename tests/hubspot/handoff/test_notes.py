"""What the rep reads on the thread: the handoff note as rich text with its plain text, a note
when the visitor ends the chat, and the "existing contact" warning only when it is true."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import update

from hubspot_sandbox import RunningSandbox
from relaydesk import events
from relaydesk.closing import close_conversation
from relaydesk.db import commit
from relaydesk.hubspot.connect.connections import find_connection, portal_client
from relaydesk.hubspot.handoff import markers
from relaydesk.models import Conversation, Handoff, OutboxJob, utcnow
from relaydesk.runtime import Runtime

from .world import (
    PUBLIC_URL,
    Person,
    connect,
    drain,
    failed_jobs,
    handed_off_conversation,
    new_organization,
    sandbox_requests,
    sandbox_state,
)

EXISTING = "belongs to an existing contact"


async def connected(runtime: Runtime, sandbox: RunningSandbox) -> str:
    organization_id = await new_organization(runtime)
    await connect(runtime, sandbox, organization_id)
    return organization_id


def thread_of(state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    [thread] = [t for t in state["threads"] if t["integrationThreadId"] == conversation_id]
    return dict(thread)


async def test_the_handoff_note_is_rich_text_with_the_plain_text_beside_it(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    organization_id = await connected(runtime, handoff_sandbox)
    person = Person("Jane Doe", "jane@example.com", verified=True)
    conversation_id = await handed_off_conversation(
        runtime, organization_id, person, messages=2, files=0
    )
    async with runtime.sessions() as session:  # the visitor's words, as the summary quotes them
        await session.execute(
            update(Handoff)
            .where(Handoff.conversation_id == conversation_id)
            .values(summary="Wants <b>all</b> refunds & more")
        )
        await session.commit()
    await drain(runtime)
    [note] = thread_of(await sandbox_state(handoff_sandbox), conversation_id)["comments"]
    link = f"{PUBLIC_URL}/admin/conversations/{conversation_id}"
    assert note["text"].splitlines()[:2] == [
        "Handed off by relaydesk",
        "Reason: the visitor asked for a person; the visitor is frustrated",
    ]
    assert note["text"].endswith(f"Conversation: {link}")
    rich = note["richText"]
    assert rich.startswith("<p><b>Handed off by relaydesk</b></p><ul><li><b>Reason:</b> ")
    assert "<li><b>Identity:</b> verified (jane@example.com)</li>" in rich
    assert f'<a href="{link}">{link}</a>' in rich
    assert "Summary: Wants <b>all</b> refunds & more" in note["text"]
    assert "<li><b>Summary:</b> Wants &lt;b&gt;all&lt;/b&gt; refunds &amp; more</li>" in rich
    assert "<" not in re.sub(r"</?(p|b|ul|li|a)( href=\"[^\"]+\")?>", "", rich)


async def close_by_visitor(runtime: Runtime, conversation_id: str) -> None:
    async with runtime.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        assert await close_conversation(session, runtime.effects, conversation, by="visitor")
        await commit(session)


async def test_the_visitor_ending_the_chat_leaves_a_note_before_the_thread_is_closed(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    organization_id = await connected(runtime, handoff_sandbox)
    conversation_id = await handed_off_conversation(
        runtime, organization_id, Person("Jane", "jane@example.com", True), messages=2, files=0
    )
    await drain(runtime)
    await close_by_visitor(runtime, conversation_id)
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []

    thread = thread_of(await sandbox_state(handoff_sandbox), conversation_id)
    assert thread["status"] == "CLOSED"
    handoff_note, ended = thread["comments"]
    assert ended["text"].startswith("The visitor ended the chat (")
    assert "relaydesk closes this thread" in ended["text"]
    assert ended["richText"].startswith("<p><b>The visitor ended the chat (")
    calls = [
        (r["method"], r.get("body") or {})
        for r in await sandbox_requests(handoff_sandbox)
        if thread["id"] in r["path"] and r["method"] in ("POST", "PATCH")
    ]
    assert [(m, b.get("type") or b.get("status")) for m, b in calls][-2:] == [
        ("POST", "COMMENT"),
        ("PATCH", "CLOSED"),
    ]

    async with runtime.sessions() as session:  # the same close, run again: no second note
        payload = {"conversation_id": conversation_id}
        session.add(
            OutboxJob(kind=events.HUBSPOT_CLOSE_THREAD, payload=payload,
                      ordering_key=conversation_id, dedupe_key=f"again:{conversation_id}",
                      state="pending", run_after=utcnow(), attempts=0)
        )  # fmt: skip
        await session.commit()
    await drain(runtime)
    thread = thread_of(await sandbox_state(handoff_sandbox), conversation_id)
    assert len(thread["comments"]) == 2


async def identity_of(sandbox: RunningSandbox, conversation_id: str) -> str:
    [note] = thread_of(await sandbox_state(sandbox), conversation_id)["comments"]
    [line] = [line for line in note["text"].splitlines() if line.startswith("Identity: ")]
    return str(line)


async def test_a_contact_relaydesk_made_for_the_visitor_is_not_an_existing_one(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    """Unverified emails: the contact this handoff (or an earlier one of the same visitor)
    created is the visitor's own; only a contact that was there before is flagged."""
    organization_id = await connected(runtime, handoff_sandbox)
    typed = Person("Ann", "ann@example.com")
    first = await handed_off_conversation(runtime, organization_id, typed, messages=2, files=0)
    await drain(runtime)
    assert EXISTING not in await identity_of(handoff_sandbox, first)
    assert "not verified (email typed by the visitor: ann@example.com)" in await identity_of(
        handoff_sandbox, first
    )

    async with runtime.sessions() as session:
        row = await session.get(Conversation, first)
        assert row is not None
        visitor_id = row.visitor_id
    again = await handed_off_conversation(
        runtime, organization_id, typed, messages=2, files=0, visitor_id=visitor_id
    )
    someone_else = await handed_off_conversation(
        runtime, organization_id, Person("Not Ann", "ann@example.com"), messages=2, files=0
    )
    await drain(runtime)
    assert EXISTING not in await identity_of(handoff_sandbox, again)
    assert EXISTING in await identity_of(handoff_sandbox, someone_else)
    assert len((await sandbox_state(handoff_sandbox))["contacts"]) == 1


async def test_a_contact_an_interrupted_attempt_of_this_handoff_made_is_not_an_existing_one(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    organization_id = await connected(runtime, handoff_sandbox)
    conversation_id = await handed_off_conversation(
        runtime, organization_id, Person("Bo", "bo@example.com"), messages=2, files=0
    )
    async with runtime.sessions() as session:
        connection = await find_connection(session, organization_id)
    assert connection is not None
    client = portal_client(runtime.hubspot, runtime.sessions, runtime.vault, connection)
    # An earlier run of this job created the contact, then died before storing its id.
    await markers.begin(runtime.sessions, conversation_id, "contact")
    made = await client.create_object("contacts", {"email": "bo@example.com", "firstname": "Bo"})
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []
    [contact] = (await sandbox_state(handoff_sandbox))["contacts"]
    assert contact["id"] == made.id
    assert EXISTING not in await identity_of(handoff_sandbox, conversation_id)


async def test_an_unverified_email_of_a_contact_that_was_there_before_is_flagged(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    organization_id = await connected(runtime, handoff_sandbox)
    conversation_id = await handed_off_conversation(
        runtime, organization_id, Person("Cy", "cy@example.com"), messages=2, files=0
    )
    async with runtime.sessions() as session:
        connection = await find_connection(session, organization_id)
    assert connection is not None
    client = portal_client(runtime.hubspot, runtime.sessions, runtime.vault, connection)
    await client.create_object("contacts", {"email": "cy@example.com", "firstname": "Cy"})
    await drain(runtime)
    assert EXISTING in await identity_of(handoff_sandbox, conversation_id)
