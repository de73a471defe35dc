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
from typing import Any, NoReturn, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...assistant.wording import FOLLOW_UP, LEAVE_EMAIL, say
from ...conversations import Effects, add_message
from ...db import commit
from ...files import MESSAGE_LIMITS, FileStore, MessageLimits
from ...models import Conversation, HubSpotConnection, Message, Visitor
from ...vault import Vault
from ...worker import RetryLater
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
from ..api.scopes import missing_scopes_advice
from ..connect.connections import ACTIVE, find_connection, mark_missing, portal_client
from . import markers
from .lookups import find_comment
from .rendering import HandoffLook, SyncOptions, admin_url, closing_note
from .steps import (
    Portal,
    StepContext,
    StepRefused,
    contact_step,
    follow_up_note,
    note_step,
    ticket_step,
)
from .thread import publish_messages, thread_step

T = TypeVar("T")
Step = Callable[[StepContext, Portal, str], Awaitable[str]]
MAX_WAIT_S = 3600.0
# HubSpot answers these the same however often it is asked: the step is refused, not retried.
REFUSALS = (BadRequest, NotFound, Conflict, StepRefused)
HANDOFF_STEPS: tuple[tuple[str, Step], ...] = (
    ("contact", contact_step),
    ("thread", thread_step),
    ("ticket", ticket_step),
    ("note", note_step),
)


class NotConnected(Exception):
    """The organization's HubSpot connection cannot be used right now."""


class PortalUnavailable(RetryLater):
    """Every call to the portal would fail now (disconnected, rate limited): the run stops."""


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
        self.hubspot = hubspot
        self.vault = vault
        self.effects = effects
        options = options or SyncOptions()
        self.context = StepContext(sessions, files, options, public_base_url, limits=limits)

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.context.sessions

    async def handoff(self, payload: dict[str, Any]) -> None:
        """Each step runs unless a step it needs is still to be retried; the job is retried
        while any step is, and ends when every step is done or refused."""
        cid = str(payload["conversation_id"])
        portal = await self._portal(cid)
        retrying: set[str] = set()
        first: Exception | None = None
        for name, step in HANDOFF_STEPS:
            if name == "thread" and portal.mode != "oauth":
                continue
            if retrying & set(markers.NEEDS.get(name, ())):
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
        message_id = str(payload["message_id"])
        async with self.sessions() as session:
            message = await session.get(Message, message_id)
            conversation = (
                await session.get(Conversation, message.conversation_id) if message else None
            )
        if message is None or conversation is None or message.hubspot_message_id:
            return
        portal = await self._portal(conversation.id)
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
        conversation_id = str(payload["conversation_id"])
        async with self.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
        if conversation is None or not conversation.hubspot_thread_id:
            return
        if conversation.state != "closed":
            return  # reopened (by a rep) since: the thread stays open
        thread_id = conversation.hubspot_thread_id
        portal = await self._portal(conversation_id)
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
                reason = await self._missing_scopes(conversation_id, refused.scopes)
            await self._wait_for_connection(conversation_id, reason)
        except HubSpotError as failed:
            error = f"{type(failed).__name__}: {failed.message}"
            await markers.record_error(self.sessions, conversation_id, name, error)
            raise
        except StepRefused as refused:
            await markers.record_error(self.sessions, conversation_id, name, str(refused))
            raise

    async def _portal(self, conversation_id: str) -> Portal:
        async with self.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                raise LookupError(f"no conversation {conversation_id}")
            connection = await find_connection(session, conversation.organization_id)
            waiting = await markers.step_of(session, conversation_id, "connection")
        if connection is None:
            await self._wait_for_connection(conversation_id, "HubSpot is not connected")
        if (problem := unusable(connection)) is not None:
            await self._wait_for_connection(conversation_id, problem)
        try:
            client = portal_client(self.hubspot, self.sessions, self.vault, connection)
        except Unauthorized as lost:
            await self._wait_for_connection(conversation_id, lost.message)
        if waiting is not None and waiting.state != "done":
            async with self.sessions() as session:
                await markers.finish(session, conversation_id, "connection", connection.id)
                await session.commit()
        return Portal(
            client,
            connection.portal_id or "",
            connection.mode,
            connection.channel_id,
            connection.channel_account_id,
            connection.pipeline_id,
            connection.stage_id,
            connection.default_owner_id,
            HandoffLook.of(connection),
        )

    async def _missing_scopes(self, conversation_id: str, scopes: list[str]) -> str:
        """The connection shows which scopes HubSpot did not grant, so the admin can fix it."""
        advice = missing_scopes_advice(scopes)
        async with self.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
            assert conversation is not None
            connection = await find_connection(session, conversation.organization_id)
            if connection is not None:
                mark_missing(connection, scopes)
            await commit(session)
        return advice

    async def _wait_for_connection(self, conversation_id: str, reason: str) -> NoReturn:
        """Tell the visitor once that the team will follow up; try again later, less often."""
        attempts = await markers.record_error(self.sessions, conversation_id, "connection", reason)
        if attempts == 1:
            await self._tell_visitor(conversation_id)
        delay = min(MAX_WAIT_S, self.context.options.unconnected_retry_s * 2 ** (attempts - 1))
        raise PortalUnavailable(f"HubSpot unavailable: {reason}", delay)

    async def _tell_visitor(self, conversation_id: str) -> None:
        async with self.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
            assert conversation is not None
            visitor = await session.get(Visitor, conversation.visitor_id)
            language = conversation.language
            text = say(FOLLOW_UP, language)
            if visitor is None or not visitor.email:
                text += " " + say(LEAVE_EMAIL, language)
            await add_message(session, self.effects, conversation, "system", text)
            await commit(session)


def unusable(connection: HubSpotConnection) -> str | None:
    """Why this connection cannot carry a handoff now, or None when it can."""
    if not connection.access_token_enc:
        return "HubSpot is not connected"
    if connection.status != ACTIVE:
        return f"HubSpot connection is {connection.status.replace('_', ' ')}" + (
            f": {connection.last_error}" if connection.last_error else ""
        )
    if connection.mode == "oauth" and not (connection.channel_id and connection.channel_account_id):
        return "HubSpot inbox channel is not set up"
    return None
