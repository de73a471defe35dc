"""Erasing a visitor: every message, file, profile field, job payload and CSAT comment of theirs,
counted, and an audit entry that says who erased whom and when (never what was erased).

Whole conversations go (`purge.py`), the AI's and the reps' messages too (they quote the
visitor), with their handoff records, HubSpot sync steps, the webhook deliveries that carried
them and the outbox jobs about them. HubSpot's own records are left alone: deleting a contact
there is HubSpot's GDPR delete, which the admin links to. The caller commits, then removes the
files (`remove_files`); the `files.delete` job written here finishes that should it be
interrupted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .audit import record
from .errors import InvalidInput, NotFound
from .files import FileStore
from .models import Conversation, Visitor
from .outbox import Wakeup
from .purge import purge_conversations, queue_file_removal

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
        raise InvalidInput("name the visitor by email or by id (one of the two)", code="target")
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
    await queue_file_removal(session, wakeup, erased.storage_keys)
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
    emails = [e for e in (visitor.email, visitor.verified_email) if e]  # mails to them
    contacts = {visitor.hubspot_contact_id, *(c.hubspot_contact_id for c in conversations)}
    erased = Erased(
        visitors=1,
        profile_fields=_profile_fields(visitor),
        csat_comments=sum(1 for c in conversations if (c.csat_comment or "").strip()),
        hubspot_contacts=sorted(c for c in contacts if c),
    )
    purged = await purge_conversations(session, conversations, visitor_id=visitor_id, tokens=emails)
    erased.conversations, erased.messages = purged.conversations, purged.messages
    erased.job_payloads, erased.storage_keys = purged.jobs, purged.storage_keys
    erased.files = len(purged.storage_keys)
    await session.delete(visitor)
    await session.flush()
    return erased


def _profile_fields(visitor: Visitor) -> int:
    filled = sum(1 for name in PROFILE_FIELDS if getattr(visitor, name))
    return filled + len(visitor.custom_data or {})
