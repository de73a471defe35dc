"""The steps of a handoff into HubSpot, each idempotent and each storing ids the moment known:
contact, ticket and note here; the thread (the transcript) in `channel_messages.py`.

A step reads our rows in one short transaction, calls HubSpot with no transaction open, and
stores what HubSpot answered in another. Creates that HubSpot cannot deduplicate are preceded by
a committed `started` marker, so a run after a crash looks for the record before creating it.
A step goes without what a step before it could not make (the ticket without a thread, the
note on the ticket): it raises `StepRefused` only when it cannot be made at all.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...files import MESSAGE_LIMITS, FileStore, MessageLimits
from ...models import Attachment, Conversation, Handoff, Message, Visitor, utcnow
from ...worker import RetryLater
from ..api.client import HubSpotClient
from ..api.errors import Conflict, NotFound
from . import lookups, markers
from .rendering import (
    PUBLISHED_ROLES,
    HandoffLook,
    SyncOptions,
    admin_url,
    follow_up_text,
    handoff_note,
    iso,
    priority,
    subject,
    ticket_description,
    transcript_text,
)

TICKET_TO_CONTACT, TICKET_TO_THREAD = 16, 32
# How soon a run waiting on HubSpot's search index looks again.
SEARCH_RECHECK_S = 2.0
NOTE_TO_TICKET, NOTE_TO_CONTACT = 228, 202


@dataclass(frozen=True)
class Portal:
    """The organization's connected portal, as a handoff job sees it."""

    client: HubSpotClient
    portal_id: str
    mode: str
    channel_id: str | None
    channel_account_id: str | None
    pipeline_id: str | None
    stage_id: str | None
    owner_id: str | None
    look: HandoffLook


@dataclass
class StepContext:
    """What every step reaches: our database, our files, how things look in HubSpot."""

    sessions: async_sessionmaker[AsyncSession]
    files: FileStore
    options: SyncOptions
    public_base_url: str
    known_properties: set[tuple[str, str]] = field(default_factory=set)
    # What the channel relaydesk registered carries (its declared capabilities).
    limits: MessageLimits = MESSAGE_LIMITS


class StepRefused(Exception):
    """A step that cannot be done, now or on a retry (HubSpot's 4xx are the same): the steps
    that need it go on without it."""


@dataclass
class Loaded:
    conversation: Conversation
    visitor: Visitor
    handoff: Handoff | None


async def load(session: AsyncSession, conversation_id: str) -> Loaded:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise LookupError(f"no conversation {conversation_id}")
    visitor = await session.get(Visitor, conversation.visitor_id)
    assert visitor is not None
    handoff = await session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation_id)
    )
    return Loaded(conversation, visitor, handoff)


def association(to_id: str, type_id: int) -> dict[str, object]:
    return {
        "to": {"id": to_id},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
    }


# Contact -------------------------------------------------------------------------------------


def contact_properties(visitor: Visitor, email: str | None) -> dict[str, str]:
    first, _, last = (visitor.name or "").strip().partition(" ")
    properties = {"email": email} if email else {}
    properties["firstname"] = first or ("" if email else "Website visitor")
    if last:
        properties["lastname"] = last
    return {k: v for k, v in properties.items() if v}


async def find_contact(client: HubSpotClient, email: str) -> str | None:
    try:
        return (await client.get_contact_by_email(email, ["email"])).id
    except NotFound:
        return None


async def create_contact(client: HubSpotClient, visitor: Visitor, email: str) -> tuple[str, bool]:
    """A new contact (and True); a duplicate email answers 409 with the id that already has it
    (and False: it existed)."""
    try:
        return (await client.create_object("contacts", contact_properties(visitor, email))).id, True
    except Conflict as exists:
        if exists.existing_id:
            return exists.existing_id, False
        found = await client.search_contacts_by_email(email)
        if not found:
            raise
        return found[0].id, False


async def contact_by_email(
    sync: StepContext, portal: Portal, conversation_id: str, visitor: Visitor, email: str
) -> tuple[str, bool]:
    """The contact with `email`, and whether this handoff made it. A contact found after an
    interrupted create of this handoff (its `started` marker) is the one that create made."""
    previous = await markers.marker(sync.sessions, conversation_id, "contact")
    found = await find_contact(portal.client, email)
    if found is not None:
        return found, previous.state == "started"
    await markers.begin(sync.sessions, conversation_id, "contact")
    return await create_contact(portal.client, visitor, email)


async def create_anonymous_contact(
    sync: StepContext, portal: Portal, conversation_id: str, visitor: Visitor
) -> str:
    """A visitor without an email gives HubSpot nothing to deduplicate on: the contact carries
    our visitor id, and a run that finds an interrupted create looks for it before creating."""
    name = sync.options.visitor_property
    await ensure_property(sync, portal, "contacts", name, "relaydesk visitor")

    async def find() -> str | None:
        ids = await lookups.search_ids(portal.client, "contacts", name, visitor.id)
        return ids[0] if ids else None

    previous = await markers.begin(sync.sessions, conversation_id, "contact")
    found = await recover(sync, previous, find)
    if found is not None:
        return found
    properties = contact_properties(visitor, None) | {name: visitor.id}
    return (await portal.client.create_object("contacts", properties)).id


async def contact_step(sync: StepContext, portal: Portal, conversation_id: str) -> str:
    async with sync.sessions() as session:
        loaded = await load(session, conversation_id)
    conversation, visitor = loaded.conversation, loaded.visitor
    if conversation.hubspot_contact_id:
        return conversation.hubspot_contact_id
    email = visitor.verified_email or visitor.email
    contact_id = visitor.hubspot_contact_id if visitor.verified else None
    made = False  # by relaydesk for this visitor: not "an existing contact" in the note
    if contact_id is None and email:
        contact_id, made = await contact_by_email(sync, portal, conversation_id, visitor, email)
    elif contact_id is None:
        contact_id = visitor.hubspot_contact_id or await create_anonymous_contact(
            sync, portal, conversation_id, visitor
        )
    async with sync.sessions() as session:
        row = await session.get(Conversation, conversation_id)
        person = await session.get(Visitor, visitor.id)
        assert row is not None and person is not None
        row.hubspot_contact_id = contact_id
        if made or (person.hubspot_contact_id is None and (person.verified or not email)):
            person.hubspot_contact_id = contact_id
        await markers.finish(session, conversation_id, "contact", contact_id)
        await session.commit()
    return contact_id


async def store_values(
    sync: StepContext, model: type[Attachment | Message], row_id: str, **values: Any
) -> None:
    """Values on one of our rows, committed at once (ids and markers of the HubSpot calls)."""
    async with sync.sessions() as session:
        await session.execute(update(model).where(model.id == row_id).values(**values))
        await session.commit()


# Ticket ----------------------------------------------------------------------------------------


PROPERTY_GROUPS = {"contacts": "contactinformation", "tickets": "ticketinformation"}


async def ensure_property(
    sync: StepContext, portal: Portal, object_type: str, name: str, label: str
) -> None:
    """A text property of ours, created once per portal (409 = it exists already)."""
    known = (portal.portal_id, f"{object_type}:{name}")
    if known in sync.known_properties:
        return
    body = {
        "name": name,
        "label": label,
        "type": "string",
        "fieldType": "text",
        "groupName": PROPERTY_GROUPS[object_type],
    }
    try:
        await portal.client.create_property(object_type, body)
    except Conflict:
        pass
    sync.known_properties.add(known)


async def ensure_properties(sync: StepContext, portal: Portal) -> None:
    """The ticket's tag and conversation-id properties."""
    tag = portal.look.tag_property
    await ensure_property(sync, portal, "tickets", tag, "relaydesk handoff tag")
    await ensure_property(
        sync, portal, "tickets", sync.options.conversation_property, "relaydesk conversation"
    )


async def recover(
    sync: StepContext, previous: markers.StepMarker, find: lookups.Finder
) -> str | None:
    """After an interrupted create: the record it made, or None once search had time to see it."""
    if previous.state != "started":
        return None
    found = await find()
    if found is not None:
        return found
    waited = (utcnow() - previous.updated_at).total_seconds()
    if waited < sync.options.search_grace_s:
        # Look again soon: the index usually catches up in a second or two.
        again = min(SEARCH_RECHECK_S, sync.options.search_grace_s - waited)
        raise RetryLater("waiting for HubSpot's search index", again)
    return None


async def ticket_step(sync: StepContext, portal: Portal, conversation_id: str) -> str:
    async with sync.sessions() as session:
        loaded = await load(session, conversation_id)
        messages = list(
            await session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.seq)
            )
        )
        files = await unpublished_files(session, messages)
    conversation, handoff = loaded.conversation, loaded.handoff
    if conversation.hubspot_ticket_id:
        return conversation.hubspot_ticket_id
    assert handoff is not None
    await ensure_properties(sync, portal)
    options = sync.options

    async def find() -> str | None:
        ids = await lookups.search_ids(
            portal.client, "tickets", options.conversation_property, conversation_id
        )
        return ids[0] if ids else None

    previous = await markers.begin(sync.sessions, conversation_id, "ticket")
    ticket_id = await recover(sync, previous, find)
    if ticket_id is None:
        properties = {
            "subject": subject(handoff, loaded.visitor),
            "content": ticket_description(handoff, transcript_text(messages, files)),
            "hs_ticket_priority": priority(handoff),
            "source_type": "CHAT",
            portal.look.tag_property: portal.look.tag_value,
            options.conversation_property: conversation_id,
        }
        properties |= {
            k: v
            for k, v in (
                ("hs_pipeline", portal.pipeline_id),
                ("hs_pipeline_stage", portal.stage_id),
                ("hubspot_owner_id", portal.owner_id),
            )
            if v
        }
        links = [
            association(to_id, type_id)
            for to_id, type_id in (
                (conversation.hubspot_contact_id, TICKET_TO_CONTACT),
                (conversation.hubspot_thread_id, TICKET_TO_THREAD),
            )
            if to_id
        ]
        ticket_id = (await portal.client.create_object("tickets", properties, links)).id
    async with sync.sessions() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(hubspot_ticket_id=ticket_id)
        )
        await markers.finish(session, conversation_id, "ticket", ticket_id)
        await session.commit()
    return ticket_id


async def unpublished_files(
    session: AsyncSession, messages: list[Message]
) -> dict[str, list[Attachment]]:
    if not messages:
        return {}
    rows = await session.scalars(
        select(Attachment).where(Attachment.message_id.in_([m.id for m in messages]))
    )
    grouped: dict[str, list[Attachment]] = {}
    for attachment in rows:
        grouped.setdefault(attachment.message_id or "", []).append(attachment)
    return grouped


# Note ------------------------------------------------------------------------------------------


async def note_step(sync: StepContext, portal: Portal, conversation_id: str) -> str:
    """The rep-only note: a COMMENT on the thread; without a thread (private-app mode, or a
    thread HubSpot refused) a CRM note on the ticket and contact. It says what is missing."""
    async with sync.sessions() as session:
        loaded = await load(session, conversation_id)
        missing = await markers.missing(session, conversation_id, portal.mode)
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
    previous = await markers.begin(sync.sessions, conversation_id, "note")
    if thread_id:

        async def find() -> str | None:
            found = await lookups.find_comment(portal.client, thread_id, link)
            return found.id if found else None

        note_id = await recover(sync, previous, find)
        if note_id is None:
            note_id = (await portal.client.add_comment(thread_id, note.text, note.html)).id
    else:  # a CRM note, found again by the conversation id in its link

        async def find_note() -> str | None:
            ids = await lookups.search_ids(
                portal.client, "notes", "hs_note_body", conversation_id, "CONTAINS_TOKEN"
            )
            return ids[0] if ids else None

        note_id = await recover(sync, previous, find_note)
        if note_id is None:
            note_id = await create_crm_note(portal, conversation, note.html)
    async with sync.sessions() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(hubspot_note_id=note_id)
        )
        await markers.finish(session, conversation_id, "note", note_id)
        await session.commit()
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
    started = message.hubspot_note_started_at
    note_id = None
    if started is not None:

        async def find() -> str | None:
            ids = await lookups.search_ids(
                portal.client, "notes", "hs_note_body", message_id, "CONTAINS_TOKEN"
            )
            return ids[0] if ids else None

        note_id = await recover(sync, markers.StepMarker("started", 1, started), find)
    if note_id is None:
        if started is None:
            await store_values(sync, Message, message_id, hubspot_note_started_at=utcnow())
        link = admin_url(sync.public_base_url, conversation_id)
        text = follow_up_text(message, attachments, link)
        body = html.escape(text).replace("\n", "<br>")  # the body is HTML; visitors write text
        note_id = await create_crm_note(portal, conversation, body)
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
