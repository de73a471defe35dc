"""Registering the app's custom channel (once per app), idempotent even when several processes
run it at the same moment; `channel_account.py` does the same for an organization's account.

A short lease on a row decides who talks to HubSpot; the others wait for the id it stores.
No transaction stays open across a HubSpot call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...db import commit
from ...files import MESSAGE_LIMITS, MessageLimits
from ...models import HubSpotChannel, utcnow
from ..api.app_client import HubSpotApp
from ..api.errors import HubSpotError, NotFound
from ..api.shapes import Channel

LEASE = timedelta(seconds=30)
POLL_S = 0.05
T = TypeVar("T")


def capabilities(limits: MessageLimits) -> dict[str, Any]:
    """The channel's capabilities: its file limits are the widget's (`MessageLimits`). HubSpot
    documents no text-length capability, so the text limit is the widget's alone."""
    return {
        "deliveryIdentifierTypes": ["CHANNEL_SPECIFIC_OPAQUE_ID", "HS_EMAIL_ADDRESS"],
        "threadingModel": "INTEGRATION_THREAD_ID",
        "richText": ["HYPERLINK", "BOLD", "ITALIC", "LISTS"],
        "allowInlineImages": False,
        "allowOutgoingMessages": True,
        "outgoingAttachmentTypes": ["FILE"],
        "allowedFileAttachmentMimeTypes": list(limits.types),
        "maxFileAttachmentCount": limits.files,
        "maxFileAttachmentSizeBytes": limits.file_bytes,
        "maxTotalFileAttachmentSizeBytes": limits.total_bytes,
    }


CAPABILITIES = capabilities(MESSAGE_LIMITS)


def channel_webhook_url(public_base_url: str) -> str:
    return f"{public_base_url.rstrip('/')}/hubspot/channel"


def delivery_value(organization_id: str) -> str:
    return f"relaydesk-{organization_id}"


async def until(probe: Callable[[], Awaitable[T | None]], timeout_s: float, what: str) -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = await probe()
        if found is not None:
            return found
        await asyncio.sleep(POLL_S)
    raise HubSpotError(f"gave up waiting for {what}")


async def ensure_channel(
    sessions: async_sessionmaker[AsyncSession],
    app: HubSpotApp,
    webhook_url: str,
    limits: MessageLimits = MESSAGE_LIMITS,
) -> str:
    """The app's channel id: stored and still there, else found by webhook URL, else registered."""
    app_id = app.credentials.app_id
    while True:
        known = await _stored_channel(sessions, app_id)
        if known and await _still_registered(app, known, limits):
            return known
        if known:
            await release(sessions, delete(HubSpotChannel).where(HubSpotChannel.app_id == app_id))
        if await _claim_channel(sessions, app_id, webhook_url):
            try:
                channel = await _find_or_register(app, webhook_url, limits)
            except BaseException:
                row = update(HubSpotChannel).where(HubSpotChannel.app_id == app_id)
                await release(sessions, row.values(claimed_until=None))
                raise
            await _store_channel(sessions, app_id, channel.id)
            return channel.id
        await until(lambda: _settled_channel(sessions, app_id), LEASE.total_seconds(), "channel")


async def _still_registered(app: HubSpotApp, channel_id: str, limits: MessageLimits) -> bool:
    try:
        await in_line(app, await app.get_channel(channel_id), limits)
    except NotFound:
        return False
    return True


async def in_line(
    app: HubSpotApp, channel: Channel, limits: MessageLimits = MESSAGE_LIMITS
) -> Channel:
    """A channel registered with other capabilities (an earlier relaydesk's, or other limits
    than this installation's) gets this installation's."""
    wanted = capabilities(limits)
    if channel.capabilities == wanted:
        return channel
    return await app.update_channel(channel.id, {"capabilities": wanted})


async def _stored_channel(sessions: async_sessionmaker[AsyncSession], app_id: int) -> str | None:
    async with sessions() as session:
        row = await session.get(HubSpotChannel, app_id)
        return row.channel_id if row else None


async def _settled_channel(sessions: async_sessionmaker[AsyncSession], app_id: int) -> bool | None:
    """True once the lease holder stored an id or let its lease lapse."""
    async with sessions() as session:
        row = await session.get(HubSpotChannel, app_id)
        lapsed = row is None or row.claimed_until is None or row.claimed_until < utcnow()
        return True if row is None or row.channel_id or lapsed else None


async def _claim_channel(
    sessions: async_sessionmaker[AsyncSession], app_id: int, webhook_url: str
) -> bool:
    async with sessions() as session:
        session.add(
            HubSpotChannel(app_id=app_id, webhook_url=webhook_url, claimed_until=utcnow() + LEASE)
        )
        try:
            await commit(session)
            return True
        except IntegrityError:
            await session.rollback()
        now = utcnow()
        claimed = await session.execute(
            update(HubSpotChannel)
            .where(HubSpotChannel.app_id == app_id, HubSpotChannel.channel_id.is_(None))
            .where(or_(HubSpotChannel.claimed_until.is_(None), HubSpotChannel.claimed_until < now))
            .values(claimed_until=now + LEASE, webhook_url=webhook_url)
        )
        await commit(session)
        return bool(getattr(claimed, "rowcount", 0) == 1)


async def release(sessions: async_sessionmaker[AsyncSession], statement: Any) -> None:
    """Give a lease back early (on failure) so waiters take over without waiting it out."""
    async with sessions() as session:
        await session.execute(statement)
        await commit(session)


async def _store_channel(
    sessions: async_sessionmaker[AsyncSession], app_id: int, channel_id: str
) -> None:
    async with sessions() as session:
        await session.execute(
            update(HubSpotChannel)
            .where(HubSpotChannel.app_id == app_id)
            .values(channel_id=channel_id, claimed_until=None)
        )
        await commit(session)


async def _find_or_register(app: HubSpotApp, webhook_url: str, limits: MessageLimits) -> Channel:
    existing = [c for c in await app.list_channels() if c.webhook_url == webhook_url]
    if existing:
        return await in_line(app, existing[0], limits)
    body = {
        "name": "relaydesk chat",
        "webhookUrl": webhook_url,
        "channelDescription": "Conversations handed off from the relaydesk chat widget",
        "capabilities": capabilities(limits),
    }
    created = await app.create_channel(body)

    # HubSpot lists a new channel a moment after creating it; later lookups rely on the list.
    async def visible() -> Channel | None:
        return next((c for c in await app.list_channels() if c.id == created.id), None)

    return await until(visible, 30.0, "the new channel to become visible")
