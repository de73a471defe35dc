"""The handoff's contact: the visitor's own (verified) contact, the one with their email, or
an anonymous contact that carries our visitor id."""

from __future__ import annotations

from ...models import Conversation, StepState, Visitor
from ..api.client import HubSpotClient
from ..api.errors import Conflict, NotFound
from . import lookups, markers
from .context import Portal, StepContext, load
from .create_once import create_once
from .properties import ensure_property


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
    """The contact with `email`, and whether this handoff made it. HubSpot deduplicates by
    email, so no grace is needed: a contact found after an interrupted create of this handoff
    (its `started` marker) is the one that create made."""
    previous = await markers.marker(sync.sessions, conversation_id, "contact")
    found = await find_contact(portal.client, email)
    if found is not None:
        return found, previous.state == StepState.STARTED
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

    async def create() -> str:
        properties = contact_properties(visitor, None) | {name: visitor.id}
        return (await portal.client.create_object("contacts", properties)).id

    previous = await markers.begin(sync.sessions, conversation_id, "contact")
    return await create_once(previous.began, find, create, grace_s=sync.options.search_grace_s)


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
