"""Outgoing email: written as an outbox job in the caller's transaction, sent by the worker.

A mail is sent once: its job's dedupe key keeps a second enqueue of the same mail out, and a
failed send is retried like any job, then parked on the organization's failed-jobs page. Each
mail is its own ordering key, so a mail server that is down holds up no conversation.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from . import events, outbox
from .outbox import Wakeup
from .settings import SmtpSettings


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None
    # Where a mail client's own "unsubscribe" posts (RFC 8058 one-click), if the mail has one.
    list_unsubscribe: str | None = None


class MailNotConfigured(RuntimeError):
    """No SMTP host is set (RELAYDESK_SMTP__HOST), so no mail can leave."""


async def enqueue_mail(
    session: AsyncSession,
    wakeup: Wakeup,
    mail: Mail,
    *,
    dedupe_key: str,
    organization_id: str | None = None,
) -> None:
    """Queue `mail` in the caller's transaction; a mail with the same dedupe key is sent once."""
    await outbox.enqueue(
        session,
        wakeup,
        events.MAIL_SEND,
        asdict(mail),
        ordering_key=f"mail:{hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]}",
        dedupe_key=f"mail:{dedupe_key}",
        organization_id=organization_id,
    )


def message_of(mail: Mail, sender: str) -> EmailMessage:
    """The MIME message: plain text, with an HTML alternative when the mail has one."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.text)
    if mail.list_unsubscribe is not None:
        message["List-Unsubscribe"] = f"<{mail.list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message


class MailJob:
    """The handler of `mail.send` jobs: one SMTP conversation per mail."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    async def __call__(self, payload: dict[str, Any]) -> None:
        if not self.settings.configured:
            raise MailNotConfigured("no SMTP server is configured (set RELAYDESK_SMTP__HOST)")
        mail = Mail(**payload)
        smtp = self.settings
        await aiosmtplib.send(
            message_of(mail, smtp.from_address),
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.user or None,
            password=smtp.password.get_secret_value() or None,
            use_tls=smtp.tls == "ssl",
            start_tls=smtp.tls == "starttls",
            timeout=smtp.timeout_s,
        )
