"""Where each conversation's handoff into HubSpot stands: step rows, and `sync_status` for admin.

Each marker is its own short transaction, written before or after the HubSpot call it describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..models import Attachment, Conversation, Message, utcnow
from ..models.hubspot_sync import HubSpotSyncStep

STEPS = ("connection", "contact", "thread", "ticket", "note")


async def step_of(session: AsyncSession, conversation_id: str, step: str) -> HubSpotSyncStep | None:
    return await session.scalar(
        select(HubSpotSyncStep).where(
            HubSpotSyncStep.conversation_id == conversation_id, HubSpotSyncStep.step == step
        )
    )


@dataclass(frozen=True)
class StepMarker:
    """A step as a previous run left it: `started` means it may have created something."""

    state: str
    attempts: int
    updated_at: datetime


async def begin(
    sessions: async_sessionmaker[AsyncSession], conversation_id: str, step: str
) -> StepMarker:
    """Mark `step` as under way (committed) and return how the previous run left it."""
    async with sessions() as session:
        row = await step_of(session, conversation_id, step)
        if row is None:
            row = HubSpotSyncStep(conversation_id=conversation_id, step=step, attempts=0)
            session.add(row)
            try:
                await session.flush()
            except IntegrityError:  # the same conversation's job on another node
                await session.rollback()
                row = await step_of(session, conversation_id, step)
                assert row is not None
        previous = StepMarker(row.state if row.attempts else "new", row.attempts, row.updated_at)
        row.attempts += 1
        # While a step stays `started`, `updated_at` keeps the moment it first may have created
        # something: the search grace in `recover` counts from there, not from the last retry.
        if row.state not in ("done", "started"):
            row.state, row.updated_at = "started", utcnow()
        await session.commit()
        return previous


async def finish(session: AsyncSession, conversation_id: str, step: str, hubspot_id: str) -> None:
    """In the caller's transaction, with the id stored on our rows."""
    row = await step_of(session, conversation_id, step)
    if row is None:
        row = HubSpotSyncStep(conversation_id=conversation_id, step=step, attempts=1)
        session.add(row)
    row.state, row.hubspot_id, row.last_error, row.updated_at = "done", hubspot_id, None, utcnow()


async def settle(
    sessions: async_sessionmaker[AsyncSession], conversation_id: str, step: str
) -> None:
    """A later write of a finished step (a message after the handoff) went through: an error
    one of its tries recorded is over, so admin no longer shows the step as failed."""
    async with sessions() as session:
        await session.execute(
            update(HubSpotSyncStep)
            .where(
                HubSpotSyncStep.conversation_id == conversation_id,
                HubSpotSyncStep.step == step,
                HubSpotSyncStep.state == "failed",
                HubSpotSyncStep.hubspot_id.is_not(None),
            )
            .values(state="done", last_error=None, updated_at=utcnow())
        )
        await session.commit()


async def record_error(
    sessions: async_sessionmaker[AsyncSession],
    conversation_id: str,
    step: str,
    error: str,
) -> int:
    """Store a step's error; returns the attempts so far (counted here for `connection`).

    A `started` step stays `started`: whatever failed, an earlier call may have created the
    record, and only a lookup can tell.
    """
    async with sessions() as session:
        row = await step_of(session, conversation_id, step)
        if row is None:
            row = HubSpotSyncStep(conversation_id=conversation_id, step=step, attempts=0)
            session.add(row)
        if row.state != "started":
            row.state, row.updated_at = "failed", utcnow()
        if step == "connection":
            row.attempts += 1
        row.last_error = error[:2000]
        try:
            await session.commit()
        except IntegrityError:  # another node recorded it first
            return 2
        return row.attempts


@dataclass(frozen=True)
class StepStatus:
    step: str
    state: str  # waiting | started | done | failed | skipped (not run in this mode)
    hubspot_id: str | None
    error: str | None
    attempts: int
    updated_at: datetime | None
    detail: str = ""


# Private-app mode has no inbox thread: these steps do not run (what they carry is elsewhere).
NOT_IN_PRIVATE_APP_MODE = {
    "thread": "private-app mode: the transcript is in the ticket",
    "files": "private-app mode: the ticket lists the files",
}


async def sync_status(
    session: AsyncSession, conversation_id: str, mode: str = "oauth"
) -> list[StepStatus]:
    """Every step of the conversation's handoff, in order, with the ids and the last error;
    `mode` is the connection's (`oauth` or `private_app`)."""
    rows = {
        r.step: r
        for r in await session.scalars(
            select(HubSpotSyncStep).where(HubSpotSyncStep.conversation_id == conversation_id)
        )
    }
    conversation = await session.get(Conversation, conversation_id)
    ids = {
        "contact": conversation.hubspot_contact_id if conversation else None,
        "thread": conversation.hubspot_thread_id if conversation else None,
        "ticket": conversation.hubspot_ticket_id if conversation else None,
        "note": conversation.hubspot_note_id if conversation else None,
    }
    published, files, later_notes = await _counts(session, conversation_id)
    details = {"thread": published, "files": files[2]}
    if later_notes:
        details["note"] = f"and {later_notes} later message{'s' * (later_notes > 1)} as notes"
    result = []
    for step in (*STEPS, "files"):
        row = rows.get(step)
        known = ids.get(step) or (row.hubspot_id if row else None)
        state = row.state if row else ("done" if known else "waiting")
        if row is not None and row.state == "started" and row.last_error:
            state = "failed"
        if step == "files":
            state = "done" if files[0] == files[1] else "waiting"
        if mode == "private_app" and step in NOT_IN_PRIVATE_APP_MODE:
            state, details[step] = "skipped", NOT_IN_PRIVATE_APP_MODE[step]
        result.append(
            StepStatus(
                step,
                state,
                known,
                row.last_error if row else None,
                row.attempts if row else 0,
                row.updated_at if row else None,
                details.get(step, ""),
            )
        )
    return result


async def _counts(
    session: AsyncSession, conversation_id: str
) -> tuple[str, tuple[int, int, str], int]:
    messages = (
        await session.execute(
            select(
                func.count(Message.id),
                func.count(Message.hubspot_message_id),
                func.count(Message.hubspot_note_id),
            ).where(Message.conversation_id == conversation_id, Message.role.in_(("visitor", "ai")))
        )
    ).one()
    attached = (
        await session.execute(
            select(func.count(Attachment.id), func.count(Attachment.hubspot_file_id))
            .join(Message, Message.id == Attachment.message_id)
            .where(Message.conversation_id == conversation_id)
        )
    ).one()
    total, uploaded = int(attached[0]), int(attached[1])
    files = (total, uploaded, f"{uploaded} of {total} files uploaded")
    return f"{messages[1]} of {messages[0]} messages published", files, int(messages[2])
