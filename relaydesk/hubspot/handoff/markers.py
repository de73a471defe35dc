"""The step markers of a conversation's handoff into HubSpot: one row per step, `started`
before a create HubSpot cannot deduplicate, `done` with the id HubSpot gave, `failed` with why.

Each marker is its own short transaction, written before or after the HubSpot call it describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...models import Conversation, StepState, utcnow
from ...models.hubspot_sync import HubSpotSyncStep

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

    state: str  # `new` (never ran) or a StepState
    attempts: int
    updated_at: datetime

    @property
    def began(self) -> datetime | None:
        """When an earlier run began a create it may have finished; None if none did."""
        return self.updated_at if self.state == StepState.STARTED else None


async def marker(
    sessions: async_sessionmaker[AsyncSession], conversation_id: str, step: str
) -> StepMarker:
    """How a previous run left `step` (`new` when none ran), without marking anything."""
    async with sessions() as session:
        row = await step_of(session, conversation_id, step)
    if row is None or not row.attempts:
        return StepMarker("new", 0, utcnow())
    return StepMarker(row.state, row.attempts, row.updated_at)


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
        if row.state not in (StepState.DONE, StepState.STARTED):
            row.state, row.updated_at = StepState.STARTED, utcnow()
        await session.commit()
        return previous


async def finish(session: AsyncSession, conversation_id: str, step: str, hubspot_id: str) -> None:
    """In the caller's transaction, with the id stored on our rows."""
    row = await step_of(session, conversation_id, step)
    if row is None:
        row = HubSpotSyncStep(conversation_id=conversation_id, step=step, attempts=1)
        session.add(row)
    row.state, row.hubspot_id, row.last_error, row.updated_at = (
        StepState.DONE,
        hubspot_id,
        None,
        utcnow(),
    )


async def finish_on_conversation(
    sessions: async_sessionmaker[AsyncSession],
    conversation_id: str,
    step: str,
    hubspot_id: str,
    **column: str,
) -> None:
    """The step done, and HubSpot's id stored on the conversation's own `column`, in one
    transaction."""
    async with sessions() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(**column)
        )
        await finish(session, conversation_id, step, hubspot_id)
        await session.commit()


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
                HubSpotSyncStep.state == StepState.FAILED,
                HubSpotSyncStep.hubspot_id.is_not(None),
            )
            .values(state=StepState.DONE, last_error=None, updated_at=utcnow())
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
        if row.state != StepState.STARTED:
            row.state, row.updated_at = StepState.FAILED, utcnow()
        if step == "connection":
            row.attempts += 1
        row.last_error = error[:2000]
        try:
            await session.commit()
        except IntegrityError:  # another node recorded it first
            return 2
        return row.attempts
