"""The handoff's ticket: subject, priority, the transcript in its description, our tag and
conversation id, in the chosen pipeline, stage and owner, linked to the contact and thread."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ...models import Attachment, Conversation, Handoff, Message
from . import lookups, markers
from .context import Loaded, Portal, StepContext, association, load
from .create_once import create_once
from .properties import ensure_ticket_properties
from .rendering import priority, subject, ticket_description, transcript_text

TICKET_TO_CONTACT, TICKET_TO_THREAD = 16, 32


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
    await ensure_ticket_properties(sync, portal)

    async def find() -> str | None:
        ids = await lookups.search_ids(
            portal.client, "tickets", sync.options.conversation_property, conversation_id
        )
        return ids[0] if ids else None

    async def create() -> str:
        transcript = transcript_text(messages, files)
        properties = ticket_properties(sync, portal, loaded, handoff, transcript)
        return (await portal.client.create_object("tickets", properties, links(conversation))).id

    previous = await markers.begin(sync.sessions, conversation_id, "ticket")
    ticket_id = await create_once(previous.began, find, create, grace_s=sync.options.search_grace_s)
    await markers.finish_on_conversation(
        sync.sessions, conversation_id, "ticket", ticket_id, hubspot_ticket_id=ticket_id
    )
    return ticket_id


def ticket_properties(
    sync: StepContext, portal: Portal, loaded: Loaded, handoff: Handoff, transcript: str
) -> dict[str, str]:
    """What the ticket says, with the admin's pipeline, stage and owner where chosen."""
    properties = {
        "subject": subject(handoff, loaded.visitor),
        "content": ticket_description(handoff, transcript),
        "hs_ticket_priority": priority(handoff),
        "source_type": "CHAT",
        portal.look.tag_property: portal.look.tag_value,
        sync.options.conversation_property: loaded.conversation.id,
    }
    chosen = (
        ("hs_pipeline", portal.pipeline_id),
        ("hs_pipeline_stage", portal.stage_id),
        ("hubspot_owner_id", portal.owner_id),
    )
    return properties | {k: v for k, v in chosen if v}


def links(conversation: Conversation) -> list[dict[str, object]]:
    """The ticket's associations: the contact and the thread, those that exist."""
    return [
        association(to_id, type_id)
        for to_id, type_id in (
            (conversation.hubspot_contact_id, TICKET_TO_CONTACT),
            (conversation.hubspot_thread_id, TICKET_TO_THREAD),
        )
        if to_id
    ]


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
