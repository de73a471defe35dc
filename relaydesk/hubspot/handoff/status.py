"""Where a conversation's handoff into HubSpot stands, for the admin (`sync_status`) and for the
rep's note (`missing`): each step's state, ids and last error, and what is not in HubSpot yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ...models import Attachment, Conversation, Message, Role, StepState
from ...models.hubspot_sync import HubSpotSyncStep
from .markers import STEPS


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
# What each step needs first; a step waits while one of these is retrying, and goes on
# without one HubSpot refused.
NEEDS = {"thread": ("contact",), "ticket": ("contact", "thread"), "note": ("ticket", "thread")}
LACKING = {
    "contact": "no contact: the ticket and the thread are not linked to the visitor",
    "thread": "no inbox thread: the transcript is in the ticket's description",
    "ticket": "no ticket",
}


async def sync_status(
    session: AsyncSession, conversation_id: str, mode: str = "oauth"
) -> list[StepStatus]:
    """Every step of the conversation's handoff, in order, with the ids and the last error, and
    for a step not run yet the step it waits for; `mode` is the connection's (`oauth` or
    `private_app`)."""
    rows = await _rows(session, conversation_id)
    conversation = await session.get(Conversation, conversation_id)
    ids = _ids(conversation)
    counts = await _counts(session, conversation_id)
    details = {"thread": counts.published, "files": counts.files_text}
    notes = []
    if mode == "oauth" and ids["note"] and not ids["thread"]:
        notes.append("a CRM note on the ticket (there is no thread)")
    if counts.notes:
        notes.append(f"and {counts.notes} later message{'s' * (counts.notes > 1)} as notes")
    if notes:
        details["note"] = ", ".join(notes)
    states: dict[str, str] = {}
    result = []
    for step in (*STEPS, "files"):
        row = rows.get(step)
        known = ids.get(step) or (row.hubspot_id if row else None)
        state = row.state if row else ("done" if known else "waiting")
        if row is not None and row.state == StepState.STARTED and row.last_error:
            state = "failed"
        if step == "files":
            state = "done" if counts.files_settled else "waiting"
        if mode == "private_app" and step in NOT_IN_PRIVATE_APP_MODE:
            state, details[step] = "skipped", NOT_IN_PRIVATE_APP_MODE[step]
        blocked = [n for n in NEEDS.get(step, ()) if states.get(n) not in ("done", "skipped")]
        if state == "waiting" and blocked:
            details[step] = f"waiting for the {blocked[0]}"
        states[step] = state
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


async def missing(session: AsyncSession, conversation_id: str, mode: str = "oauth") -> list[str]:
    """What the handoff could not make in HubSpot, for the rep's note: each step that failed,
    with HubSpot's reason, and messages left out of the thread."""
    rows = await _rows(session, conversation_id)
    ids = _ids(await session.get(Conversation, conversation_id))
    lacking = []
    for step, what in LACKING.items():
        row = rows.get(step)
        if (mode == "private_app" and step == "thread") or ids[step] or row is None:
            continue
        if row.last_error:
            lacking.append(f"{what} ({row.last_error})")
    counts = await _counts(session, conversation_id)
    if ids["thread"] and counts.unpublished:
        error = rows["thread"].last_error if "thread" in rows else None
        why = f" ({error})" if error else ""
        lacking.append(f"{counts.unpublished} messages are not in the thread{why}")
    return lacking


async def _rows(session: AsyncSession, conversation_id: str) -> dict[str, HubSpotSyncStep]:
    return {
        r.step: r
        for r in await session.scalars(
            select(HubSpotSyncStep).where(HubSpotSyncStep.conversation_id == conversation_id)
        )
    }


def _ids(conversation: Conversation | None) -> dict[str, str | None]:
    return {
        "contact": conversation.hubspot_contact_id if conversation else None,
        "thread": conversation.hubspot_thread_id if conversation else None,
        "ticket": conversation.hubspot_ticket_id if conversation else None,
        "note": conversation.hubspot_note_id if conversation else None,
    }


@dataclass(frozen=True)
class Counts:
    messages: int
    published_count: int
    notes: int
    files: int
    uploaded: int
    refused: int

    @property
    def published(self) -> str:
        return f"{self.published_count} of {self.messages} messages published"

    @property
    def unpublished(self) -> int:
        return self.messages - self.published_count

    @property
    def files_settled(self) -> bool:
        return self.uploaded + self.refused >= self.files

    @property
    def files_text(self) -> str:
        text = f"{self.uploaded} of {self.files} files uploaded"
        return text + (f", {self.refused} not taken by HubSpot" if self.refused else "")


async def _counts(session: AsyncSession, conversation_id: str) -> Counts:
    messages = (
        await session.execute(
            select(
                func.count(Message.id),
                func.count(Message.hubspot_message_id),
                func.count(Message.hubspot_note_id),
            ).where(
                Message.conversation_id == conversation_id,
                Message.role.in_((Role.VISITOR, Role.AI)),
            )
        )
    ).one()
    uploaded = Attachment.hubspot_file_id.is_not(None) & Attachment.hubspot_refusal.is_(None)
    attached = (
        await session.execute(
            select(
                func.count(Attachment.id),
                func.count(case((uploaded, 1))),
                func.count(Attachment.hubspot_refusal),
            )
            .join(Message, Message.id == Attachment.message_id)
            .where(Message.conversation_id == conversation_id)
        )
    ).one()
    return Counts(*(int(n) for n in (*messages, *attached)))
