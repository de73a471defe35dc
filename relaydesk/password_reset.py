"""Forgotten passwords: a reset link by mail, and an answer that never tells whether an email
has an account.

The form only queues a `password.reset` job with the email: the same one insert whoever asks, so
neither the answer nor its time differs. The worker looks the email up; a user gets a link valid
for one hour (one a minute at most, so the form cannot flood an inbox), anyone else nothing.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import events
from .accounts import normalize_email, user_by_email
from .db import commit
from .jobs import PasswordReset, dump, load
from .mail import Mail, enqueue_mail
from .models import new_id
from .outbox import Wakeup, enqueue
from .password_tokens import RESET, digest, issue_token, link_url, recently_issued

ONE_MAIL_PER = timedelta(minutes=1)


async def request_reset(session: AsyncSession, wakeup: Wakeup, email: str) -> None:
    """Queue the lookup; whether `email` has an account is decided later, by the worker. The
    requests for one email run one after the other (their ordering key), so two at once cannot
    both find no link sent in the last minute."""
    email = normalize_email(email)
    in_turn = f"{events.PASSWORD_RESET}:{hashlib.sha256(email.encode()).hexdigest()[:40]}"
    await enqueue(
        session, wakeup, events.PASSWORD_RESET, dump(PasswordReset(email)),
        ordering_key=in_turn, dedupe_key=f"{events.PASSWORD_RESET}:{new_id()}",
    )  # fmt: skip


def reset_mail(to: str, url: str) -> Mail:
    text = (
        "Someone asked to reset the password of your relaydesk account.\n\n"
        f"Choose a new password here (the link works once, for one hour):\n{url}\n\n"
        "If it was not you, ignore this mail: your password stays as it is.\n"
    )
    return Mail(to=to, subject="Reset your relaydesk password", text=text)


async def mail_reset_link(
    session: AsyncSession, wakeup: Wakeup, email: str, public_base_url: str
) -> bool:
    """Mail a reset link if `email` is a user's and none went out in the last minute."""
    user = await user_by_email(session, email)
    if user is None or await recently_issued(session, user.id, RESET, ONE_MAIL_PER):
        return False
    token = await issue_token(session, user, RESET)
    mail = reset_mail(user.email, link_url(public_base_url, token))
    await enqueue_mail(session, wakeup, mail, dedupe_key=f"password-link:{digest(token)}")
    return True


class ResetJob:
    """The `password.reset` job handler."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], wakeup: Wakeup, public_base_url: str
    ) -> None:
        self.sessions = sessions
        self.wakeup = wakeup
        self.public_base_url = public_base_url

    async def __call__(self, payload: dict[str, Any]) -> None:
        email = load(PasswordReset, payload).email
        async with self.sessions() as session:
            await mail_reset_link(session, self.wakeup, email, self.public_base_url)
            await commit(session)
