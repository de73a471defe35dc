"""relaydesk's own properties on HubSpot records: the ticket's tag and conversation id, the
anonymous contact's visitor id. Each is created once per portal."""

from __future__ import annotations

from ..api.errors import Conflict
from .context import Portal, StepContext

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


async def ensure_ticket_properties(sync: StepContext, portal: Portal) -> None:
    """The ticket's tag and conversation-id properties."""
    tag = portal.look.tag_property
    await ensure_property(sync, portal, "tickets", tag, "relaydesk handoff tag")
    await ensure_property(
        sync, portal, "tickets", sync.options.conversation_property, "relaydesk conversation"
    )
