"""The portal a handoff job talks to, opened from the organization's connection, and what a job
does while there is none to talk to: the step `connection` records why, the visitor is told once
that the team will follow up, and the job waits (30 s, doubling up to an hour)."""

from __future__ import annotations

from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...assistant.wording import FOLLOW_UP, LEAVE_EMAIL, say
from ...conversations import Effects, add_message
from ...db import commit
from ...models import Conversation, HubSpotConnection, Role, StepState, Visitor
from ...vault import Vault
from ...worker import RetryLater
from ..api.errors import Unauthorized
from ..api.integration import HubSpot
from ..api.scopes import missing_scopes_advice
from ..connect.connections import ACTIVE, find_connection, mark_missing, portal_client
from . import markers
from .context import Portal
from .options import HandoffLook, SyncOptions

MAX_WAIT_S = 3600.0


class NotConnected(Exception):
    """The organization's HubSpot connection cannot be used right now."""


class PortalUnavailable(RetryLater):
    """Every call to the portal would fail now (disconnected, rate limited): the run stops."""


class Portals:
    """Opens a conversation's portal, or records why it cannot and has the job wait."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        hubspot: HubSpot,
        vault: Vault,
        effects: Effects,
        options: SyncOptions,
    ) -> None:
        self.sessions = sessions
        self.hubspot = hubspot
        self.vault = vault
        self.effects = effects
        self.options = options

    async def open(self, conversation_id: str) -> Portal:
        async with self.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                raise LookupError(f"no conversation {conversation_id}")
            connection = await find_connection(session, conversation.organization_id)
            waiting = await markers.step_of(session, conversation_id, "connection")
        if connection is None:
            await self.wait(conversation_id, "HubSpot is not connected")
        if (problem := unusable(connection)) is not None:
            await self.wait(conversation_id, problem)
        try:
            client = portal_client(self.hubspot, self.sessions, self.vault, connection)
        except Unauthorized as lost:
            await self.wait(conversation_id, lost.message)
        if waiting is not None and waiting.state != StepState.DONE:
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

    async def missing_scopes(self, conversation_id: str, scopes: list[str]) -> str:
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

    async def wait(self, conversation_id: str, reason: str) -> NoReturn:
        """Tell the visitor once that the team will follow up; try again later, less often."""
        attempts = await markers.record_error(self.sessions, conversation_id, "connection", reason)
        if attempts == 1:
            await self._tell_visitor(conversation_id)
        delay = min(MAX_WAIT_S, self.options.unconnected_retry_s * 2 ** (attempts - 1))
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
            await add_message(session, self.effects, conversation, Role.SYSTEM, text)
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
