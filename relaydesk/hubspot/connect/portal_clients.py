"""This process's portal clients, one per organization, kept while its connection's tokens stay
as they were. A job that talks to HubSpot many times a second (the delivery-status reports) then
reads a few columns of the connection, not the whole row, and opens no vault nor builds a client
unless those columns changed (a refreshed grant, a reconnect, a disconnect)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...hot_sql import Hot
from ...models import HubSpotConnection
from ...vault import Vault
from ..api.client import HubSpotClient
from ..api.integration import HubSpot
from .connections import portal_client

# What a client is built from, then the channel the organization's replies go out on.
BUILT_FROM = ("mode", "portal_id", "access_token_enc", "refresh_token_enc", "token_expires_at")
TOKENS = Hot(
    select(
        *(getattr(HubSpotConnection, name) for name in BUILT_FROM), HubSpotConnection.channel_id
    ).where(HubSpotConnection.organization_id == bindparam("organization_id")),
    begins=False,
)


@dataclass(frozen=True)
class Portal:
    client: HubSpotClient
    channel_id: str | None


@dataclass
class PortalClients:
    hubspot: HubSpot
    sessions: async_sessionmaker[AsyncSession]
    vault: Vault
    _built: dict[str, tuple[tuple[Any, ...], HubSpotClient]] = field(default_factory=dict)

    async def find(self, session: AsyncSession, organization_id: str) -> Portal | None:
        """The organization's client as its row stands now; None without a connection. Raises
        `ReconnectRequired` as `portal_client` does for a connection without tokens."""
        row = await TOKENS.first(session, {"organization_id": organization_id})
        if row is None:
            return None
        built_from = tuple(row[: len(BUILT_FROM)])
        built = self._built.get(organization_id)
        if built is None or built[0] != built_from:
            columns = dict(zip(BUILT_FROM, built_from, strict=True))
            connection = HubSpotConnection(organization_id=organization_id, **columns)
            client = portal_client(self.hubspot, self.sessions, self.vault, connection)
            built = self._built[organization_id] = (built_from, client)
        return Portal(built[1], row.channel_id)
