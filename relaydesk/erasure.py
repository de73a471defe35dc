"""Erasing a visitor: every message, file, profile field, job payload and CSAT comment of theirs,
counted, and an audit entry that says who erased whom and when (never what was erased).

Whole conversations go, the AI's and the reps' messages too (they quote the visitor), with their
handoff records, HubSpot sync steps, the webhook deliveries that carried them and the outbox
jobs about them. HubSpot's own records are left alone: deleting a contact there is HubSpot's
GDPR delete, which the admin links to. The caller commits, then removes the files
(`remove_files`); the `files.delete` job written here finishes that should it be interrupted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Text, cast, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from . import events
from .audit import record
from .errors import InvalidInput, NotFound
from .files import FileStore
from .models import (
    Attachment,
    Conversation,
    Handoff,
    HubSpotSyncStep,
    Message,
    OutboxJob,
    Visitor,
    WebhookDelivery,
    new_id,
)
from .outbox import Wakeup, enqueue

ERASED = "visitor.erased"
PROFILE_FIELDS = ("name", "email", "verified_email", "external_id", "locale", "hubspot_contact_id")


@dataclass
class Erased:
    """What erasing removed, counted; `storage_keys` are the files still to delete."""

    visitors: int = 0
    conversations: int = 0
    messages: int = 0
    files: int = 0
    profile_fields: int = 0
    job_payloads: int = 0
    csat_comments: int = 0
    storage_keys: list[str] = field(default_factory=list)
    # The HubSpot contacts they were linked to: left in HubSpot, for the admin to delete there.
    hubspot_contacts: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "visitors": self.visitors,
            "conversations": self.conversations,
            "messages": self.messages,
            "files": self.files,
            "profile_fields": self.profile_fields,
            "job_payloads": self.job_payloads,
            "csat_comments": self.csat_comments,
        }

    def add(self, other: Erased) -> None:
        for name, count in other.counts().items():
            setattr(self, name, getattr(self, name) + count)
        self.storage_keys += other.storage_keys
        new = [c for c in other.hubspot_contacts if c not in self.hubspot_contacts]
        self.hubspot_contacts += new


async def visitors_named(
    session: AsyncSession, organization_id: str, *, email: str | None, visitor_id: str | None
) -> list[str]:
    """The visitors an erasure request names: by id, or every visitor who gave that email
    (verified or not)."""
    if (email is None) == (visitor_id is None):
        raise InvalidInput("name the visitor by email or by id, not both", code="erase_target")
    query = select(Visitor.id).where(Visitor.organization_id == organization_id)
    if visitor_id is not None:
        query = query.where(Visitor.id == visitor_id.strip())
    else:
        wanted = (email or "").strip().lower()
        if "@" not in wanted:
            raise InvalidInput(f"{email!r} is not an email address", code="erase_target")
        query = query.where(
            or_(func.lower(Visitor.email) == wanted, func.lower(Visitor.verified_email) == wanted)
        )
    found = list(await session.scalars(query))
    if not found:
        raise NotFound("no visitor of this organization matches", code="visitor_not_found")
    return found


async def erase_visitors(
    session: AsyncSession,
    wakeup: Wakeup,
    organization_id: str,
    visitor_ids: Sequence[str],
    actor: str,
) -> Erased:
    """Erase each visitor (one audit entry each) and queue the removal of their files."""
    erased = Erased()
    for visitor_id in visitor_ids:
        one = await _erase_one(session, organization_id, visitor_id)
        await record(session, organization_id, actor, ERASED, f"visitor {visitor_id}", one.counts())
        erased.add(one)
    if erased.storage_keys:
        key = f"{events.FILES_DELETE}:{new_id()}"
        await enqueue(
            session, wakeup, events.FILES_DELETE, {"keys": erased.storage_keys},
            ordering_key=key, dedupe_key=key,
        )  # fmt: skip
    return erased


async def remove_files(files: FileStore, erased: Erased) -> None:
    """After commit: the erased files leave the store at once (the queued job is the net)."""
    for key in erased.storage_keys:
        await files.delete(key)


async def _erase_one(session: AsyncSession, organization_id: str, visitor_id: str) -> Erased:
    visitor = await session.scalar(
        select(Visitor)
        .where(Visitor.id == visitor_id, Visitor.organization_id == organization_id)
        .with_for_update()
    )
    if visitor is None:
        return Erased()
    conversations = list(
        await session.scalars(select(Conversation).where(Conversation.visitor_id == visitor_id))
    )
    ids = [c.id for c in conversations]
    erased = Erased(visitors=1, conversations=len(ids), profile_fields=_profile_fields(visitor))
    erased.csat_comments = sum(1 for c in conversations if (c.csat_comment or "").strip())
    threads = [c.hubspot_thread_id for c in conversations if c.hubspot_thread_id]
    contacts = {visitor.hubspot_contact_id, *(c.hubspot_contact_id for c in conversations)}
    erased.hubspot_contacts = sorted(c for c in contacts if c)
    erased.storage_keys = await _delete_attachments(session, visitor_id, ids)
    erased.files = len(erased.storage_keys)
    deliveries = await _delete_deliveries(session, ids + threads)
    emails = [e for e in (visitor.email, visitor.verified_email) if e]  # mails to them
    tokens = [visitor_id, *emails, *ids, *deliveries]
    erased.job_payloads = await _delete_jobs(session, ids, tokens)
    for table in (Handoff, HubSpotSyncStep):
        await session.execute(delete(table).where(table.conversation_id.in_(ids)))
    messages = await session.execute(delete(Message).where(Message.conversation_id.in_(ids)))
    erased.messages = int(messages.rowcount)  # type: ignore[attr-defined]
    await session.execute(delete(Conversation).where(Conversation.id.in_(ids)))
    await session.delete(visitor)
    await session.flush()
    return erased


def _profile_fields(visitor: Visitor) -> int:
    filled = sum(1 for name in PROFILE_FIELDS if getattr(visitor, name))
    return filled + len(visitor.custom_data or {})


async def _delete_attachments(
    session: AsyncSession, visitor_id: str, conversation_ids: list[str]
) -> list[str]:
    """The visitor's uploads and every file of their conversations (reps' too)."""
    in_conversations = select(Message.id).where(Message.conversation_id.in_(conversation_ids))
    deleted = await session.execute(
        delete(Attachment)
        .where(
            or_(Attachment.visitor_id == visitor_id, Attachment.message_id.in_(in_conversations))
        )
        .returning(Attachment.storage_key)
    )
    return list(deleted.scalars())


def _mentions(column: object, tokens: Sequence[str]) -> object:
    """Rows whose JSON mentions one of the ids (an event names our conversation id as its
    integration thread id, HubSpot's thread id as its object)."""
    text = cast(column, Text)
    return or_(*(text.contains(token, autoescape=True) for token in tokens))


async def _delete_deliveries(session: AsyncSession, tokens: list[str]) -> list[str]:
    """HubSpot's webhook deliveries about these conversations: they carry the reps' words."""
    if not tokens:
        return []
    deleted = await session.execute(
        delete(WebhookDelivery)
        .where(_mentions(WebhookDelivery.payload, tokens))  # type: ignore[arg-type]
        .returning(WebhookDelivery.id)
    )
    return list(deleted.scalars())


async def _delete_jobs(
    session: AsyncSession, conversation_ids: list[str], tokens: list[str]
) -> int:
    """Every outbox job of these conversations (their ordering keys) or naming the visitor
    (id or email: a mail to them), a conversation or a deleted delivery, whatever its state."""
    keys = conversation_ids + [f"hubspot:status:{c}" for c in conversation_ids]
    deleted = await session.execute(
        delete(OutboxJob)
        .where(
            or_(OutboxJob.ordering_key.in_(keys), _mentions(OutboxJob.payload, tokens))  # type: ignore[arg-type]
        )
        .returning(OutboxJob.id)
    )
    return len(list(deleted.scalars()))
