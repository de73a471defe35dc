"""Domain actions on visitors: a new anonymous one, the one visitor of a verified email, the name
and email a visitor typed. One function per verb, never commit."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .identity import IdentityClaims
from .models import Conversation, Organization, Visitor, utcnow


async def new_visitor(session: AsyncSession, organization: Organization) -> Visitor:
    visitor = Visitor(organization_id=organization.id, custom_data={})
    session.add(visitor)
    await session.flush()
    return visitor


async def verified_visitor(
    session: AsyncSession,
    organization: Organization,
    claims: IdentityClaims,
    previous: Visitor | None,
) -> Visitor:
    """The one visitor of a verified email; an anonymous visitor's conversations move to it."""
    email = str(claims.email).lower()
    visitor = await _verified_by_email(session, organization, email)
    if visitor is None:
        try:
            async with session.begin_nested():
                visitor = Visitor(
                    organization_id=organization.id, verified_email=email, custom_data={}
                )
                session.add(visitor)
        except IntegrityError:  # the same person, verified in another browser at this moment
            visitor = await _verified_by_email(session, organization, email)
            assert visitor is not None
    visitor.email = email
    visitor.name = claims.name or visitor.name
    visitor.external_id = claims.external_id or visitor.external_id
    visitor.custom_data = {**visitor.custom_data, **claims.custom_data}
    visitor.last_seen_at = utcnow()
    await session.flush()
    if previous is not None and not previous.verified and previous.id != visitor.id:
        await session.execute(
            update(Conversation)
            .where(Conversation.visitor_id == previous.id)
            .values(visitor_id=visitor.id)
        )
    return visitor


async def _verified_by_email(
    session: AsyncSession, organization: Organization, email: str
) -> Visitor | None:
    return await session.scalar(
        select(Visitor).where(
            Visitor.organization_id == organization.id, Visitor.verified_email == email
        )
    )


def update_profile(visitor: Visitor, name: str | None, email: str | None) -> None:
    """Name and email typed by the visitor: stored, never treated as verified."""
    if name is not None:
        visitor.name = name.strip()[:200] or None
    if email is not None and not visitor.verified:
        visitor.email = email.strip().lower() or None
