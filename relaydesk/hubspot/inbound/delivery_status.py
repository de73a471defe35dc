"""Telling HubSpot what became of a rep's reply: SENT once a widget of the visitor received it,
READ once the widget showed it, FAILED (with why) when it could not be delivered, or only in part.
Each report is an outbox job, at most one per message and status, and SENT is always queued before
READ (same ordering key), so HubSpot sees them in that order. A reply reported FAILED is not
reported SENT or READ afterwards: the rep keeps seeing what went wrong.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ... import events
from ...jobs import MessageStatus, dump, load
from ...models import Conversation, HubSpotChannel, Message, OutboxJob, Role
from ...outbox import Wakeup, enqueue
from ..api.client import HubSpotClient
from ..api.errors import NotFound
from ..api.shapes import Message as HubSpotMessage
from ..connect.portal_clients import PortalClients

log = logging.getLogger(__name__)

SENT, READ, FAILED = "SENT", "READ", "FAILED"
KIND = events.HUBSPOT_MESSAGE_STATUS
MAX_ERROR_MESSAGE = 500


def dedupe_key(status: str, message_id: str) -> str:
    return f"{KIND}:{status}:{message_id}"


async def report(
    session: AsyncSession,
    wakeup: Wakeup,
    message: Message,
    status: str,
    organization_id: str | None = None,
    *,
    run_here: bool = False,
) -> None:
    """Queue one status report (a repeat is a no-op). With the organization known, the job
    carries what it needs and reads only the connection. `run_here`: this process's worker
    runs it as the caller commits, without claiming it (`outbox.enqueue`)."""
    payload, ordering_key = report_job(message, status, organization_id)
    await enqueue(
        session,
        wakeup,
        KIND,
        payload,
        ordering_key=ordering_key,
        dedupe_key=dedupe_key(status, message.id),
        run_here=run_here,
    )


def report_job(
    message: Message, status: str, organization_id: str | None = None
) -> tuple[dict[str, Any], str]:
    """The report's job payload and ordering key (beside the conversation's other reports)."""
    if organization_id is not None and message.hubspot_message_id is not None:
        payload = MessageStatus(status, message.id, organization_id, message.hubspot_message_id)
    else:
        payload = MessageStatus(status, message.id)
    return dump(payload), f"hubspot:status:{message.conversation_id}"


async def report_failed(
    session: AsyncSession,
    wakeup: Wakeup,
    reply: HubSpotMessage,
    organization_id: str,
    error_message: str,
    stored: Message | None = None,
) -> None:
    """Queue FAILED for a rep's reply (HubSpot's message), with why; `stored` is what of it
    reached the visitor, if anything did."""
    payload = MessageStatus(
        FAILED,
        stored.id if stored is not None else None,
        organization_id,
        reply.id,
        error_message[:MAX_ERROR_MESSAGE],
    )
    # Beside the conversation's SENT and READ when it has one, else by HubSpot's thread.
    key = stored.conversation_id if stored is not None else reply.conversations_thread_id
    await enqueue(
        session,
        wakeup,
        KIND,
        dump(payload),
        ordering_key=f"hubspot:status:{key}"[:64],
        dedupe_key=failed_key(reply.id),
    )


def failed_key(hubspot_message_id: str) -> str:
    return f"{KIND}:{FAILED}:{hubspot_message_id}"


async def _unreported(
    session: AsyncSession, conversation_id: str, status: str, up_to_seq: int | None = None
) -> list[Message]:
    """The conversation's rep replies whose `status` has not been queued yet (none reported
    FAILED)."""
    reported = exists().where(OutboxJob.dedupe_key == f"{KIND}:{status}:" + Message.id)
    failed = exists().where(
        OutboxJob.dedupe_key == f"{KIND}:{FAILED}:" + Message.hubspot_message_id
    )
    query = select(Message).where(
        Message.conversation_id == conversation_id,
        Message.role == Role.AGENT,
        Message.hubspot_message_id.is_not(None),
        ~reported,
        ~failed,
    )
    if up_to_seq is not None:
        query = query.where(Message.seq <= up_to_seq)
    return list(await session.scalars(query.order_by(Message.seq)))


async def report_sent(session: AsyncSession, wakeup: Wakeup, conversation_id: str) -> int:
    """The visitor is back (socket connected or history fetched): every rep reply is SENT."""
    pending = await _unreported(session, conversation_id, SENT)
    for message in pending:
        await report(session, wakeup, message, SENT)
    return len(pending)


async def report_sent_to_visitor(session: AsyncSession, wakeup: Wakeup, visitor_id: str) -> int:
    latest = await session.scalar(
        select(Conversation.id)
        .where(Conversation.visitor_id == visitor_id, Conversation.hubspot_thread_id.is_not(None))
        .order_by(Conversation.created_at.desc())
        .limit(1)
    )
    return await report_sent(session, wakeup, latest) if latest else 0


async def report_read(
    session: AsyncSession, wakeup: Wakeup, conversation_id: str, up_to_seq: int
) -> int:
    """The widget showed everything up to `up_to_seq`: those rep replies are READ."""
    await report_sent(session, wakeup, conversation_id)
    unread = await _unreported(session, conversation_id, READ, up_to_seq)
    for message in unread:
        await report(session, wakeup, message, READ)
    return len(unread)


@dataclass(frozen=True)
class StatusJob:
    """The `hubspot.message_status` job: one PATCH of the channel message's status."""

    sessions: async_sessionmaker[AsyncSession]
    portals: PortalClients

    async def __call__(self, payload: dict[str, Any]) -> None:
        job = load(MessageStatus, payload)
        async with self.sessions() as session:
            found = await self._load(session, job)
        if found is None:
            log.warning("status of message %s not reported: not a HubSpot reply", payload)
            return
        client, channel_id, hubspot_message_id = found
        status, error_message = job.status, job.error_message
        try:
            await client.report_message_status(
                channel_id, hubspot_message_id, status, error_message
            )
        except NotFound:
            log.warning("HubSpot no longer has message %s", hubspot_message_id)

    async def _load(
        self, session: AsyncSession, job: MessageStatus
    ) -> tuple[HubSpotClient, str, str] | None:
        if job.hubspot_id is not None and job.organization_id is not None:
            hubspot_message_id, organization_id = job.hubspot_id, job.organization_id
        else:
            row = (
                await session.execute(
                    select(Message.hubspot_message_id, Conversation.organization_id)
                    .join(Conversation, Conversation.id == Message.conversation_id)
                    .where(Message.id == job.message_id)
                )
            ).first()
            if row is None or row.hubspot_message_id is None:
                return None
            hubspot_message_id, organization_id = row.hubspot_message_id, row.organization_id
        portal = await self.portals.find(session, organization_id)
        if portal is None:
            return None
        channel_id = portal.channel_id or await session.scalar(
            select(HubSpotChannel.channel_id).limit(1)
        )
        return (portal.client, channel_id, hubspot_message_id) if channel_id else None
