"""Inviting people by email. A new user is mailed a link to set their password, valid for seven
days; someone who has an account already is told which organization added them. Without a mail
server the team page hands over a one-time password instead (`accounts.add_member`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .accounts import AddedMember, add_member
from .errors import InvalidInput, NotFound
from .mail import Mail, enqueue_mail
from .models import Membership, Organization, User, new_id
from .outbox import Wakeup
from .password_tokens import INVITE, digest, issue_token, link_url


def invitation_mail(organization: Organization, to: str, url: str) -> Mail:
    text = (
        f"You are invited to {organization.name} on relaydesk, where the team answers the "
        f"website's conversations.\n\nSet your password here (the link works once, for seven "
        f"days):\n{url}\n\nThen sign in with {to}.\n"
    )
    return Mail(to=to, subject=f"You are invited to {organization.name} on relaydesk", text=text)


def added_mail(organization: Organization, to: str, sign_in_url: str) -> Mail:
    text = (
        f"You were added to {organization.name} on relaydesk. Sign in as usual with {to}:\n"
        f"{sign_in_url}\n\nThe organization switcher at the top of the console shows it.\n"
    )
    return Mail(to=to, subject=f"You were added to {organization.name} on relaydesk", text=text)


async def _mail_invitation(
    session: AsyncSession, wakeup: Wakeup, organization: Organization, user: User, base_url: str
) -> None:
    token = await issue_token(session, user, INVITE, organization.id)
    mail = invitation_mail(organization, user.email, link_url(base_url, token))
    key = f"password-link:{digest(token)}"
    await enqueue_mail(session, wakeup, mail, dedupe_key=key, organization_id=organization.id)


async def invite_member(
    session: AsyncSession,
    wakeup: Wakeup,
    organization: Organization,
    email: str,
    role: str,
    by_role: str,
    public_base_url: str,
) -> AddedMember:
    """Add a person by email and mail them: an invitation, or the news that they were added."""
    added = await add_member(session, organization, email, role, by_role, hand_over_password=False)
    if added.created:
        await _mail_invitation(session, wakeup, organization, added.user, public_base_url)
    else:
        mail = added_mail(
            organization, added.user.email, f"{public_base_url.rstrip('/')}/admin/login"
        )
        key = f"member-added:{organization.id}:{added.user.id}:{new_id()}"
        await enqueue_mail(session, wakeup, mail, dedupe_key=key, organization_id=organization.id)
    return added


async def invite_again(
    session: AsyncSession,
    wakeup: Wakeup,
    organization: Organization,
    user_id: str,
    public_base_url: str,
) -> User:
    """A fresh invitation for a member who never signed in; their earlier link stops working."""
    user = await session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(User.id == user_id, Membership.organization_id == organization.id)
    )
    if user is None:
        raise NotFound("no such member")
    if user.last_login_at is not None:
        raise InvalidInput("this person has signed in already", code="already_signed_in")
    await _mail_invitation(session, wakeup, organization, user, public_base_url)
    return user
