"""HubSpot's `contact.privacyDeletion`: a contact permanently deleted in HubSpot for privacy
reasons erases, here, every visitor linked to it in the portal that sent the event (the visitor
row's contact, or a conversation's), with an audit entry naming HubSpot as who erased them."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ...db import commit
from ...erasure import Erased, erase_visitors, remove_files
from ...models import Conversation, HubSpotConnection, Visitor, WebhookDelivery
from .parse import PRIVACY_DELETION, AppEvent
from .store import Inbound, settle


async def privacy_deletion(inbound: Inbound, delivery: WebhookDelivery) -> None:
    event = AppEvent.model_validate(delivery.payload)
    portal, contact = str(event.portal_id or ""), str(event.object_id)
    actor = f"HubSpot {PRIVACY_DELETION} (portal {portal}, contact {contact})"
    erased = Erased()
    async with inbound.sessions() as session:
        linked = await linked_visitors(session, portal, contact, delivery.organization_id)
        if not linked:
            await session.rollback()
            return await inbound.skip(delivery.id, "no visitor is linked to this contact")
        for organization_id, visitor_ids in linked.items():
            erased.add(
                await erase_visitors(
                    session, inbound.effects.wakeup, organization_id, visitor_ids, actor
                )
            )
        await settle(session, delivery.id)
        await commit(session)
    await remove_files(inbound.files, erased)
    return None


async def linked_visitors(
    session: AsyncSession, portal: str, contact: str, organization_id: str | None
) -> dict[str, list[str]]:
    """The visitors linked to the contact, by organization, among the organizations connected
    to that portal (only the given one, for a per-organization webhook URL)."""
    in_conversation = select(Conversation.visitor_id).where(
        Conversation.hubspot_contact_id == contact
    )
    query = (
        select(Visitor.organization_id, Visitor.id)
        .join(HubSpotConnection, HubSpotConnection.organization_id == Visitor.organization_id)
        .where(
            HubSpotConnection.portal_id == portal,
            or_(Visitor.hubspot_contact_id == contact, Visitor.id.in_(in_conversation)),
        )
    )
    if organization_id is not None:
        query = query.where(Visitor.organization_id == organization_id)
    linked: dict[str, list[str]] = {}
    for org, visitor in await session.execute(query):
        linked.setdefault(org, []).append(visitor)
    return linked
