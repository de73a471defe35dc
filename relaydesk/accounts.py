"""Admin users: argon2 passwords, sign-in with lockout, memberships and what each role may do."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import Forbidden, InvalidInput, NotFound, Unauthorized
from .models import Membership, Organization, User, utcnow

ROLES = ("owner", "admin", "member")

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a miss costs what a wrong password costs;
    made on first use, not at import, which every command's start-up would pay for."""
    return _hasher.hash(secrets.token_urlsafe(16))


def can_manage(role: str) -> bool:
    """Owners and admins change settings and credentials; members only read conversations."""
    return role in ("owner", "admin")


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise InvalidInput("a valid email address is needed")
    return email


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_ok(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == normalize_email(email)))


async def create_user(session: AsyncSession, email: str, password: str) -> User:
    if await user_by_email(session, email) is not None:
        raise InvalidInput("a user with this email exists", code="user_exists")
    user = User(email=normalize_email(email), password_hash=hash_password(password))
    session.add(user)
    await session.flush()
    return user


async def set_password(session: AsyncSession, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None


async def verify_password(password_hash: str, password: str) -> bool:
    """argon2 costs tens of milliseconds of CPU: it runs in a thread (the C code releases the
    GIL), never on the event loop, so a flood of sign-ins does not stall other requests."""
    return await asyncio.to_thread(_password_ok, password_hash, password)


@dataclass(frozen=True)
class Credentials:
    """What a sign-in is checked against: read in a transaction of its own, so no database
    connection is held while the password is hashed."""

    user_id: str | None  # None: no such user (checked against a dummy hash all the same)
    password_hash: str


async def credentials(session: AsyncSession, email: str) -> Credentials:
    user = await user_by_email(session, email)
    return Credentials(user.id, user.password_hash) if user else Credentials(None, _dummy_hash())


async def password_matches(found: Credentials, password: str) -> bool:
    """An unknown email costs the same argon2 verification as a wrong password."""
    matches = await verify_password(found.password_hash, password)
    return matches and found.user_id is not None


async def record_sign_in(session: AsyncSession, found: Credentials, matched: bool) -> User:
    """The signed-in user, or `Unauthorized`; a wrong password is counted on the user row (the
    caller commits in both outcomes). Who is kept waiting is `login_throttle`'s business."""
    user = await session.get(User, found.user_id) if found.user_id else None
    if user is None:
        raise Unauthorized("wrong email or password", code="bad_credentials")
    if not matched:
        user.failed_logins += 1
        raise Unauthorized("wrong email or password", code="bad_credentials")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    return user


@dataclass(frozen=True)
class OrgRole:
    organization: Organization
    role: str


async def memberships_of(session: AsyncSession, user_id: str) -> list[OrgRole]:
    rows = await session.execute(
        select(Organization, Membership.role)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.user_id == user_id)
        .order_by(Organization.name)
    )
    return [OrgRole(org, role) for org, role in rows]


async def role_in(session: AsyncSession, user_id: str, organization_id: str) -> str | None:
    return await session.scalar(
        select(Membership.role).where(
            Membership.user_id == user_id, Membership.organization_id == organization_id
        )
    )


async def grant(session: AsyncSession, user: User, organization: Organization, role: str) -> None:
    """Make `user` a member of `organization` with `role` (or change the role they have)."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    membership = await session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organization_id == organization.id
        )
    )
    if membership is None:
        session.add(Membership(user_id=user.id, organization_id=organization.id, role=role))
    else:
        membership.role = role
    await session.flush()


async def ensure_owner(
    session: AsyncSession, organization: Organization, email: str, password: str
) -> User:
    """The user with this email (created with `password` when new), an owner of `organization`."""
    user = await user_by_email(session, email) or await create_user(session, email, password)
    await grant(session, user, organization, "owner")
    return user


@dataclass(frozen=True)
class AddedMember:
    user: User
    created: bool  # a new user, not someone with an account already
    one_time_password: str | None  # when handed over: shown once


async def add_member(
    session: AsyncSession,
    organization: Organization,
    email: str,
    role: str,
    by_role: str,
    *,
    hand_over_password: bool = True,
) -> AddedMember:
    """Add a person by email. A new user gets a generated password to hand over once or, for an
    invitation by mail (`hand_over_password=False`), one nobody knows until they set their own."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    if role == "owner" and by_role != "owner":
        raise Forbidden("only owners can add owners")
    user = await user_by_email(session, email)
    created, password = user is None, secrets.token_urlsafe(12)
    if user is None:
        user = await create_user(
            session, email, password if hand_over_password else secrets.token_urlsafe(32)
        )
    elif await role_in(session, user.id, organization.id) is not None:
        raise InvalidInput("this person is already a member", code="already_member")
    await grant(session, user, organization, role)
    return AddedMember(user, created, password if created and hand_over_password else None)


async def remove_member(
    session: AsyncSession, organization: Organization, user_id: str, by_role: str
) -> None:
    membership = await session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organization_id == organization.id
        )
    )
    if membership is None:
        raise NotFound("no such member")
    if membership.role == "owner" and by_role != "owner":
        raise Forbidden("only owners can remove owners")
    await session.delete(membership)


async def members_of(session: AsyncSession, organization_id: str) -> list[tuple[User, str]]:
    rows = await session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id)
        .order_by(User.email)
    )
    return [(user, role) for user, role in rows]
