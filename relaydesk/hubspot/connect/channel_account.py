"""An organization's channel account on the app's custom channel (once per inbox), idempotent
even when several processes set it up at the same moment.

A short lease on the connection row decides who talks to HubSpot; the others wait until it is
settled. No transaction stays open across a HubSpot call.
"""

from __future__ import annotations

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...db import commit
from ...models import HubSpotConnection, utcnow
from ..api.client import HubSpotClient
from .channel import LEASE, delivery_value, release, until


async def ensure_channel_account(
    sessions: async_sessionmaker[AsyncSession],
    client: HubSpotClient,
    connection_id: str,
    channel_id: str,
    inbox_id: str,
    name: str,
) -> str:
    """The connection's channel account in `inbox_id`: found in HubSpot, else created."""
    while True:
        if await _claim_setup(sessions, connection_id):
            async with sessions() as session:
                connection = await session.get(HubSpotConnection, connection_id)
                assert connection is not None
            try:
                account_id = await _find_or_create_account(
                    client, channel_id, inbox_id, name, connection
                )
            except BaseException:
                row = update(HubSpotConnection).where(HubSpotConnection.id == connection_id)
                await release(sessions, row.values(setup_claimed_until=None))
                raise
            await _store_account(sessions, connection_id, channel_id, inbox_id, account_id)
            return account_id
        await until(lambda: _settled_setup(sessions, connection_id), LEASE.total_seconds(), "setup")


async def _claim_setup(sessions: async_sessionmaker[AsyncSession], connection_id: str) -> bool:
    async with sessions() as session:
        now = utcnow()
        column = HubSpotConnection.setup_claimed_until
        claimed = await session.execute(
            update(HubSpotConnection)
            .where(HubSpotConnection.id == connection_id)
            .where(or_(column.is_(None), column < now))
            .values(setup_claimed_until=now + LEASE)
        )
        await commit(session)
        return bool(getattr(claimed, "rowcount", 0) == 1)


async def _settled_setup(
    sessions: async_sessionmaker[AsyncSession], connection_id: str
) -> bool | None:
    async with sessions() as session:
        connection = await session.get(HubSpotConnection, connection_id)
        claimed = connection.setup_claimed_until if connection else None
        return True if claimed is None or claimed < utcnow() else None


async def _find_or_create_account(
    client: HubSpotClient,
    channel_id: str,
    inbox_id: str,
    name: str,
    connection: HubSpotConnection,
) -> str:
    value = delivery_value(connection.organization_id)
    accounts = await client.list_channel_accounts(channel_id, delivery_identifier_value=value)
    for account in accounts:
        if account.inbox_id == inbox_id and not account.archived:
            return account.id
    body = {
        "name": name,
        "inboxId": inbox_id,
        "authorized": True,
        "deliveryIdentifier": {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": value},
    }
    return (await client.create_channel_account(channel_id, body)).id


async def _store_account(
    sessions: async_sessionmaker[AsyncSession],
    connection_id: str,
    channel_id: str,
    inbox_id: str,
    account_id: str,
) -> None:
    async with sessions() as session:
        await session.execute(
            update(HubSpotConnection)
            .where(HubSpotConnection.id == connection_id)
            .values(
                channel_id=channel_id,
                inbox_id=inbox_id,
                channel_account_id=account_id,
                setup_claimed_until=None,
            )
        )
        await commit(session)
