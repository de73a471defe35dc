"""Attachment URLs that expire and are bound to their viewer.

The widget's URL is signed for one visitor (the one whose conversation holds the file, or who
uploaded it before it joined a message) and carries its expiry (`attachment_url_ttl_s`); the
download checks the signature against the file's owner now, then the expiry, so a URL works
for an hour and only while that visitor owns the file. The widget fetches fresh ones from the
history before they expire. The admin console links to `/admin/attachments/{id}` instead,
which the admin's session cookie guards.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import Forbidden, NotFound
from .models import Attachment, Conversation, Message
from .payloads import API_PREFIX


class Links(Protocol):
    """Where one viewer fetches an attachment."""

    def url(self, attachment: Attachment) -> str: ...


@dataclass(frozen=True)
class AttachmentSigner:
    secret: str
    ttl_s: int

    def for_visitor(self, visitor_id: str) -> VisitorLinks:
        return VisitorLinks(self, visitor_id)

    def expiry(self) -> int:
        """Now + the TTL, rounded up to a quarter of it: the same URL for a while, so the
        browser's cache keeps working, and always at least the TTL ahead."""
        step = max(1, self.ttl_s // 4)
        return math.ceil((time.time() + self.ttl_s) / step) * step

    def signature(self, attachment_id: str, visitor_id: str, expires: int) -> str:
        signed = f"attachment:{attachment_id}:visitor:{visitor_id}:{expires}".encode()
        return hmac.new(self.secret.encode(), signed, hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class VisitorLinks:
    signer: AttachmentSigner
    visitor_id: str

    def url(self, attachment: Attachment) -> str:
        expires = self.signer.expiry()
        sig = self.signer.signature(attachment.id, self.visitor_id, expires)
        path = f"{API_PREFIX}/attachments/{attachment.id}/{quote(attachment.name)}"
        return f"{path}?exp={expires}&sig={sig}"


class AdminLinks:
    """The admin console's links: the route checks the session and the organization."""

    def url(self, attachment: Attachment) -> str:
        return f"/admin/attachments/{attachment.id}"


async def signed_attachment(
    session: AsyncSession, signer: AttachmentSigner, attachment_id: str, expires: int, sig: str
) -> Attachment:
    """The attachment a widget URL names, if its signature is its owner's and it has not
    expired."""
    row = (
        await session.execute(
            select(Attachment, Conversation.visitor_id)
            .outerjoin(Message, Message.id == Attachment.message_id)
            .outerjoin(Conversation, Conversation.id == Message.conversation_id)
            .where(Attachment.id == attachment_id)
        )
    ).first()
    owner = row and (row[1] or row[0].visitor_id)
    if not row or not owner:
        raise NotFound("no such attachment")
    expected = signer.signature(attachment_id, owner, expires)
    if not hmac.compare_digest(expected.encode(), sig.encode()):
        raise NotFound("no such attachment")
    if expires < time.time():
        raise Forbidden(
            "this link has expired; reopen the chat for a fresh one", code="link_expired"
        )
    attachment: Attachment = row[0]
    return attachment


async def organization_attachment(
    session: AsyncSession, organization_id: str, attachment_id: str
) -> Attachment:
    """An attachment for the admin console: any of the organization's, no other."""
    attachment = await session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.organization_id == organization_id
        )
    )
    if attachment is None:
        raise NotFound("no such attachment")
    return attachment
