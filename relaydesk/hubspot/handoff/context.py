"""What every step of a handoff works with: the connected portal, our database and files, the
conversation's rows, and how a step says it cannot be done.

A step reads our rows in one short transaction, calls HubSpot with no transaction open, and
stores what HubSpot answered in another. A step goes without what a step before it could not make
(the ticket without a thread, the note on the ticket): it raises `StepRefused` only when it
cannot be made at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...files import MESSAGE_LIMITS, FileStore, MessageLimits
from ...models import Attachment, Conversation, Handoff, Message, Visitor
from ..api.client import HubSpotClient
from .options import HandoffLook, SyncOptions


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


async def store_values(
    sync: StepContext, model: type[Attachment | Message], row_id: str, **values: Any
) -> None:
    """Values on one of our rows, committed at once (ids and markers of the HubSpot calls)."""
    async with sync.sessions() as session:
        await session.execute(update(model).where(model.id == row_id).values(**values))
        await session.commit()
