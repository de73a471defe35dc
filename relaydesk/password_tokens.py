"""Single-use links to set a password: a reset (valid one hour) or an invitation (seven days).

The link carries a random token; the row keeps only its SHA-256, so a copy of the database opens
no account. Using a link deletes its row in the statement that checks it, so of two uses at once
only one succeeds, and setting a password by any way deletes every link its user still had.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import NotFound
from .models import Organization, PasswordToken, User, utcnow

RESET = "reset"
INVITE = "invite"
VALID_FOR = {RESET: timedelta(hours=1), INVITE: timedelta(days=7)}
LINK_PATH = "/admin/login/password"
INVALID = "this link is no longer valid: it was used, replaced by a newer one, or it expired"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}{LINK_PATH}?token={token}"


async def issue_token(
    session: AsyncSession, user: User, purpose: str, organization_id: str | None = None
) -> str:
    """A new link's token; the user's earlier links of this purpose stop working."""
    now = utcnow()
    await session.execute(
        delete(PasswordToken).where(
            or_(
                PasswordToken.expires_at <= now,
                (PasswordToken.user_id == user.id) & (PasswordToken.purpose == purpose),
            )
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordToken(
            id=digest(token),
            user_id=user.id,
            purpose=purpose,
            organization_id=organization_id,
            created_at=now,
            expires_at=now + VALID_FOR[purpose],
        )
    )
    await session.flush()
    return token


@dataclass(frozen=True)
class OpenLink:
    """A valid link: whose password it sets, why, and (for an invitation) from where."""

    user: User
    purpose: str
    organization: Organization | None


async def open_link(session: AsyncSession, token: str) -> OpenLink:
    """The valid link `token` belongs to, else `NotFound` (unknown, used and expired alike)."""
    row = (
        await session.execute(
            select(PasswordToken, User, Organization)
            .join(User, User.id == PasswordToken.user_id)
            .outerjoin(Organization, Organization.id == PasswordToken.organization_id)
            .where(PasswordToken.id == digest(token), PasswordToken.expires_at > utcnow())
        )
    ).first()
    if row is None:
        raise NotFound(INVALID, code="link_invalid")
    link, user, organization = row
    return OpenLink(user, link.purpose, organization)


async def use_link(session: AsyncSession, token: str) -> None:
    """Spend the link: deleted by the statement that finds it valid, so it works once."""
    spent = await session.execute(
        delete(PasswordToken)
        .where(PasswordToken.id == digest(token), PasswordToken.expires_at > utcnow())
        .returning(PasswordToken.id)
    )
    if spent.first() is None:
        raise NotFound(INVALID, code="link_invalid")


async def void_links(session: AsyncSession, user_id: str) -> None:
    await session.execute(delete(PasswordToken).where(PasswordToken.user_id == user_id))


async def recently_issued(
    session: AsyncSession, user_id: str, purpose: str, within: timedelta
) -> bool:
    found = await session.scalar(
        select(PasswordToken.id).where(
            PasswordToken.user_id == user_id,
            PasswordToken.purpose == purpose,
            PasswordToken.created_at > utcnow() - within,
        )
    )
    return found is not None
