"""The channel's limits are one truth: the files of a visitor message reach HubSpot's thread in
as many channel messages as its capabilities need, and a file the channel cannot take is named
in the transcript instead of holding up the handoff."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import Select, select

from hubspot_sandbox import RunningSandbox
from relaydesk.files import MESSAGE_LIMITS
from relaydesk.hubspot.connect.channel import CAPABILITIES
from relaydesk.hubspot.handoff.status import sync_status
from relaydesk.models import Attachment, Conversation, Message
from relaydesk.runtime import Runtime

from .world import (
    Person,
    attach,
    connect,
    drain,
    failed_jobs,
    handed_off_conversation,
    new_organization,
    sandbox_requests,
    sandbox_state,
)

PDF = b"%PDF-1.4\n% a scanned receipt\n"


async def seven_files_one_too_large(runtime: Runtime, sandbox: RunningSandbox) -> str:
    """A handed-off conversation whose third message (the visitor's) carries 7 files: the
    fourth is larger than the channel takes."""
    organization_id = await new_organization(runtime)
    await connect(runtime, sandbox, organization_id)
    person = Person("Jane Doe", "jane@example.com", verified=True)
    conversation_id = await handed_off_conversation(
        runtime, organization_id, person, messages=4, files=0
    )
    big = b"%PDF-1.4\n" + b"0" * (MESSAGE_LIMITS.file_bytes + 1)
    files = [(f"scan-{n}.pdf", big if n == 4 else PDF * n, "application/pdf") for n in range(1, 8)]
    await attach(runtime, conversation_id, 3, files)
    return conversation_id


async def test_seven_files_one_too_large_reach_the_thread_in_parts_and_the_rest_is_made(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    conversation_id = await seven_files_one_too_large(runtime, handoff_sandbox)
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []

    state = await sandbox_state(handoff_sandbox)
    [thread] = state["threads"]
    texts = [m["text"] for m in thread["messages"]]
    # The visitor's message becomes two channel messages in a row: 5 files, then 1.
    first, more = thread["messages"][2], thread["messages"][3]
    assert first["text"].startswith("message 3 from the visitor")
    refused = (
        "File scan-4.pdf could not be attached: it is larger than the 10 MB per file HubSpot's "
        "chat channel takes"
    )
    assert refused in first["text"]
    assert more["text"] == "More files of this message (6-6 of 6)"
    assert [a["name"].split("-", 1)[1] for a in first["attachments"] + more["attachments"]] == [
        "scan-1.pdf", "scan-2.pdf", "scan-3.pdf", "scan-5.pdf", "scan-6.pdf", "scan-7.pdf"
    ]  # fmt: skip
    assert [len(first["attachments"]), len(more["attachments"])] == [5, 1]
    assert len(texts) == 5 and texts[4].startswith("message 4 from the ai")
    assert len(state["files"]) == 6  # the large one never went to the File Manager

    [ticket] = state["tickets"]
    assert refused in ticket["properties"]["content"]
    assert [t["id"] for t in ticket["associations"]["threads"]] == [thread["id"]]
    [note] = thread["comments"]
    assert "Handed off by relaydesk" in note["text"]

    async with runtime.sessions() as session:
        steps = {s.step: s for s in await sync_status(session, conversation_id)}
        rows = await session.scalars(
            select_attachments(conversation_id).where(Attachment.name == "scan-4.pdf")
        )
        [large] = rows
    assert large.hubspot_file_id is None and large.hubspot_refusal
    assert (steps["files"].state, steps["files"].detail) == (
        "done",
        "6 of 7 files uploaded, 1 not taken by HubSpot",
    )
    assert steps["thread"].state == steps["ticket"].state == steps["note"].state == "done"

    # Each part was its own publish, with an idempotency id of its own, in order.
    async with runtime.sessions() as session:
        message = await session.scalar(select_message(conversation_id, 3))
    assert message is not None
    published = [
        r["body"]["integrationIdempotencyId"]
        for r in await sandbox_requests(handoff_sandbox)
        if re.search(r"custom-channels/.+/messages$", r["path"]) and r["status"] == 201
    ]
    assert published[2:4] == [message.id, f"{message.id}-1"]


async def test_a_channel_declaring_narrower_limits_refuses_and_the_files_are_named_instead(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    """A channel registered with other capabilities (only PNG images): the sandbox refuses the
    publish as HubSpot does, and the message goes without its files, naming them."""
    await seven_files_one_too_large(runtime, handoff_sandbox)
    [channel] = (await sandbox_state(handoff_sandbox))["channels"]
    narrower = CAPABILITIES | {"allowedFileAttachmentMimeTypes": ["image/png"]}
    config = handoff_sandbox.config
    async with httpx.AsyncClient(base_url=handoff_sandbox.base_url) as http:
        answer = await http.patch(
            f"/conversations/v3/custom-channels/{channel['id']}",
            params={"hapikey": config.developer_api_key, "appId": config.app_id},
            json={"capabilities": narrower},
        )
        assert answer.status_code == 200, answer.text
    await drain(runtime)
    assert await failed_jobs(runtime.sessions) == []

    state = await sandbox_state(handoff_sandbox)
    [thread] = state["threads"]
    first, more = thread["messages"][2], thread["messages"][3]
    assert first["attachments"] == more["attachments"] == []
    assert "File scan-1.pdf could not be attached: HubSpot refused it: File " in first["text"]
    assert "which the channel does not allow" in first["text"]
    assert "File scan-7.pdf could not be attached" in more["text"]
    refusals = [
        r for r in await sandbox_requests(handoff_sandbox)
        if re.search(r"custom-channels/.+/messages$", r["path"]) and r["status"] == 400
    ]  # fmt: skip
    assert len(refusals) == 2
    [ticket] = state["tickets"]
    assert "File scan-5.pdf could not be attached" in ticket["properties"]["content"]


async def test_the_inbox_shows_each_published_message_at_its_own_time(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    organization_id = await new_organization(runtime)
    await connect(runtime, handoff_sandbox, organization_id)
    conversation_id = await handed_off_conversation(
        runtime, organization_id, Person("Jane Doe", "jane@example.com", True), messages=2, files=0
    )
    await drain(runtime)
    async with runtime.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        first = await session.scalar(select_message(conversation_id, 1))
    assert conversation is not None and first is not None
    async with httpx.AsyncClient(base_url=handoff_sandbox.base_url) as browser:
        page = (await browser.get(f"/inbox/threads/{conversation.hubspot_thread_id}")).text
    # The transcript's messages were written minutes before they were published.
    assert first.created_at.strftime("%d %b %H:%M UTC") in page


def select_attachments(conversation_id: str) -> Select[Attachment]:
    return select(Attachment).join(Message).where(Message.conversation_id == conversation_id)


def select_message(conversation_id: str, seq: int) -> Select[Message]:
    return select(Message).where(Message.conversation_id == conversation_id, Message.seq == seq)
