"""Admin users: argon2 passwords, sign-in with lockout, memberships and what each role may do."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import Forbidden, InvalidInput, NotFound, Unauthorized
from .models import Membership, Organization, User, utcnow

ROLES = ("owner", "admin", "member")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs what a wrong password costs.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


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


async def authenticate(session: AsyncSession, email: str, password: str) -> User:
    """The user these credentials belong to; failures count, and too many lock the account.

    The caller commits in both outcomes, so the failure count survives the refusal.
    """
    user = await user_by_email(session, email)
    if user is None:
        _password_ok(_DUMMY_HASH, password)
        raise Unauthorized("wrong email or password", code="bad_credentials")
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        raise Unauthorized("too many failed attempts; try again later", code="locked")
    if not _password_ok(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.failed_logins = 0
            user.locked_until = now + LOCKOUT
        raise Unauthorized("wrong email or password", code="bad_credentials")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
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
    one_time_password: str | None  # set when the user was created now: shown once


async def add_member(
    session: AsyncSession, organization: Organization, email: str, role: str, by_role: str
) -> AddedMember:
    """Add a person by email; a new user gets a generated password to hand over once."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    if role == "owner" and by_role != "owner":
        raise Forbidden("only owners can add owners")
    user = await user_by_email(session, email)
    password = None
    if user is None:
        password = secrets.token_urlsafe(12)
        user = await create_user(session, email, password)
    elif await role_in(session, user.id, organization.id) is not None:
        raise InvalidInput("this person is already a member", code="already_member")
    await grant(session, user, organization, role)
    return AddedMember(user, password)


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
