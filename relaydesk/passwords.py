"""Choosing and changing a password. A new password ends every other session of its user: whoever
held an old one (a shared laptop, a stolen cookie) is signed out the moment it changes."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from .accounts import hash_password, verify_password
from .admin_sessions import SignedIn, revoke_sessions
from .errors import InvalidInput, Unauthorized
from .models import User
from .password_tokens import open_link, use_link, void_links

MIN_LENGTH = 10
MAX_LENGTH = 1000


def check_new_password(password: str, confirmation: str, email: str) -> None:
    """A new password is long enough, typed the same twice, and not the email address."""
    if password != confirmation:
        raise InvalidInput("the two new passwords differ", code="password_mismatch")
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"a password needs at least {MIN_LENGTH} characters", code="password_too_short"
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"a password has at most {MAX_LENGTH} characters")
    if password.strip().lower() == email.lower():
        raise InvalidInput("a password cannot be the email address", code="password_is_email")


async def replace_password(
    session: AsyncSession, user: User, password: str, *, keep_session: str | None = None
) -> int:
    """Store `password` (hashed off the event loop), revoke every session of the user but
    `keep_session` (a session id) and every password link they had; returns how many sessions
    were revoked."""
    user.password_hash = await asyncio.to_thread(hash_password, password)
    user.failed_logins = 0
    user.locked_until = None
    await void_links(session, user.id)
    return await revoke_sessions(session, user.id, keep=keep_session)


async def change_password(
    session: AsyncSession, signed_in: SignedIn, current: str, new: str, confirmation: str
) -> int:
    """The signed-in user's own change: the current password first, then the new one; the
    session making the change stays, every other is revoked (their count is returned)."""
    user = signed_in.user
    if not await verify_password(user.password_hash, current):
        raise Unauthorized("the current password is wrong", code="wrong_password")
    check_new_password(new, confirmation, user.email)
    return await replace_password(session, user, new, keep_session=signed_in.admin_session.id)


async def set_password_by_link(
    session: AsyncSession, token: str, password: str, confirmation: str
) -> User:
    """A mailed link (reset or invitation) sets the password and signs out every session. The
    new password is checked before the link is spent, so a typo does not cost the link."""
    link = await open_link(session, token)
    check_new_password(password, confirmation, link.user.email)
    await use_link(session, token)
    await replace_password(session, link.user, password)
    return link.user
