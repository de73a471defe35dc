"""Outbox handlers that carry a handed-off conversation into HubSpot and keep it in step.

`hubspot.handoff` runs contact → thread (transcript and files) → ticket → note, each step
idempotent. A step that fails holds up only the steps that need it, and only while it is worth
retrying: a step HubSpot refused (a 4xx) is recorded and the others go on without it.
`hubspot.publish` sends one later message to the same thread (without a thread, as a note on
the ticket); `hubspot.close_thread` leaves a note and closes it. HubSpot being unreachable,
rate-limiting or disconnected becomes a `RetryLater`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...conversations import Effects
from ...files import MESSAGE_LIMITS, FileStore, MessageLimits
from ...jobs import ConversationJob, PublishMessage, load
from ...models import Conversation, ConversationState, Message
from ...vault import Vault
from ..api.errors import (
    BadRequest,
    Conflict,
    HubSpotError,
    MissingScopes,
    NotFound,
    RateLimited,
    Unauthorized,
)
from ..api.integration import HubSpot
from . import markers, status
from .contact import contact_step
from .context import Portal, StepContext, StepRefused
from .lookups import find_comment
from .note import follow_up_note, note_step
from .options import SyncOptions
from .portal import Portals, PortalUnavailable
from .rendering import admin_url, closing_note
from .thread import publish_messages, thread_step
from .ticket import ticket_step

T = TypeVar("T")
Step = Callable[[StepContext, Portal, str], Awaitable[str]]
# HubSpot answers these the same however often it is asked: the step is refused, not retried.
REFUSALS = (BadRequest, NotFound, Conflict, StepRefused)
HANDOFF_STEPS: tuple[tuple[str, Step], ...] = (
    ("contact", contact_step),
    ("thread", thread_step),
    ("ticket", ticket_step),
    ("note", note_step),
)


class HubSpotSync:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        hubspot: HubSpot,
        vault: Vault,
        files: FileStore,
        effects: Effects,
        public_base_url: str,
        options: SyncOptions | None = None,
        limits: MessageLimits = MESSAGE_LIMITS,
    ) -> None:
        options = options or SyncOptions()
        self.context = StepContext(sessions, files, options, public_base_url, limits=limits)
        self.portals = Portals(sessions, hubspot, vault, effects, options)

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.context.sessions

    async def handoff(self, payload: dict[str, Any]) -> None:
        """Each step runs unless a step it needs is still to be retried; the job is retried
        while any step is, and ends when every step is done or refused."""
        cid = load(ConversationJob, payload).conversation_id
        portal = await self.portals.open(cid)
        retrying: set[str] = set()
        first: Exception | None = None
        for name, step in HANDOFF_STEPS:
            if name == "thread" and portal.mode != "oauth":
                continue
            if retrying & set(status.NEEDS.get(name, ())):
                retrying.add(name)
                continue
            try:
                await self._step(cid, name, partial(step, self.context, portal, cid))
            except PortalUnavailable:
                raise
            except REFUSALS:
                continue  # recorded on the step; what needs it goes on without it
            except Exception as failed:  # retried: what needs it waits for the next run
                retrying.add(name)
                first = first or failed
        if first is not None:
            raise first

    async def publish(self, payload: dict[str, Any]) -> None:
        """A message written after the handoff, to the conversation's thread."""
        message_id = load(PublishMessage, payload).message_id
        async with self.sessions() as session:
            message = await session.get(Message, message_id)
            conversation = (
                await session.get(Conversation, message.conversation_id) if message else None
            )
        if message is None or conversation is None or message.hubspot_message_id:
            return
        portal = await self.portals.open(conversation.id)
        if conversation.hubspot_thread_id and portal.mode == "oauth":
            step = "thread"
            await self._step(
                conversation.id,
                step,
                lambda: publish_messages(self.context, portal, conversation.id, message_id),
            )
        elif conversation.hubspot_ticket_id:
            step = "note"  # no thread (private-app mode, or refused): a note on the ticket
            await self._step(
                conversation.id,
                step,
                lambda: follow_up_note(self.context, portal, conversation.id, message_id),
            )
        else:
            return
        await markers.settle(self.sessions, conversation.id, step)

    async def close_thread(self, payload: dict[str, Any]) -> None:
        """The chat ended on our side: an internal note tells the rep, then the thread closes."""
        conversation_id = load(ConversationJob, payload).conversation_id
        async with self.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
        if conversation is None or not conversation.hubspot_thread_id:
            return
        if conversation.state != ConversationState.CLOSED:
            return  # reopened (by a rep) since: the thread stays open
        thread_id = conversation.hubspot_thread_id
        portal = await self.portals.open(conversation_id)
        note = closing_note(conversation, admin_url(self.context.public_base_url, conversation_id))

        async def close() -> None:
            try:
                # The title names the moment: a retry finds the note instead of writing it again.
                if await find_comment(portal.client, thread_id, note.title) is None:
                    await portal.client.add_comment(thread_id, note.text, note.html)
                await portal.client.update_thread(thread_id, "CLOSED")
            except NotFound:
                pass  # deleted in HubSpot: nothing left to close

        await self._step(conversation_id, "thread", close)

    async def _step(self, conversation_id: str, name: str, run: Callable[[], Awaitable[T]]) -> T:
        """Run one step; HubSpot's refusal is recorded on the step, then retried by the worker."""
        try:
            return await run()
        except RateLimited as limited:
            await markers.record_error(self.sessions, conversation_id, name, str(limited))
            raise PortalUnavailable(
                f"{name}: {limited.message}", limited.retry_after_s
            ) from limited
        except Unauthorized as refused:
            await markers.record_error(self.sessions, conversation_id, name, refused.message)
            reason = refused.message
            if isinstance(refused, MissingScopes):
                reason = await self.portals.missing_scopes(conversation_id, refused.scopes)
            await self.portals.wait(conversation_id, reason)
        except HubSpotError as failed:
            error = f"{type(failed).__name__}: {failed.message}"
            await markers.record_error(self.sessions, conversation_id, name, error)
            raise
        except StepRefused as refused:
            await markers.record_error(self.sessions, conversation_id, name, str(refused))
            raise
