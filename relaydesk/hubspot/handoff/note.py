"""The rep-only note: a COMMENT on the thread, or (without a thread) a CRM note on the ticket and
contact; and, in private-app mode, each message written after the handoff as a note of its own."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from sqlalchemy import select

from ...models import Attachment, Conversation, Message, utcnow
from . import lookups, markers, status
from .context import Portal, StepContext, StepRefused, association, load, store_values
from .create_once import create_once
from .rendering import PUBLISHED_ROLES, admin_url, follow_up_text, handoff_note, iso

NOTE_TO_TICKET, NOTE_TO_CONTACT = 228, 202


async def note_step(sync: StepContext, portal: Portal, conversation_id: str) -> str:
    """The rep-only note: a COMMENT on the thread; without a thread (private-app mode, or a
    thread HubSpot refused) a CRM note on the ticket and contact. It says what is missing."""
    async with sync.sessions() as session:
        loaded = await load(session, conversation_id)
        missing = await status.missing(session, conversation_id, portal.mode)
    conversation, visitor, handoff = loaded.conversation, loaded.visitor, loaded.handoff
    if conversation.hubspot_note_id:
        return conversation.hubspot_note_id
    assert handoff is not None
    thread_id, ticket_id = conversation.hubspot_thread_id, conversation.hubspot_ticket_id
    if not (thread_id or ticket_id):
        raise StepRefused("neither a thread nor a ticket to write the note on")
    link = admin_url(sync.public_base_url, conversation_id)
    linked_existing = bool(
        not visitor.verified
        and visitor.email
        and conversation.hubspot_contact_id
        and conversation.hubspot_contact_id != visitor.hubspot_contact_id
    )
    note = handoff_note(handoff, conversation, visitor, linked_existing, link, missing)

    async def find() -> str | None:
        if thread_id:
            found = await lookups.find_comment(portal.client, thread_id, link)
            return found.id if found else None
        # A CRM note, found again by the conversation id in its link.
        ids = await lookups.search_ids(
            portal.client, "notes", "hs_note_body", conversation_id, "CONTAINS_TOKEN"
        )
        return ids[0] if ids else None

    async def create() -> str:
        if thread_id:
            return (await portal.client.add_comment(thread_id, note.text, note.html)).id
        return await create_crm_note(portal, conversation, note.html)

    previous = await markers.begin(sync.sessions, conversation_id, "note")
    note_id = await create_once(previous.began, find, create, grace_s=sync.options.search_grace_s)
    await markers.finish_on_conversation(
        sync.sessions, conversation_id, "note", note_id, hubspot_note_id=note_id
    )
    return note_id


async def follow_up_note(
    sync: StepContext, portal: Portal, conversation_id: str, message_id: str
) -> str | None:
    """Private-app mode: a message written after the handoff, as a CRM note on the ticket and
    the contact (there is no thread). The start is committed first, so a run after a crash
    looks for the note (by the message id in it) before writing it again."""
    async with sync.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        message = await session.get(Message, message_id)
        if conversation is None or message is None or message.role not in PUBLISHED_ROLES:
            return None
        if message.hubspot_note_id:
            return message.hubspot_note_id
        attachments = list(
            await session.scalars(
                select(Attachment)
                .where(Attachment.message_id == message_id)
                .order_by(Attachment.created_at, Attachment.id)
            )
        )

    async def find() -> str | None:
        ids = await lookups.search_ids(
            portal.client, "notes", "hs_note_body", message_id, "CONTAINS_TOKEN"
        )
        return ids[0] if ids else None

    async def begin() -> None:
        await store_values(sync, Message, message_id, hubspot_note_started_at=utcnow())

    async def create() -> str:
        text = follow_up_text(
            message, attachments, admin_url(sync.public_base_url, conversation_id)
        )
        body = html.escape(text).replace("\n", "<br>")  # the body is HTML; visitors write text
        return await create_crm_note(portal, conversation, body)

    started = message.hubspot_note_started_at
    grace = sync.options.search_grace_s
    note_id = await create_once(started, find, create, grace_s=grace, begin=begin)
    await store_values(sync, Message, message_id, hubspot_note_id=note_id)
    return note_id


async def create_crm_note(portal: Portal, conversation: Conversation, body: str) -> str:
    """A CRM note (`body` is HTML) on the conversation's ticket and contact, where they exist."""
    properties = {"hs_note_body": body, "hs_timestamp": iso(now())}
    links = [
        association(to_id, type_id)
        for to_id, type_id in (
            (conversation.hubspot_ticket_id, NOTE_TO_TICKET),
            (conversation.hubspot_contact_id, NOTE_TO_CONTACT),
        )
        if to_id
    ]
    return (await portal.client.create_object("notes", properties, links)).id


def now() -> datetime:
    return datetime.now(UTC)
