"""Server-side admin sessions: the browser holds a random token, we keep its hash and CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from .accounts import OrgRole, memberships_of
from .errors import Forbidden
from .models import AdminSession, User, utcnow

SESSION_TTL = timedelta(hours=12)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


async def start_session(session: AsyncSession, user: User) -> str:
    """A new session in the user's first organization; returns the cookie token."""
    memberships = await memberships_of(session, user.id)
    if not memberships:
        raise Forbidden("this account belongs to no organization", code="no_organization")
    token = secrets.token_urlsafe(32)
    await session.execute(delete(AdminSession).where(AdminSession.expires_at < utcnow()))
    session.add(
        AdminSession(
            id=_digest(token),
            user_id=user.id,
            organization_id=memberships[0].organization.id,
            csrf_token=secrets.token_urlsafe(32),
            expires_at=utcnow() + SESSION_TTL,
        )
    )
    await session.flush()
    return token


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, in which organization and role, and where else they may switch."""

    admin_session: AdminSession
    user: User
    current: OrgRole
    memberships: list[OrgRole]

    @property
    def csrf_token(self) -> str:
        return self.admin_session.csrf_token


async def load_session(session: AsyncSession, token: str) -> SignedIn | None:
    row = (
        await session.execute(
            select(AdminSession, User)
            .join(User, User.id == AdminSession.user_id)
            .where(AdminSession.id == _digest(token), AdminSession.expires_at > utcnow())
        )
    ).first()
    if row is None:
        return None
    admin_session, user = row
    memberships = await memberships_of(session, user.id)
    current = next(
        (m for m in memberships if m.organization.id == admin_session.organization_id), None
    )
    if current is None:  # removed from the organization since signing in
        return None
    return SignedIn(admin_session, user, current, memberships)


async def switch_organization(session: AsyncSession, signed_in: SignedIn, org_id: str) -> None:
    if not any(m.organization.id == org_id for m in signed_in.memberships):
        raise Forbidden("you are not a member of that organization")
    signed_in.admin_session.organization_id = org_id


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(AdminSession).where(AdminSession.id == _digest(token)))


async def revoke_sessions(session: AsyncSession, user_id: str, *, keep: str | None = None) -> int:
    """End every session of the user except the one whose id is `keep`; returns how many."""
    query = delete(AdminSession).where(AdminSession.user_id == user_id)
    if keep is not None:
        query = query.where(AdminSession.id != keep)
    result = await session.execute(query)
    return int(result.rowcount)  # type: ignore[attr-defined]
