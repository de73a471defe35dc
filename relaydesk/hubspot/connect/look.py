"""How an organization's handoffs look in HubSpot, as the admin chooses: the AI's sender name,
the ticket's tag property and value, checked against what HubSpot would refuse."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ...errors import InvalidInput
from ..handoff.options import SyncOptions
from . import connections as conn

TAG_PROPERTY = re.compile(r"[a-z][a-z0-9_]{0,99}")
# Ticket properties the sync sets itself; the tag cannot take one of their names.
RESERVED_PROPERTIES = {"subject", "content", "source_type", "hubspot_owner_id"}


@dataclass(frozen=True)
class LookChoices:
    """What the admin typed; blank means the default."""

    ai_name: str
    tag_property: str
    tag_value: str


def checked_look(
    chosen: LookChoices, conversation_property: str = SyncOptions.conversation_property
) -> LookChoices:
    """Trimmed choices, or `InvalidInput` saying what HubSpot would refuse."""
    ai_name, prop, value = (v.strip() for v in (chosen.ai_name, chosen.tag_property,
                                                chosen.tag_value))  # fmt: skip
    for label, text in (("the AI's name", ai_name), ("the tag value", value)):
        if len(text) > 100:
            raise InvalidInput(f"{label} is longer than 100 characters")
    if prop:
        if not TAG_PROPERTY.fullmatch(prop):
            raise InvalidInput(
                "the tag property's internal name takes lowercase letters, digits and "
                "underscores, starts with a letter and has at most 100 characters"
            )
        if prop.startswith("hs_") or prop in RESERVED_PROPERTIES | {conversation_property}:
            raise InvalidInput(f"{prop} is a property HubSpot or relaydesk already uses")
    return LookChoices(ai_name, prop, value)


async def save_look(session: AsyncSession, organization_id: str, chosen: LookChoices) -> None:
    """Store how this organization's next handoffs look in HubSpot (the caller commits)."""
    checked = checked_look(chosen)
    row = await conn.connection_for(session, organization_id)
    row.ai_sender_name = checked.ai_name or None
    row.ticket_tag_property = checked.tag_property or None
    row.ticket_tag_value = checked.tag_value or None
